package dev.syncwire.bench;

import dev.syncwire.bench.ClientFigures.OutboxCase;
import dev.syncwire.bench.ClientFigures.Subscriber;
import dev.syncwire.bench.ClientFigures.SubscriberRun;
import dev.syncwire.bench.ClientFigures.Window;
import dev.syncwire.testing.JvmProcess;
import dev.syncwire.testing.LoadSocket;
import dev.syncwire.testing.NodeGroup;
import dev.syncwire.testing.NodeProcess;
import dev.syncwire.testing.SocketEvents;
import dev.syncwire.testing.SyncwireProtocol;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The client workload: the Java client ({@code dev.syncwire.client}) against one node pinned to the server CPU,
 * each client in a JVM of its own ({@link ClientJvm}) pinned to the load generator's CPU, so that its CPU time
 * comes from /proc apart from the publisher's.
 * <ol>
 *   <li>Applying: one subscriber of one channel while a {@link PacedPublisher} on the load generator publishes
 *   100 B payloads to it: the client over WebSocket in JSON and in protobuf, over SSE, and the benchmark's raw
 *   subscriber for comparison. Per subscriber a warm-up, windows at fixed rates (CPU per applied publication,
 *   latency), then rising rates until one does not hold: everything applied within 2 s of the last send,
 *   every seq once and in order, no reset or reconnect, p99 at most 50 ms.</li>
 *   <li>Publishing: a client with its outbox in memory and in a file ({@code offlineStore}), maxInFlight 1 and
 *   64, publishes a fixed number of publications as fast as they are acknowledged ({@link OutboxRun}).</li>
 * </ol>
 */
final class ClientWorkload {
  /** Applications must arrive within this after a window's last send to count as in time. */
  static final double DRAIN_SECONDS = 2;
  /** Longest wait for a backlog to clear before the next window. */
  private static final double BACKLOG_SECONDS = 60;
  /** The node's {@code limits.outboundBufferBytes}: one subscriber takes every publication, as in the bridge. */
  static final long OUTBOUND_BUFFER_BYTES = 16L << 20;
  /** Publications the application keeps pending: twice the larger maxInFlight, so the client is never short. */
  static final int OUTBOX_WINDOW = 128;
  static final List<Integer> MAX_IN_FLIGHT = List.of(1, 64);

  /**
   * The backlog a stopped subscriber finds when it resumes, and the rate it is published at: about 10 MB of
   * frames, which the node holds below its outbound buffer of 16 MiB.
   */
  static final int BACKLOG = 40_000;
  static final double BACKLOG_RATE = 40_000;
  /** Publications of each warm-up run through the outbox, repeated until its warm-up time has passed. */
  static final int OUTBOX_WARM_UP_RUN = 5_000;

  /**
   * Durations, rates and counts of a run. The warm-ups are long because each client JVM has one core, which its
   * JIT shares: measured here, the client's CPU per publish kept falling over its first 100,000 publications.
   */
  record Sizes(double warmUpSeconds, double warmUpRate, double runInSeconds, double seconds, List<Double> rates,
               double ladderRunInSeconds, double ladderSeconds, List<Double> ladder, double outboxWarmUpSeconds,
               int outboxCount) {
  }

  private final Loop loop;
  private final List<String> sources;
  private final JvmProcess self;
  private final String tenant;
  private final NodeProcess.Options settings;
  private final Path outDir;
  private final List<String> probeJavaOptions;
  private final Sizes sizes;

  ClientWorkload(Loop loop, List<String> sources, JvmProcess self, String tenant, NodeProcess.Options settings,
                 Path outDir, List<String> probeJavaOptions, boolean quick) {
    this.loop = loop;
    this.sources = sources;
    this.self = self;
    this.tenant = tenant;
    this.settings = settings;
    this.outDir = outDir;
    this.probeJavaOptions = List.copyOf(probeJavaOptions);
    List<Double> ladder = List.of(20_000.0, 30_000.0, 40_000.0, 50_000.0, 60_000.0, 80_000.0, 100_000.0, 120_000.0);
    this.sizes = quick
        ? new Sizes(3, 10_000, 1, 3, List.of(1_000.0, 10_000.0), 1, 2, ladder, 5, 5_000)
        : new Sizes(15, 10_000, 2, 10, List.of(1_000.0, 10_000.0), 2, 5, ladder, 20, 20_000);
  }

  Sizes sizes() {
    return sizes;
  }

