package dev.syncwire.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Workload a: one publisher, one channel, N subscribers, 100-byte payloads. Steps the offered rate up
 * until a step is no longer sustained (loss, backlog, or latency growing through the step), then
 * measures latency at fixed offered loads: a common absolute one and half of this target's maximum.
 */
final class FanOutWorkload {
  static final String CHANNEL = "bench";
  /** The first phase: JIT and caches settle; it counts for loss, not for any figure. */
  static final String WARM_UP = "warm-up";
  /** The latency bound of the "max within p99" figure: a rate that holds but queues this long is of little use. */
  static final long P99_BOUND_MICROS = 50_000;
  /** Steps past this are not attempted (far beyond what one core can deliver). */
  private static final double MAX_PUBS_PER_SECOND = 20_000;

  private final Loop loop;
  private final List<String> sources;
  private final Profile profile;
  private final JvmProcess self;

  FanOutWorkload(Loop loop, List<String> sources, Profile profile, JvmProcess self) {
    this.loop = loop;
    this.sources = sources;
    this.profile = profile;
    this.self = self;
  }

  /**
   * The workload's figures for one target. {@code max} is null when no step held; {@code failure} is set
   * (and there are no figures) when the workload could not even start.
   */
  record Result(PhaseResult max, PhaseResult firstFailed, PhaseResult common, PhaseResult halfMax,
                List<PhaseResult> steps, long lost, long duplicates, long orderBreaks, int subscribers,
                String problems, String failure) {

    static Result failed(int subscribers, String why) {
      return new Result(null, null, null, null, List.of(), 0, 0, 0, subscribers, "", why);
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

  Result run(Target target) {
    Log.line("%s fan-out: connecting %d subscribers", target.name(), profile.subscribers());
    Connector connector = new Connector(loop.vertx(), sources);
    SocketEvents events = new SocketEvents();
    SocketEvents publisherEvents = new SocketEvents();
    DeliveryTracker tracker = new DeliveryTracker(profile.subscribers());
    try {
      Connector.Opened subscribers = loop.await(() -> connector.open(target, 0, profile.subscribers(),
          profile.connectWindow(), i -> CHANNEL, events, null));
      if (subscribers.failures() > 0) {
        return failed(target, subscribers.failures() + " of " + profile.subscribers()
            + " subscribers failed to join (" + subscribers.firstFailure() + ")");
      }
      loop.read(() -> {
        subscribers.sockets().forEach(s -> s.listener(tracker));
        return null;
      });
      Connector.Opened publisherSocket = loop.await(() -> connector.open(target, -1, 1, 1, i -> null,
          publisherEvents, null));
      if (publisherSocket.failures() > 0) {
        return failed(target, "the publisher failed to connect (" + publisherSocket.firstFailure() + ")");
      }
      OpenLoopPublisher publisher = new OpenLoopPublisher(loop.vertx(), publisherSocket.sockets().get(0),
          target.protocol(), CHANNEL);
      Runner runner = new Runner(target, publisher, tracker, events);

      PhaseResult warmup = runner.run(WARM_UP, 2 * profile.startPubsPerSecond(), profile.warmupSeconds());
      List<PhaseResult> steps = new ArrayList<>();
      steps.add(warmup);
      Search search = findMaximum(runner, steps);
      PhaseResult max = search.max();
      PhaseResult common = runner.fixedLoad("@common", profile.commonDeliveriesPerSecond() / profile.subscribers());
      PhaseResult halfMax = max == null ? null : runner.fixedLoad("@50% max", max.offeredPubsPerSecond() / 2);

      long lost = runner.all.stream().mapToLong(PhaseResult::lost).sum();
      long published = runner.all.stream().mapToLong(PhaseResult::sent).sum();
      long acks = target.protocol().acksPublishes() ? awaitAcks(publisherEvents, published) : 0;
      String problems = describeProblems(loop.read(() -> events.problems() > 0 ? events.toString() : ""),
          loop.read(() -> publisherEvents.problems() > 0 ? "publisher " + publisherEvents : ""),
          target.protocol().acksPublishes() && acks != published ? acks + " acks for " + published + " publishes" : "",
          loop.read(() -> tracker.unreadable > 0 ? tracker.unreadable + " unreadable frames" : ""));
      return new Result(max, search.firstFailed(), common, halfMax, steps, lost, loop.read(() -> tracker.duplicates),
          loop.read(() -> tracker.orderBreaks), profile.subscribers(), problems, null);
    } finally {
      loop.await(connector::closeAll);
    }
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

  private Result failed(Target target, String why) {
    Log.line("%s fan-out not run: %s", target.name(), why);
    return Result.failed(profile.subscribers(), why);
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
    /** Every phase run, measured or not: loss anywhere counts. */
    final List<PhaseResult> all = new ArrayList<>();

    Runner(Target target, OpenLoopPublisher publisher, DeliveryTracker tracker, SocketEvents events) {
      this.target = target;
      this.publisher = publisher;
      this.tracker = tracker;
      this.events = events;
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
      run("(run-in)", pubsPerSecond, profile.fixedWarmupSeconds());
      return run(label, pubsPerSecond, profile.fixedSeconds());
    }

    PhaseResult run(String label, double pubsPerSecond, double seconds) {
      Phase phase = loop.read(() -> {
        Phase p = publisher.plan(label, pubsPerSecond, seconds, profile.subscribers());
        tracker.startPhase(p);
        return p;
      });
      CpuWindow window = CpuWindow.start(target.process(), self);
      loop.await(() -> publisher.run(phase));
      boolean drained = awaitDeliveries(phase, profile.drainSeconds());
      CpuWindow.Measured cpu = window.stop();
      long deliveredInWindow = loop.read(() -> phase.delivered);
      if (!drained) {
        // Late or lost? Give a backlog time to clear; what is still missing afterwards is lost.
        awaitDeliveries(phase, profile.lossWaitSeconds());
      }
      PhaseResult result = loop.read(() -> new PhaseResult(label, pubsPerSecond, phase.subscribers, phase.sent,
          deliveredInWindow, phase.deliveredWhileSending, phase.expected() - phase.delivered, cpu,
          phase.latency.getValueAtPercentile(50), phase.latency.getValueAtPercentile(99),
          phase.latency.getValueAtPercentile(99.9), phase.latency.getMaxValue(),
          phase.thirds[0].getValueAtPercentile(50), phase.thirds[2].getValueAtPercentile(50),
          phase.sendLag.getValueAtPercentile(99), drained, events.problems()));
      Log.line("%s %s", target.name(), result.summary());
      all.add(result);
      return result;
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
