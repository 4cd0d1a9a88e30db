package dev.syncwire.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

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
    ServerProcess self = ServerProcess.self(options.clockTicksPerSecond());
    Target syncwire = new Target(options.host(), options.syncwirePort(),
        new ServerProcess(options.syncwirePid(), options.clockTicksPerSecond()), new SyncwireProtocol(options.tenant()));
    Target raw = new Target(options.host(), options.rawPort(),
        new ServerProcess(options.rawPid(), options.clockTicksPerSecond()), new RawProtocol());
    List<Target> targets = List.of(syncwire, raw);
    String loadBefore = BoxFacts.loadAverage();
    Log.line("profile %s; Syncwire on %s:%d (pid %d), raw Vert.x on %s:%d (pid %d); load average %s",
        profile.name(), syncwire.host(), syncwire.port(), syncwire.process().pid(), raw.host(), raw.port(),
        raw.process().pid(), loadBefore);

    FanOutWorkload fanOut = new FanOutWorkload(loop, options.sourceAddresses(), profile, self);
    IdleConnectionsWorkload idle = new IdleConnectionsWorkload(loop, options.sourceAddresses(), profile);
    ConnectionStormWorkload storm = new ConnectionStormWorkload(loop, options.sourceAddresses(), profile);
    FanOutWorkload.Result[] fanOutResults = new FanOutWorkload.Result[2];
    IdleConnectionsWorkload.Result[] idleResults = new IdleConnectionsWorkload.Result[2];
    ConnectionStormWorkload.Result[] stormResults = new ConnectionStormWorkload.Result[2];
    // Idle connections first, while both JVMs are fresh: RSS counts every heap page the collector has
    // touched, and after the fan-out the two servers would have touched very different amounts.
    for (int i = 0; i < targets.size(); i++) {
      idleResults[i] = idle.run(targets.get(i));
    }
    for (int i = 0; i < targets.size(); i++) {
      stormResults[i] = storm.run(targets.get(i));
    }
    for (int i = 0; i < targets.size(); i++) {
      fanOutResults[i] = fanOut.run(targets.get(i));
    }

    List<String> notes = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      notes.addAll(notesOn(targets.get(i), fanOutResults[i], idleResults[i], stormResults[i]));
    }
    ResultTable table = Report.table(profile, fanOutResults, idleResults, stormResults);
    StringBuilder out = new StringBuilder(table.render()).append('\n');
    String heapSpaces = idleResults[0].heapSpaces().equals(idleResults[1].heapSpaces())
        ? idleResults[0].heapSpaces() : idleResults[0].heapSpaces() + " / " + idleResults[1].heapSpaces();
    for (String line : BoxFacts.footer(profile, syncwire, raw, self, heapSpaces, loadBefore, notes)) {
      out.append("- ").append(line).append('\n');
    }
    return out.toString();
  }

  /** Footer notes: a client-bound maximum, loss, and anything odd the sockets reported. */
  private static List<String> notesOn(Target target, FanOutWorkload.Result fanOut, IdleConnectionsWorkload.Result idle,
                                      ConnectionStormWorkload.Result storm) {
    List<String> notes = new ArrayList<>();
    if (fanOut.failure() != null) {
      notes.add(target.name() + " fan-out failed: " + fanOut.failure());
    }
    if (fanOut.max() != null && fanOut.max().clientCpuShare() > CLIENT_BOUND_SHARE) {
      notes.add(String.format("%s: the load generator used %.0f%% of its core at the maximum: client-bound,"
          + " the server may go higher.", target.name(), 100 * fanOut.max().clientCpuShare()));
    } else if (fanOut.firstFailed() != null && fanOut.firstFailed().clientCpuShare() > CLIENT_BOUND_SHARE) {
      notes.add(String.format("%s: the load generator used %.0f%% of its core at the first rate that did not"
              + " hold (%,.0f deliveries/s, server at %.0f%%): the maximum may be partly client-bound.",
          target.name(), 100 * fanOut.firstFailed().clientCpuShare(),
          fanOut.firstFailed().offeredDeliveriesPerSecond(), 100 * fanOut.firstFailed().serverCpuShare()));
    }
    if (fanOut.failure() == null && !fanOut.lossFree()) {
      notes.add(target.name() + " fan-out integrity: " + fanOut.lost() + " lost, " + fanOut.duplicates()
          + " duplicated, " + fanOut.orderBreaks() + " out of order" + (fanOut.problems().isEmpty() ? ""
          : "; " + fanOut.problems()));
    }
    if (idle.failures() > 0 || !idle.problems().isEmpty()) {
      notes.add(target.name() + " idle connections: " + idle.failures() + " failed to join"
          + (idle.problems().isEmpty() ? "" : "; " + idle.problems()));
    }
    if (storm.failures() > 0) {
      notes.add(target.name() + " storm: " + storm.failures() + " clients failed (" + storm.firstFailure() + ")");
    }
    return notes;
  }
}