  ClientFigures.Result run() {
    Log.line("starting node client-node");
    try (NodeGroup group = NodeGroup.alone(settings, "client-node",
        Map.of("limits.outboundBufferBytes", Long.toString(OUTBOUND_BUFFER_BYTES)))) {
      NodeProcess node = group.nodes().get(0);
      List<String> probes = new ArrayList<>();
      List<SubscriberRun> subscribers = new ArrayList<>();
      for (Subscriber s : Subscriber.values()) {
        SubscriberRun r = subscriber(node, s);
        subscribers.add(r);
        if (r.probe() != null) {
          probes.add(r.probe());
        }
      }
      List<OutboxCase> outbox = new ArrayList<>();
      for (boolean durable : List.of(false, true)) {
        for (int maxInFlight : MAX_IN_FLIGHT) {
          OutboxCase c = outbox(node, durable, maxInFlight);
          outbox.add(c);
          if (c.probe() != null) {
            probes.add(c.probe());
          }
        }
      }
      return new ClientFigures.Result(subscribers, outbox, group.describe(), probes);
    }
  }

  // ---- applying ----

  private SubscriberRun subscriber(NodeProcess node, Subscriber s) {
    String channel = "client-" + s.id();
    Target target = Target.of("client", List.of(node), new SyncwireProtocol(tenant));
    Connector connector = new Connector(loop.vertx(), sources);
    SocketEvents events = new SocketEvents();
    List<Window> fixed = new ArrayList<>();
    List<Window> ladder = new ArrayList<>();
    List<Window> retried = new ArrayList<>();
    String probeName = null;
    ClientJvm probe = null;
    try {
      Connector.Opened opened = loop.await(() -> connector.open(target, -1, 1, 1, i -> null, events, null));
      if (opened.failures() > 0) {
        return new SubscriberRun(s, fixed, ladder, retried, null, null, "the publisher failed to connect: "
            + opened.firstFailure());
      }
      LoadSocket socket = opened.sockets().get(0);
      PacedPublisher publisher = loop.read(() -> new PacedPublisher(loop.vertx(), socket, target.protocol(), channel));
      List<String> args = List.of("--role", "subscriber", "--url", "http://127.0.0.1:" + node.port, "--tenant",
          tenant, "--channel", channel, "--subscriber", s.kind, "--transport", s.transport, "--encoding", s.encoding);
      probe = ClientJvm.start("client-" + s.id(), self.allowedCpus(), outDir, self.clockTicksPerSecond(),
          probeJavaOptions, args);
      probeName = probe.describe();
      Windows w = new Windows(node, publisher, probe, s);
      Log.line("client, %s: warm-up, %.0f s at %,.0f/s", s.label, sizes.warmUpSeconds(), sizes.warmUpRate());
      w.window("warm-up", sizes.warmUpRate(), sizes.warmUpSeconds(), false);
      for (double rate : sizes.rates()) {
        w.window("run-in", rate, sizes.runInSeconds(), false);
        fixed.add(w.window(String.format("@%,.0f/s", rate), rate, sizes.seconds(), true));
      }
      // Only a subscriber that lost or reordered something at the fixed rates skips the ladder.
      if (fixed.stream().allMatch(Window::complete)) {
        for (double rate : sizes.ladder()) {
          Window x = w.ladderStep(rate);
          if (!x.held()) {
            // As the fan-out's search does: a rate that did not hold gets one more try, whose verdict stands.
            retried.add(x);
            x = w.ladderStep(rate);
          }
          ladder.add(x);
          if (!x.held()) {
            break;
          }
        }
      }
      // Once for the path's code, once measured.
      w.drain();
      Window drain = w.drain();
      String publisherProblems = loop.read(() -> events.problems() > 0 ? events.toString() : null);
      return new SubscriberRun(s, fixed, ladder, retried, drain, probeName,
          publisherProblems == null ? null : "publisher: " + publisherProblems);
    } catch (RuntimeException e) {
      Log.line("client, %s failed: %s", s.label, e);
      return new SubscriberRun(s, fixed, ladder, retried, null, probeName, e.toString());
    } finally {
      if (probe != null) {
        probe.close();
      }
      loop.await(connector::closeAll);
    }
  }

  /** The windows of one subscriber: its publisher on the load generator's loop, its probe, the node. */
  private final class Windows {
    private final NodeProcess node;
    private final PacedPublisher publisher;
    private final ClientJvm probe;
    private final Subscriber subscriber;

