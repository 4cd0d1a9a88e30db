package dev.syncwire.bench;

import dev.syncwire.testing.JvmProcess;
import dev.syncwire.testing.SyncwireProtocol;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Runs every workload against a Syncwire node, the raw Vert.x broadcast server and the peers given
 * ({@code --peer}: the coalescing raw server, Node's {@code ws}, Socket.IO), one target after the other
 * within each workload, and prints one table comparing them. The servers must already run
 * (scripts/bench.sh starts them, pinned); their pids are needed for CPU and RSS readings, and for the heap
 * of a JVM. All sockets live on one client event loop; this thread only orchestrates and may block.
 */
public final class LoadGenerator {
  /** A load generator above this share of its core during a measurement limits that measurement. */
  private static final double CLIENT_BOUND_SHARE = 0.9;
  /** Idle servers together use less than this share of their core (timers, heartbeats). */
  private static final double QUIET_SHARE = 0.05;
  private static final long QUIET_WAIT_NANOS = 120_000_000_000L;

  private LoadGenerator() {
  }

  public static void main(String[] args) throws IOException {
    BenchOptions options;
    try {
      options = BenchOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    try {
      String table = run(options, new Loop(vertx));
      System.out.println(table);
      if (options.outDir() != null) {
        Files.createDirectories(options.outDir());
        Files.writeString(options.outDir().resolve("results.md"), table);
      }
    } finally {
      vertx.close().await();
    }
  }

  private static String run(BenchOptions options, Loop loop) {
    Profile profile = options.profile();
    int ticks = options.clockTicksPerSecond();
    JvmProcess self = JvmProcess.self(ticks);
    Target syncwire = new Target(options.host(), options.syncwirePort(),
        new JvmProcess(options.syncwirePid(), ticks), new SyncwireProtocol(options.tenant()));
    List<Target> targets = new ArrayList<>(List.of(syncwire, new Target(options.host(), options.rawPort(),
        new JvmProcess(options.rawPid(), ticks), RawProtocol.rawVertx())));
    for (BenchOptions.Peer peer : options.peers()) {
      targets.add(peerTarget(options.host(), peer, ticks));
    }
    String loadBefore = BoxFacts.loadAverage();
    Log.line("profile %s; load average %s; %s", profile.name(), loadBefore, String.join(", ",
        targets.stream().map(t -> t.name() + " on " + t.host() + ":" + t.port() + " (pid " + t.process().pid() + ")")
            .toList()));

    // Idle connections first, while both JVMs are fresh: RSS counts every heap page the collector has
    // touched, and after the fan-out the two servers would have touched very different amounts.
    List<IdleConnectionsWorkload.Result> idle = options.workloads().contains("idle")
        ? each(targets, new IdleConnectionsWorkload(loop, options.sourceAddresses(), profile)::run) : null;
    List<ConnectionStormWorkload.Result> storm = options.workloads().contains("storm")
        ? each(targets, new ConnectionStormWorkload(loop, options.sourceAddresses(), profile, self)::run) : null;
    List<FanOutWorkload.Result> fanOut = options.workloads().contains("fanout")
        ? each(targets, new FanOutWorkload(loop, options.sourceAddresses(), profile, self)::run) : null;

    List<String> names = targets.stream().map(Target::name).toList();
    StringBuilder out = new StringBuilder(Report.table(profile, names, fanOut, idle, storm).render()).append('\n');
    List<String> notes = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      notes.addAll(Notes.on(targets.get(i), fanOut == null ? null : fanOut.get(i), idle == null ? null : idle.get(i),
          storm == null ? null : storm.get(i), CLIENT_BOUND_SHARE));
    }
    List<String> heapSpaces = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      heapSpaces.add(targets.get(i).name() + ": " + (idle == null ? "not read" : idle.get(i).heapSpaces()));
    }
    for (String line : BoxFacts.footer(profile, targets, self, String.join("; ", heapSpaces), loadBefore,
        fanOut != null, notes)) {
      out.append("- ").append(line).append('\n');
    }
    return out.toString();
  }

  private static Target peerTarget(String host, BenchOptions.Peer peer, int ticks) {
    JvmProcess process = new JvmProcess(peer.pid(), ticks);
    return switch (peer.kind()) {
      case "raw-coalesced" -> new Target(host, peer.port(), process, RawProtocol.rawVertxCoalesced());
      case "ws" -> Target.nodeJs(host, peer.port(), process, RawProtocol.nodeWs());
      case "socketio" -> Target.nodeJs(host, peer.port(), process, new SocketIoProtocol());
      default -> throw new IllegalArgumentException("unknown peer " + peer.kind());
    };
  }

  private static <R> List<R> each(List<Target> targets, Function<Target, R> workload) {
    List<R> results = new ArrayList<>();
    for (Target target : targets) {
      awaitQuiet(targets);
      results.add(workload.apply(target));
    }
    return results;
  }

  /**
   * Waits until every server is idle: they share one CPU, and a server still working off what the last
   * workload left it (a backlog of writes to sockets being closed, a collection) would take that CPU from
   * the next target's measurement.
   */
  private static void awaitQuiet(List<Target> targets) {
    long deadline = System.nanoTime() + QUIET_WAIT_NANOS;
    while (System.nanoTime() < deadline) {
      double before = serverCpuSeconds(targets);
      Loop.pause(500);
      double busy = (serverCpuSeconds(targets) - before) / 0.5;
      if (busy < QUIET_SHARE) {
        return;
      }
      Log.line("waiting for the servers to go quiet (%.0f%% of a core busy)", 100 * busy);
    }
  }

  private static double serverCpuSeconds(List<Target> targets) {
    return targets.stream().flatMap(t -> t.processes().stream()).mapToDouble(JvmProcess::cpuSeconds).sum();
  }
}
