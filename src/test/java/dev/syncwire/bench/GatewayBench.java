package dev.syncwire.bench;

import dev.syncwire.testing.JvmProcess;
import dev.syncwire.testing.NodeGroup;
import dev.syncwire.testing.NodeProcess;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The workloads about Syncwire alone, each on nodes it starts itself (pinned to the server CPUs) while it
 * runs pinned to the load generator's: the recovery storm, the cluster (fan-out against one node,
 * publish-to-ack latency with and without backups, failover of a channel's owner), publish
 * throughput (one pipelined publisher on a cluster against one node, with and without group commit) and
 * the HTTP transports (SSE and long-polling next to WebSocket, on one node and on a cluster behind
 * HAProxy), the cold start, the Redis bridge (publications entering through Redis pub/sub and streams), and
 * the Java client (applying publications, publishing through its outbox). Prints one section per workload and
 * appends it to results.md in the output folder.
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
      // Every node as scripts/bench.sh starts its own: pinned to the server CPUs, one visible CPU, a fixed 1 GiB
      // heap, one event loop, no command rate limit, a GC log, its logs in the run's folder.
      List<String> jvmOptions = new ArrayList<>(List.of("-XX:ActiveProcessorCount=1", "-Xms1g", "-Xmx1g"));
      jvmOptions.addAll(options.nodeJavaOptions());
      NodeProcess.Options settings = new NodeProcess.Options(options.jar(), options.conf(), jvmOptions,
          Map.of("http.host", "127.0.0.1", "admin.key", "bench-" + UUID.randomUUID(), "limits.commandRate", "0",
              "node.eventLoops", "1"),
          options.serverCpus(), options.outDir(), true, Duration.ofSeconds(120), options.clockTicksPerSecond());
      Log.line("profile %s; workloads %s; nodes on CPU %s, load generator on CPU %s; load average %s",
          options.profile().name(), String.join(",", options.workloads()), options.serverCpus(), self.allowedCpus(),
          BoxFacts.loadAverage());
      for (String workload : options.workloads()) {
        String section;
        try {
          section = switch (workload) {
            case "recovery" -> recovery(options, settings, loop, self);
            case "cluster" -> cluster(options, settings, loop, self);
            case "publish" -> publish(options, settings, loop, self);
            case "http" -> http(options, settings, loop, self);
            case "coldstart" -> coldStart(options, settings, loop, self);
            case "store" -> store(options, settings, loop, self);
            case "bridge" -> bridge(options, settings, loop, self);
            case "client" -> client(options, settings, loop, self);
            default -> throw new IllegalArgumentException("unknown workload " + workload);
          };
        } catch (RuntimeException e) {
          // One workload that cannot run (a cluster that does not form, a node that dies) must not cost the others.
          e.printStackTrace();
          section = "### " + workload + "\n\nfailed: " + e + " (stack trace in progress.log)\n";
        }
        System.out.println(section);
        Files.writeString(options.outDir().resolve("results.md"), section + "\n", StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      }
    } finally {
      vertx.close().await();
    }
  }

  private static String recovery(GatewayBenchOptions options, NodeProcess.Options settings, Loop loop, JvmProcess self) {
    String loadBefore = BoxFacts.loadAverage();
    // A full GC of the Serial collector may leave up to 5% of the old generation as dead filler objects rather
    // than move live ones (MarkSweepDeadRatio); measured here, that made "heap after GC" swing by 15 MiB. Only
    // the explicit collections of the measurement are full ones, so compacting them fully changes nothing else.
    NodeProcess.Options exactGc = settings.withJvmOptions(List.of("-XX:MarkSweepDeadRatio=0"));
    Log.line("starting node recovery");
    try (NodeGroup node = NodeGroup.alone(exactGc, "recovery", Map.of())) {
      List<RecoveryStormWorkload.Round> rounds = new RecoveryStormWorkload(loop, options.sourceAddresses(),
          options.profile(), self, options.tenant()).run(node.nodes().get(0));
      List<String> notes = new ArrayList<>();
      String median = RecoveryReport.medianLine(rounds);
      if (median != null) {
        notes.add(median);
      }
      rounds.stream().filter(r -> r.firstProblem() != null)
          .forEach(r -> notes.add(r.label() + ": " + r.firstProblem()));
      rounds.stream().filter(r -> r.cpu().clientShare() > 0.9).forEach(r -> notes.add(String.format("%s: the load"
          + " generator used %.0f%% of its core: the storm time is partly client-bound; server CPU per client is the"
          + " steadier figure.", r.label(), 100 * r.cpu().clientShare())));
      notes.add("Heap: the peak is the highest of the node's heap counters (hsperfdata, read every 10 ms; the JVM"
          + " refreshes them every 50 ms) and of its GC log (used heap before each collection), so with the Serial"
          + " collector it is about young generation + old generation in use when a collection starts; the heap left"
          + " after a collection shows what the storm kept alive. Heap after full GC: jcmd GC.run, read from that"
          + " collection's line in the GC log (1 MiB resolution); the node runs with -XX:MarkSweepDeadRatio=0 so"
          + " that a full GC compacts everything and leaves no dead filler space to count.");
      return section("Recovery storm (one node)", RecoveryReport.table(rounds), footer(options, node.describe(), self,
          loadBefore, notes));
    }
  }

  private static String cluster(GatewayBenchOptions options, NodeProcess.Options settings, Loop loop, JvmProcess self) {
    String loadBefore = BoxFacts.loadAverage();
    GatewayProfile profile = options.profile();
    ClusterWorkload.Result r = new ClusterWorkload(loop, options.sourceAddresses(), profile, self, options.tenant(),
        settings).run();
    List<String> notes = new ArrayList<>();
    notes.add("All " + profile.clusterNodes() + " nodes of a cluster share the server CPU, as the single node has it"
        + " alone: the ratio is what spreading one core's work over " + profile.clusterNodes() + " JVMs and the"
        + " cluster's coordination costs, not what more machines would add. Subscribers spread evenly over the nodes,"
        + " the publisher on the first; server CPU is summed over the nodes.");
    notes.addAll(Notes.on(r.clusterTarget(), r.clusterFanOut(), null, null, 0.9));
    notes.addAll(Notes.on(r.singleTarget(), r.singleFanOut(), null, null, 0.9));
    notes.add("Publish-to-ack: latency from each publish's scheduled send time to its ack; in a cluster the channel is"
        + " owned by another node than the publisher's, so each publish crosses to the owner (and, with backups=1, to"
        + " the backup) before it is acknowledged.");
    for (ClusterWorkload.AckRun a : List.of(r.ackBackups1(), r.ackBackups0(), r.ackSingle())) {
      if (a.ladder().failure() != null || !a.ladder().problems().isEmpty()) {
        notes.add(a.setup() + ": " + (a.ladder().failure() != null ? a.ladder().failure() : a.ladder().problems()));
      }
    }
    FailoverWorkload.Result f = r.failover();
    if (f.failure() == null) {
      notes.add("Failover: every publish carries an idempotency key; a publication counts as lost if a subscriber on a"
          + " surviving node never got it, and the timing is void if any was lost or repeated, a subscriber saw a seq"
          + " gap, a seq going back or another epoch, any publish went unacknowledged, or the channel's epoch changed."
          + " Publishes in flight during the failover may take their seqs in another order than they were sent (the"
          + " protocol does not promise their order); the table counts the deliveries concerned."
          + (f.problems().isEmpty() ? "" : " Problems: " + f.problems()));
    }
    String tables = ClusterReport.fanOut(profile.fanOut(), r).render() + "\n" + ClusterReport.acks(profile, r).render()
        + "\n" + ClusterReport.failover(r).render();
    return section("Cluster (" + profile.clusterNodes() + " nodes on one CPU) against one node", tables,
        footer(options, r.nodes(), self, loadBefore, notes));
  }

  private static String coldStart(GatewayBenchOptions options, NodeProcess.Options settings, Loop loop,
                                  JvmProcess self) {
    String loadBefore = BoxFacts.loadAverage();
    Profile storm = options.profile().name().equals("quick") ? Profile.quick() : Profile.full();
    List<ColdStartWorkload.Case> cases = new ColdStartWorkload(loop, options.sourceAddresses(), storm, self, settings)
        .run(options.tenant());
    List<String> notes = new ArrayList<>();
    notes.add("Each cold case is a new node process, stormed as soon as /ready answers 200; the warm case storms that"
        + " second node again once the first storm's clients have closed. The shipped start uses the class-data-sharing"
        + " archive the build made beside the jar (-XX:SharedArchiveFile) and the default warm-up (rounds of 256 sessions"
        + " until a round is no faster than the one before, 2 to 8); the bare start has neither. Goal: a p95 of at most 500 ms on a cold node.");
    return section("Cold start: a reconnect storm on a node that has just started", ColdStartWorkload.table(cases),
        footer(options, List.of("one node on CPU " + options.serverCpus()), self, loadBefore, notes));
  }

  private static String bridge(GatewayBenchOptions options, NodeProcess.Options settings, Loop loop, JvmProcess self) {
    String loadBefore = BoxFacts.loadAverage();
    BridgeWorkload.Result r = new BridgeWorkload(loop, self, settings, options.serverCpus(), options.outDir(),
        options.profile().name().equals("quick")).run();
    return section("Redis bridge: publications through Redis pub/sub and streams, one node",
        BridgeWorkload.table(r), footer(options, r.servers(), self, loadBefore, BridgeWorkload.notes(r)));
  }

  private static String client(GatewayBenchOptions options, NodeProcess.Options settings, Loop loop, JvmProcess self) {
    String loadBefore = BoxFacts.loadAverage();
    ClientWorkload workload = new ClientWorkload(loop, options.sourceAddresses(), self, options.tenant(), settings,
        options.outDir(), options.clientJavaOptions(), options.profile().name().equals("quick"));
    ClientFigures.Result r = workload.run();
    return section("Java client: applying publications and publishing through the outbox, one node",
        ClientReport.tables(workload.sizes(), r), footer(options, r.servers(), self, loadBefore,
            ClientReport.notes(workload.sizes(), r)));
  }

  private static String publish(GatewayBenchOptions options, NodeProcess.Options settings, Loop loop, JvmProcess self) {
    String loadBefore = BoxFacts.loadAverage();
    GatewayProfile profile = options.profile();
    PublishWorkload.Result r = new PublishWorkload(loop, options.sourceAddresses(), profile, self, options.tenant(),
        settings).run();
    return section("Publish throughput: " + profile.clusterNodes() + " nodes on one CPU against one node",
        PublishReport.table(profile, r), footer(options, r.nodes(), self, loadBefore, PublishReport.notes(profile, r)));
  }

  private static String http(GatewayBenchOptions options, NodeProcess.Options settings, Loop loop, JvmProcess self) {
    String loadBefore = BoxFacts.loadAverage();
    GatewayProfile profile = options.profile();
    List<HttpTransportWorkload.Setup> setups = new HttpTransportWorkload(loop, options.sourceAddresses(), profile, self,
        options.tenant(), settings, options.haproxy()).run();
    StringBuilder tables = new StringBuilder();
    List<String> nodes = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    for (HttpTransportWorkload.Setup setup : setups) {
      tables.append(HttpReport.table(profile, setup).render()).append('\n');
      nodes.addAll(setup.nodes());
      for (HttpTransportWorkload.Config c : setup.configs()) {
        if (c.ladder().failure() != null || !c.ladder().problems().isEmpty()) {
          notes.add(setup.name() + ", " + c.label() + ": "
              + (c.ladder().failure() != null ? c.ladder().failure() : c.ladder().problems()));
        }
      }
      if (setup.proxied()) {
        notes.add("HAProxy (round-robin per request, keep-alive, no stickiness) sent these requests to each node over"
            + " the whole setup: " + String.join(", ", setup.proxySpread()) + "; it took a node out after failed"
            + " health checks " + setup.nodesTakenOut() + " times (see haproxy-*.log).");
      }
    }
    notes.add("Each configuration: a warm-up, then each offered load for " + profile.httpSeconds() + " s after a "
        + profile.httpRunInSeconds() + " s run-in, up to the first load that did not hold (verdict as in the fan-out"
        + " search: 'backlog' = deliveries fell behind, 'latency growing' = a queue built up). Long-poll subscribers"
        + " ask again as soon as an answer arrives; requests per delivered message below 1 means polls carried"
        + " several messages. The load generator drives every HTTP request itself: above ~90% of its core the"
        + " figures are client-bound.");
    return section("HTTP transports (SSE, long-polling) against WebSocket", tables.toString(),
        footer(options, nodes, self, loadBefore, notes));
  }

  /** The publish cases with channel logs in memory and in Redis ({@code history.store}), in one run. */
  private static String store(GatewayBenchOptions options, NodeProcess.Options settings, Loop loop, JvmProcess self) {
    String loadBefore = BoxFacts.loadAverage();
    GatewayProfile profile = options.profile();
    try (dev.syncwire.testing.RedisServer redis = dev.syncwire.testing.RedisServer.start(options.serverCpus(),
        "everysec")) {
      PublishWorkload.StoreResult r = new PublishWorkload(loop, options.sourceAddresses(), profile, self,
          options.tenant(), settings).runStores(redis.url(), new JvmProcess(redis.pid(), options.clockTicksPerSecond()),
              () -> redis.cliQuietly("FLUSHALL"));
      List<String> servers = new ArrayList<>(r.nodes());
      servers.add("redis-server " + redis.pid() + " on CPU " + options.serverCpus());
      List<String> notes = List.of("Redis: Debian's redis-server with its append-only file synced every second"
          + " (appendfsync everysec), pinned with the nodes; its CPU is counted with theirs in every column (it"
          + " idles in the memory ones). With Redis, a publish is acknowledged once Redis holds it (docs/redis.md).",
          "Each setup as in the publish workload: warm-up, then each case's run-in and window; a cluster has"
              + " cluster.backups=1 and the publisher on its first node.");
      return section("History store: channel logs in memory and in Redis, 1 node and " + profile.clusterNodes()
          + " nodes", StoreReport.table(profile, r), footer(options, servers, self, loadBefore, notes));
    } catch (Exception e) {
      throw new IllegalStateException("the store workload failed", e);
    }
  }

  private static String section(String title, ResultTable table, List<String> footer) {
    return section(title, table.render(), footer);
  }

  private static String section(String title, String tables, List<String> footer) {
    StringBuilder sb = new StringBuilder("### ").append(title).append("\n\n").append(tables).append('\n');
    footer.forEach(line -> sb.append("- ").append(line).append('\n'));
    return sb.toString();
  }

  private static List<String> footer(GatewayBenchOptions options, List<String> nodes, JvmProcess self,
                                     String loadBefore, List<String> notes) {
    List<String> lines = new ArrayList<>();
    lines.add("Box: " + BoxFacts.cpuModel() + " x " + BoxFacts.cpuCount() + ", kernel " + BoxFacts.kernel() + ", "
        + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + ", loopback only.");
    lines.add("Pinning: " + String.join(", ", nodes) + "; load generator on CPU " + self.allowedCpus()
        + ". Each node: -XX:ActiveProcessorCount=1 -Xms1g -Xmx1g (Serial GC), one event loop, no command rate limit"
        + (options.nodeJavaOptions().isEmpty() ? "" : ", and " + String.join(" ", options.nodeJavaOptions())) + ".");
    lines.add("Run: profile " + options.profile().name() + ", load average " + loadBefore + " before and "
        + BoxFacts.loadAverage() + " after (other work on the box makes absolute figures noisy).");
    lines.addAll(notes);
    return lines;
  }
}