    Windows(NodeProcess node, PacedPublisher publisher, ClientJvm probe, Subscriber subscriber) {
      this.node = node;
      this.publisher = publisher;
      this.probe = probe;
      this.subscriber = subscriber;
    }

    /** One rate of the ladder: its run-in, then its window. */
    Window ladderStep(double rate) {
      window("run-in", rate, sizes.ladderRunInSeconds(), false);
      return window(String.format("ladder @%,.0f/s", rate), rate, sizes.ladderSeconds(), true);
    }

    /**
     * The subscriber's JVM stopped while {@link #BACKLOG} publications are published and acknowledged, then
     * resumed: the window runs from the resume until it has applied them all, so its rate is the client's own,
     * with the node only flushing what it holds and the publisher idle.
     */
    Window drain() {
      Phase phase = loop.read(() -> publisher.plan("backlog", BACKLOG_RATE, BACKLOG / BACKLOG_RATE));
      JsonObject before = probe.call("mark");
      long expected = before.getLong("applied") + phase.planned;
      long ackedBefore = loop.read(() -> publisher.acked);
      probe.pause();
      CpuWindow cpu;
      double probeCpu0;
      try {
        loop.await(() -> publisher.run(phase));
        long deadline = System.nanoTime() + (long) (BACKLOG_SECONDS * 1e9);
        while (loop.read(() -> publisher.acked) < ackedBefore + phase.planned && System.nanoTime() < deadline) {
          Loop.pause(5);
        }
        cpu = CpuWindow.start(node.jvm(), self);
        probeCpu0 = probe.jvm().cpuSeconds();
      } finally {
        probe.resume();
      }
      long applied = awaitApplied(expected, BACKLOG_SECONDS);
      CpuWindow.Measured measuredCpu = cpu.stop();
      double probeCpu = probe.jvm().cpuSeconds() - probeCpu0;
      JsonObject after = probe.call("stats");
      Window w = new Window(BACKLOG_RATE, phase.sent, applied - before.getLong("applied"), after.getLong("p50"),
          after.getLong("p99"), after.getLong("p999"), 0, measuredCpu, probeCpu, applied >= expected,
          after.getLong("missing") - before.getLong("missing"), after.getLong("repeated") - before.getLong("repeated"),
          after.getLong("interruptions") - before.getLong("interruptions"), after.getString("firstInterruption"));
      Log.line("client, %s, backlog of %,d: applied in %.3f s (%,.0f/s)%s; client CPU %.1f us per publication (%.0f%%"
              + " of its core); node CPU %.0f%%, others on the CPUs %.0f%%/%.0f%%", subscriber.label, phase.sent,
          measuredCpu.seconds(), w.appliedPerSecond(), w.complete() ? "" : ", " + w.verdict(),
          w.probeMicrosPerApplied(), 100 * w.probeShare(), 100 * measuredCpu.serverShare(),
          100 * measuredCpu.serverCpuOthersShare(), 100 * w.othersOnClientCpu());
      return w;
    }

    /** One window at {@code rate} for {@code seconds}; figures only when {@code measured}. */
    Window window(String label, double rate, double seconds, boolean measured) {
      Phase phase = loop.read(() -> publisher.plan(label, rate, seconds));
      JsonObject before = probe.call("mark");
      long expected = before.getLong("applied") + phase.planned;
      CpuWindow cpu = CpuWindow.start(node.jvm(), self);
      double probeCpu0 = probe.jvm().cpuSeconds();
      loop.await(() -> publisher.run(phase));
      long applied = awaitApplied(expected, DRAIN_SECONDS);
      CpuWindow.Measured measuredCpu = cpu.stop();
      double probeCpu = probe.jvm().cpuSeconds() - probeCpu0;
      boolean inTime = applied >= expected;
      if (!inTime && awaitApplied(expected, BACKLOG_SECONDS) < expected) {
        Log.line("client, %s: a backlog was still arriving after %.0f s", subscriber.label, BACKLOG_SECONDS);
      }
      JsonObject after = probe.call("stats");
      if (!measured) {
        return null;
      }
      Window w = new Window(rate, phase.sent, applied - before.getLong("applied"), after.getLong("p50"),
          after.getLong("p99"), after.getLong("p999"), loop.read(() -> phase.sendLag.getValueAtPercentile(99)),
          measuredCpu, probeCpu, inTime, after.getLong("missing") - before.getLong("missing"),
          after.getLong("repeated") - before.getLong("repeated"),
          after.getLong("interruptions") - before.getLong("interruptions"), after.getString("firstInterruption"));
      Log.line("client, %s %s: %,d sent, %,d applied (%,.0f/s), %s; client CPU %.1f us per publication (%.0f%% of"
              + " its core), p50 %.2f ms, p99 %.2f ms; node CPU %.0f%%, publisher CPU %.0f%%, others on the CPUs"
              + " %.0f%%/%.0f%%, send lag p99 %.2f ms", subscriber.label, label, w.sent(), w.applied(),
          w.appliedPerSecond(), w.verdict(), w.probeMicrosPerApplied(), 100 * w.probeShare(), w.p50() / 1e3,
          w.p99() / 1e3, 100 * measuredCpu.serverShare(), 100 * measuredCpu.clientShare(),
          100 * measuredCpu.serverCpuOthersShare(), 100 * w.othersOnClientCpu(), w.sendLagP99() / 1e3);
      return w;
    }

