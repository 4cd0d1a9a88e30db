package dev.syncwire.bench;

import dev.syncwire.testing.JvmProcess;
import dev.syncwire.testing.SocketEvents;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Workload a: one publisher, one channel, N subscribers, 100-byte payloads. Steps the offered rate up
 * until a step is no longer sustained (loss, backlog, or latency growing through the step), then
 * measures latency at fixed offered loads: a light and a high one, the same for every target, and half of
 * this target's maximum.
 * {@link #fixedLoads} runs given rates only. The subscribers use WebSocket unless another
 * {@link SubscriberTransport} is given; the publisher always does.
 */
final class FanOutWorkload {
  static final String CHANNEL = "bench";
  /** The first phase: JIT and caches settle; it counts for loss, not for any figure. */
  static final String WARM_UP = "warm-up";
  /** The latency bound of the "max within p99" figure: a rate that holds but queues this long is of little use. */
  static final long P99_BOUND_MICROS = 50_000;
  /** Steps past this are not attempted (far beyond what one core can deliver). */
  private static final double MAX_PUBS_PER_SECOND = 20_000;
  /** A backlog still draining after this long counts as lost: the run must end. */
  private static final double MAX_BACKLOG_SECONDS = 300;

  private final Loop loop;
  private final List<String> sources;
  private final Profile profile;
  private final JvmProcess self;
  private final SubscriberTransport transport;
  private final int subscriberCount;
  private final String channel;

  FanOutWorkload(Loop loop, List<String> sources, Profile profile, JvmProcess self) {
    this(loop, sources, profile, self, new WebSocketSubscribers(loop.vertx(), sources), profile.subscribers(), CHANNEL);
  }

  FanOutWorkload(Loop loop, List<String> sources, Profile profile, JvmProcess self, SubscriberTransport transport,
                 int subscriberCount, String channel) {
    this.loop = loop;
    this.sources = sources;
    this.profile = profile;
    this.self = self;
    this.transport = transport;
    this.subscriberCount = subscriberCount;
    this.channel = channel;
  }

  /**
   * The workload's figures for one target. {@code max} is null when no step held; {@code failure} is set
   * (and there are no figures) when the workload could not even start.
   */
  record Result(PhaseResult max, PhaseResult firstFailed, PhaseResult light, PhaseResult high, PhaseResult halfMax,
                List<PhaseResult> steps, long lost, long duplicates, long orderBreaks, int subscribers,
                String problems, String failure) {

    static Result failed(int subscribers, String why) {
      return new Result(null, null, null, null, null, List.of(), 0, 0, 0, subscribers, "", why);
    }

    boolean lossFree() {
      return lost == 0 && duplicates == 0 && orderBreaks == 0 && problems.isEmpty();
    }

    /** The highest step of the search that held with p99 within {@link #P99_BOUND_MICROS}; null if none. */
    PhaseResult maxWithinP99Bound() {
      PhaseResult best = null;
      for (PhaseResult step : steps) {
        if (!step.label().equals(WARM_UP) && step.sustained() && step.p99() <= P99_BOUND_MICROS
            && (best == null || step.deliveriesPerSecond() > best.deliveriesPerSecond())) {
          best = step;
        }
      }
      return best;
    }
  }

  /**
   * The figures of {@link #fixedLoads}: one measured window per rate, up to and including the first that
   * did not hold; {@code failure} is set when the workload could not start.
   */
  record Ladder(List<PhaseResult> loads, long lost, long duplicates, long orderBreaks, int subscribers,
                String problems, String failure) {

    boolean lossFree() {
      return failure == null && lost == 0 && duplicates == 0 && orderBreaks == 0 && problems.isEmpty();
    }
  }

  Result run(Target target) {
    return withFanOut(target, (setup, problem) -> {
      if (problem != null) {
        return Result.failed(subscriberCount, problem);
      }
      Runner runner = setup.runner;
      PhaseResult warmup = runner.run(WARM_UP, 2 * profile.startPubsPerSecond(), profile.warmupSeconds());
      List<PhaseResult> steps = new ArrayList<>();
      steps.add(warmup);
      Search search = findMaximum(runner, steps);
      PhaseResult max = search.max();
      PhaseResult light = runner.fixedLoad("@light", profile.lightDeliveriesPerSecond() / subscriberCount);
      PhaseResult halfMax = max == null ? null : runner.fixedLoad("@50% max", max.offeredPubsPerSecond() / 2);
      // Last: a target that cannot keep up builds a backlog, which must not spill into another measurement.
      PhaseResult high = profile.highDeliveriesPerSecond() <= 0 ? null
          : runner.fixedLoad("@high", profile.highDeliveriesPerSecond() / subscriberCount);
      Integrity integrity = setup.integrity(target);
      return new Result(max, search.firstFailed(), light, high, halfMax, steps, integrity.lost, integrity.duplicates,
          integrity.orderBreaks, subscriberCount, integrity.problems, null);
    });
  }

  /**
   * A warm-up of {@code warmupSeconds} at the first rate (none when 0), then each rate of
   * {@code pubsPerSecond} in turn: a run-in of {@code runInSeconds}, then a measured window of
   * {@code seconds}. Stops after the first rate that does not hold: higher ones would not either.
   */
  Ladder fixedLoads(Target target, List<Double> pubsPerSecond, double warmupSeconds, double runInSeconds,
                    double seconds) {
    return withFanOut(target, (setup, problem) -> {
      if (problem != null) {
        return new Ladder(List.of(), 0, 0, 0, subscriberCount, "", problem);
      }
      Runner runner = setup.runner;
      if (warmupSeconds > 0) {
        runner.run(WARM_UP, pubsPerSecond.get(0), warmupSeconds);
      }
      List<PhaseResult> loads = new ArrayList<>();
      for (double rate : pubsPerSecond) {
        PhaseResult load = runner.fixedLoad(String.format("@%,.0f/s", rate * subscriberCount), rate, runInSeconds,
            seconds);
        loads.add(load);
        if (!load.sustained()) {
          break;
        }
      }
      Integrity integrity = setup.integrity(target);
      return new Ladder(loads, integrity.lost, integrity.duplicates, integrity.orderBreaks, subscriberCount,
          integrity.problems, null);
    });
  }

  /** Opens the subscribers and the publisher, runs {@code body} (with the reason when they could not open), closes all. */
  private <R> R withFanOut(Target target, BiFunction<Setup, String, R> body) {
    Log.line("%s fan-out: connecting %d %s subscribers to %s", target.name(), subscriberCount, transport.name(),
        channel);
    Connector connector = new Connector(loop.vertx(), sources);
    SocketEvents events = new SocketEvents();
    SocketEvents publisherEvents = new SocketEvents();
    DeliveryTracker tracker = new DeliveryTracker(subscriberCount);
    SubscriberTransport.Subscribers subscribers = null;
    try {
      subscribers = loop.await(() -> transport.open(target, subscriberCount, profile.connectWindow(), channel, events,
          tracker));
      if (subscribers.failures() > 0) {
        return failed(target, body, subscribers.failures() + " of " + subscriberCount
            + " subscribers failed to join (" + subscribers.firstFailure() + ")");
      }
      Connector.Opened publisherSocket = loop.await(() -> connector.open(target, -1, 1, 1, i -> null,
          publisherEvents, null));
      if (publisherSocket.failures() > 0) {
        return failed(target, body, "the publisher failed to connect (" + publisherSocket.firstFailure() + ")");
      }
      OpenLoopPublisher publisher = loop.read(() -> new OpenLoopPublisher(loop.vertx(),
          publisherSocket.sockets().get(0), target.protocol(), channel));
      Runner runner = new Runner(target, publisher, tracker, events, subscribers);
      return body.apply(new Setup(runner, tracker, events, publisherEvents), null);
    } finally {
      loop.await(connector::closeAll);
      if (subscribers != null) {
        loop.await(subscribers::close);
      }
    }
  }

  private <R> R failed(Target target, BiFunction<Setup, String, R> body, String why) {
    Log.line("%s fan-out not run: %s", target.name(), why);
    return body.apply(null, why);
  }

  /** What a fan-out's phases share: the runner, and the counters checked for integrity at the end. */
  private final class Setup {
    final Runner runner;
    final DeliveryTracker tracker;
    final SocketEvents events;
    final SocketEvents publisherEvents;

    Setup(Runner runner, DeliveryTracker tracker, SocketEvents events, SocketEvents publisherEvents) {
      this.runner = runner;
      this.tracker = tracker;
      this.events = events;
      this.publisherEvents = publisherEvents;
    }

    /** Loss over every phase run, duplicates and order breaks, acks and anything else that went wrong. */
    Integrity integrity(Target target) {
      long lost = runner.all.stream().mapToLong(PhaseResult::lost).sum();
      long published = runner.all.stream().mapToLong(PhaseResult::sent).sum();
      long acks = target.protocol().acksPublishes() ? awaitAcks(publisherEvents, published) : 0;
      String problems = describeProblems(loop.read(() -> events.problems() > 0 ? events.toString() : ""),
          loop.read(() -> publisherEvents.problems() > 0 ? "publisher " + publisherEvents : ""),
          target.protocol().acksPublishes() && acks != published ? acks + " acks for " + published + " publishes" : "",
          loop.read(() -> tracker.unreadable > 0 ? tracker.unreadable + " unreadable frames" : ""));
      return new Integrity(lost, loop.read(() -> tracker.duplicates), loop.read(() -> tracker.orderBreaks), problems);
    }
  }

  private record Integrity(long lost, long duplicates, long orderBreaks, String problems) {
  }

  /** Acks may trail the last deliveries by an event-loop turn or two. */
  private long awaitAcks(SocketEvents publisherEvents, long published) {
    long deadline = System.nanoTime() + 2_000_000_000L;
    long acks = loop.read(() -> publisherEvents.acks);
    while (acks < published && System.nanoTime() < deadline) {
      Loop.pause(10);
      acks = loop.read(() -> publisherEvents.acks);
    }
    return acks;
  }

  /**
   * Multiplies the rate by the profile's factor while steps hold, then bisects (geometrically) between
   * the last rate that held and the first that did not. Every failed step is run a second time before
   * it counts, because other work on this machine can spoil a single step.
   */
  private Search findMaximum(Runner runner, List<PhaseResult> steps) {
    PhaseResult best = null;
    PhaseResult failed = null;
    double rate = profile.startPubsPerSecond();
    while (rate <= MAX_PUBS_PER_SECOND) {
      PhaseResult step = runner.confirmed("step", rate, steps);
      if (!step.sustained()) {
        failed = step;
        break;
      }
      best = step;
      rate *= profile.stepFactor();
    }
    for (int i = 0; i < profile.refineSteps() && best != null && failed != null; i++) {
      double between = Math.sqrt(best.offeredPubsPerSecond() * failed.offeredPubsPerSecond());
      PhaseResult step = runner.confirmed("refine", between, steps);
      if (step.sustained()) {
        best = step;
      } else {
        failed = step;
      }
    }
    boolean anyLoss = steps.stream().anyMatch(s -> !s.clean());
    return new Search(anyLoss ? null : best, failed);
  }

  /** The highest step that held (null if none, or if any step lost a message) and the lowest that did not. */
  private record Search(PhaseResult max, PhaseResult firstFailed) {
  }

  private static String describeProblems(String... parts) {
    StringBuilder sb = new StringBuilder();
    for (String p : parts) {
      if (!p.isEmpty()) {
        sb.append(sb.length() == 0 ? "" : "; ").append(p);
      }
    }
    return sb.toString();
  }

  /** Runs phases against one target and freezes each into a {@link PhaseResult}. */
  private final class Runner {
    private final Target target;
    private final OpenLoopPublisher publisher;
    private final DeliveryTracker tracker;
    private final SocketEvents events;
    private final SubscriberTransport.Subscribers subscribers;
    /** Every phase run, measured or not: loss anywhere counts. */
    final List<PhaseResult> all = new ArrayList<>();

    Runner(Target target, OpenLoopPublisher publisher, DeliveryTracker tracker, SocketEvents events,
           SubscriberTransport.Subscribers subscribers) {
      this.target = target;
      this.publisher = publisher;
      this.tracker = tracker;
      this.events = events;
      this.subscribers = subscribers;
    }

    /** Runs a step; if it does not hold, runs it once more and keeps that second verdict. */
    PhaseResult confirmed(String label, double pubsPerSecond, List<PhaseResult> steps) {
      PhaseResult step = run(label, pubsPerSecond, profile.stepSeconds());
      steps.add(step);
      if (!step.sustained()) {
        step = run(label + " again", pubsPerSecond, profile.stepSeconds());
        steps.add(step);
      }
      return step;
    }

    /** A short unmeasured run-in at the same rate, then the measured window. */
    PhaseResult fixedLoad(String label, double pubsPerSecond) {
      return fixedLoad(label, pubsPerSecond, profile.fixedWarmupSeconds(), profile.fixedSeconds());
    }

    PhaseResult fixedLoad(String label, double pubsPerSecond, double runInSeconds, double seconds) {
      run("(run-in)", pubsPerSecond, runInSeconds);
      return run(label, pubsPerSecond, seconds);
    }

    PhaseResult run(String label, double pubsPerSecond, double seconds) {
      Phase phase = loop.read(() -> {
        Phase p = publisher.plan(label, pubsPerSecond, seconds, subscriberCount);
        tracker.startPhase(p);
        return p;
      });
      long requests0 = loop.read(subscribers::requests);
      CpuWindow window = CpuWindow.start(target.processes(), self);
      loop.await(() -> publisher.run(phase));
      boolean drained = awaitDeliveries(phase, profile.drainSeconds());
      CpuWindow.Measured cpu = window.stop();
      long deliveredInWindow = loop.read(() -> phase.delivered);
      long requests = loop.read(subscribers::requests) - requests0;
      if (!drained) {
        // Late or lost? Give a backlog time to clear: what is still missing once nothing has arrived for
        // the loss wait is lost.
        awaitBacklog(phase);
      }
      PhaseResult result = loop.read(() -> new PhaseResult(label, pubsPerSecond, phase.subscribers, phase.sent,
          deliveredInWindow, phase.deliveredWhileSending, phase.expected() - phase.delivered, cpu,
          phase.latency.getValueAtPercentile(50), phase.latency.getValueAtPercentile(99),
          phase.latency.getValueAtPercentile(99.9), phase.latency.getMaxValue(),
          phase.thirds[0].getValueAtPercentile(50), phase.thirds[2].getValueAtPercentile(50),
          phase.sendLag.getValueAtPercentile(99), drained, events.problems(), phase.ackLatency.getTotalCount(),
          phase.ackLatency.getValueAtPercentile(50), phase.ackLatency.getValueAtPercentile(99),
          phase.ackLatency.getValueAtPercentile(99.9), requests));
      Log.line("%s %s", target.name(), result.summary());
      all.add(result);
      return result;
    }

    /** Waits while deliveries still arrive, at most {@link #MAX_BACKLOG_SECONDS}, until none has for the loss wait. */
    private void awaitBacklog(Phase phase) {
      long stopAt = System.nanoTime() + (long) (MAX_BACKLOG_SECONDS * 1e9);
      long before = -1;
      long now = loop.read(() -> phase.delivered);
      while (now > before && System.nanoTime() < stopAt && !awaitDeliveries(phase, profile.lossWaitSeconds())) {
        before = now;
        now = loop.read(() -> phase.delivered);
      }
    }

    private boolean awaitDeliveries(Phase phase, double seconds) {
      long deadline = System.nanoTime() + (long) (seconds * 1e9);
      while (System.nanoTime() < deadline) {
        if (loop.read(phase::complete)) {
          return true;
        }
        if (loop.read(() -> events.unexpectedCloses > 0)) {
          return false;
        }
        Loop.pause(5);
      }
      return loop.read(phase::complete);
    }
  }
}
