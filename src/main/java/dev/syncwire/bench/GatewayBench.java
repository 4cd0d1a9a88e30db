package dev.syncwire.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The workloads about Syncwire alone, each on nodes it starts itself (pinned to the server CPUs, see
 * {@link BenchNode}) while it runs pinned to the load generator's: the recovery storm, the cluster (fan-out
 * against one node, publish-to-ack latency with and without backups, failover of a channel's owner) and
 * the HTTP transports (SSE and long-polling next to WebSocket, on one node and on a cluster behind
 * HAProxy). Prints one section per workload and appends it to results.md in the output folder.
 */
public final class GatewayBench {
  private GatewayBench() {
  }

  public static void main(String[] args) throws IOException {
    GatewayBenchOptions options;
    try {
      options = GatewayBenchOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Files.createDirectories(options.outDir());
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    try {
      Loop loop = new Loop(vertx);
      JvmProcess self = JvmProcess.self(options.clockTicksPerSecond());
      BenchNode.Settings settings = new BenchNode.Settings(options.jar(), options.conf(), options.serverCpus(),
          options.outDir(), options.clockTicksPerSecond(), "bench-" + UUID.randomUUID());
      Log.line("profile %s; workloads %s; nodes on CPU %s, load generator on CPU %s; load average %s",
          options.profile().name(), String.join(",", options.workloads()), options.serverCpus(), self.allowedCpus(),
          BoxFacts.loadAverage());
      for (String workload : options.workloads()) {
        String section = switch (workload) {
          case "recovery" -> recovery(options, settings, loop, self);
          default -> throw new IllegalStateException("not yet: " + workload);
        };
        System.out.println(section);
        Files.writeString(options.outDir().resolve("results.md"), section + "\n", StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      }
    } finally {
      vertx.close().await();
    }
  }

  private static String recovery(GatewayBenchOptions options, BenchNode.Settings settings, Loop loop, JvmProcess self) {
    String loadBefore = BoxFacts.loadAverage();
    try (NodeGroup node = NodeGroup.single(settings, "recovery", Map.of())) {
      List<RecoveryStormWorkload.Round> rounds = new RecoveryStormWorkload(loop, options.sourceAddresses(),
          options.profile(), self, options.tenant()).run(node.nodes.get(0));
      List<String> notes = new ArrayList<>();
      String median = RecoveryReport.medianLine(rounds);
      if (median != null) {
        notes.add(median);
      }
      rounds.stream().filter(r -> r.firstProblem() != null)
          .forEach(r -> notes.add(r.label() + ": " + r.firstProblem()));
      notes.add("Heap: the peak is the highest of the node's heap counters (hsperfdata, read every 10 ms; the JVM"
          + " refreshes them every 50 ms) and of its GC log (used heap before each collection), so with the Serial"
          + " collector it is about young generation + old generation in use when a collection starts; the heap left"
          + " after a collection shows what the storm kept alive. Heap after GC: jcmd GC.run, then GC.heap_info.");
      return section("Recovery storm (one node)", RecoveryReport.table(rounds), footer(options, node, self, loadBefore,
          notes));
    }
  }

  private static String section(String title, ResultTable table, List<String> footer) {
    StringBuilder sb = new StringBuilder("### ").append(title).append("\n\n").append(table.render()).append('\n');
    footer.forEach(line -> sb.append("- ").append(line).append('\n'));
    return sb.toString();
  }

  private static List<String> footer(GatewayBenchOptions options, NodeGroup nodes, JvmProcess self, String loadBefore,
                                     List<String> notes) {
    List<String> lines = new ArrayList<>();
    lines.add("Box: " + BoxFacts.cpuModel() + " x " + BoxFacts.cpuCount() + ", kernel " + BoxFacts.kernel() + ", "
        + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + ", loopback only.");
    StringBuilder pinning = new StringBuilder("Pinning: ");
    for (BenchNode node : nodes.nodes) {
      pinning.append(node.name).append(" (pid ").append(node.jvm.pid()).append(") on CPU ")
          .append(node.alive() ? node.jvm.allowedCpus() : options.serverCpus()).append(", ");
    }
    pinning.append("load generator on CPU ").append(self.allowedCpus())
        .append(". Each node: -XX:ActiveProcessorCount=1 -Xms1g -Xmx1g (Serial GC), one event loop, no command rate"
            + " limit.");
    lines.add(pinning.toString());
    lines.add("Run: profile " + options.profile().name() + ", load average " + loadBefore + " before and "
        + BoxFacts.loadAverage() + " after (other work on the box makes absolute figures noisy).");
    lines.addAll(notes);
    return lines;
  }
}