    /** Waits up to {@code seconds} until the probe applied {@code expected} in all; returns what it had. */
    private long awaitApplied(long expected, double seconds) {
      long deadline = System.nanoTime() + (long) (seconds * 1e9);
      long applied = probe.call("count").getLong("applied");
      while (applied < expected && System.nanoTime() < deadline) {
        Loop.pause(5);
        applied = probe.call("count").getLong("applied");
      }
      return applied;
    }
  }

  // ---- publishing through the outbox ----

  private OutboxCase outbox(NodeProcess node, boolean durable, int maxInFlight) {
    String name = "client-outbox-" + (durable ? "file" : "memory") + "-" + maxInFlight;
    Path store = outDir.resolve(name + ".mv.db");
    List<String> args = new ArrayList<>(List.of("--role", "outbox", "--url", "http://127.0.0.1:" + node.port,
        "--tenant", tenant, "--channel", name, "--max-in-flight", Integer.toString(maxInFlight), "--window",
        Integer.toString(OUTBOX_WINDOW)));
    if (durable) {
      args.addAll(List.of("--store", store.toString()));
    }
    String label = (durable ? "durable" : "in-memory") + " outbox, maxInFlight " + maxInFlight;
    try (ClientJvm probe = ClientJvm.start(name, self.allowedCpus(), outDir, self.clockTicksPerSecond(),
        probeJavaOptions, args)) {
      Log.line("client, %s: warm-up, %.0f s", label, sizes.outboxWarmUpSeconds());
      List<String> warmUpProblems = new ArrayList<>();
      long warmUpEnd = System.nanoTime() + (long) (sizes.outboxWarmUpSeconds() * 1e9);
      while (System.nanoTime() < warmUpEnd) {
        OutboxCase.problemsOf(probe.call("run " + OUTBOX_WARM_UP_RUN, 600)).forEach(p -> warmUpProblems.add(
            "warm-up: " + p));
      }
      CpuWindow cpu = CpuWindow.start(node.jvm(), self);
      double probeCpu0 = probe.jvm().cpuSeconds();
      JsonObject run = probe.call("run " + sizes.outboxCount(), 1800);
      CpuWindow.Measured measured = cpu.stop();
      double probeCpu = probe.jvm().cpuSeconds() - probeCpu0;
      long fileBytes = durable ? Files.size(store) : 0;
      OutboxCase c = new OutboxCase(durable, maxInFlight, run, measured, probeCpu, fileBytes, probe.describe(),
          warmUpProblems.isEmpty() ? null : String.join("; ", warmUpProblems));
      List<String> problems = c.problems();
      Log.line("client, %s: %,d acked in %.2f s (%,.0f/s); client CPU %.1f us per publish (%.0f%% of its core),"
              + " node CPU %.1f us per publish; max pending %d; store file %,d bytes%s", label, c.acked(),
          run.getDouble("seconds"), c.acksPerSecond(), c.probeMicrosPerPublish(), 100 * c.probeShare(),
          c.serverMicrosPerPublish(), run.getInteger("maxPending"), fileBytes,
          problems.isEmpty() ? "" : "; VOID: " + problems);
      return c;
    } catch (IOException | RuntimeException e) {
      Log.line("client, %s failed: %s", label, e);
      return OutboxCase.failed(durable, maxInFlight, e.toString());
    } finally {
      try {
        Files.deleteIfExists(store);
      } catch (IOException e) {
        Log.line("could not delete %s: %s", store, e);
      }
    }
  }
}
