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
 * Runs every workload against a Syncwire node and against the raw Vert.x broadcast server, one target
 * after the other within each workload, and prints one table comparing them. Both servers must
 * already run (scripts/bench.sh starts them, pinned); their pids are needed for CPU, RSS and heap
 * readings. All sockets live on one client event loop; this thread only orchestrates and may block.
 */
public final class LoadGenerator {
  /** A load generator above this share of its core during a measurement limits that measurement. */
  private static final double CLIENT_BOUND_SHARE = 0.9;

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
    Target raw = new Target(options.host(), options.rawPort(), new JvmProcess(options.rawPid(), ticks),
        new RawProtocol());
    List<Target> targets = List.of(syncwire, raw);
    String loadBefore = BoxFacts.loadAverage();
    Log.line("profile %s; Syncwire on %s:%d (pid %d), raw Vert.x on %s:%d (pid %d); load average %s",
        profile.name(), syncwire.host(), syncwire.port(), syncwire.process().pid(), raw.host(), raw.port(),
        raw.process().pid(), loadBefore);

    // Idle connections first, while both JVMs are fresh: RSS counts every heap page the collector has
    // touched, and after the fan-out the two servers would have touched very different amounts.
    List<IdleConnectionsWorkload.Result> idle = options.workloads().contains("idle")
        ? each(targets, new IdleConnectionsWorkload(loop, options.sourceAddresses(), profile)::run) : null;
    List<ConnectionStormWorkload.Result> storm = options.workloads().contains("storm")
        ? each(targets, new ConnectionStormWorkload(loop, options.sourceAddresses(), profile, self)::run) : null;
    List<FanOutWorkload.Result> fanOut = options.workloads().contains("fanout")
        ? each(targets, new FanOutWorkload(loop, options.sourceAddresses(), profile, self)::run) : null;

    StringBuilder out = new StringBuilder(Report.table(profile, fanOut, idle, storm).render()).append('\n');
    List<String> notes = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      notes.addAll(Notes.on(targets.get(i), fanOut == null ? null : fanOut.get(i), idle == null ? null : idle.get(i),
          storm == null ? null : storm.get(i), CLIENT_BOUND_SHARE));
    }
    String heapSpaces = idle == null ? "not read" : idle.get(0).heapSpaces();
    for (String line : BoxFacts.footer(profile, syncwire, raw, self, heapSpaces, loadBefore,
        fanOut != null, notes)) {
      out.append("- ").append(line).append('\n');
    }
    return out.toString();
  }

  private static <R> List<R> each(List<Target> targets, Function<Target, R> workload) {
    List<R> results = new ArrayList<>();
    for (Target target : targets) {
      results.add(workload.apply(target));
    }
    return results;
  }
}
