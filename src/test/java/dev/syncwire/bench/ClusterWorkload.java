package dev.syncwire.bench;

import dev.syncwire.testing.JvmProcess;
import dev.syncwire.testing.NodeGroup;
import dev.syncwire.testing.NodeProcess;
import dev.syncwire.testing.SyncwireProtocol;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The cluster workload: three nodes on this machine, each its own JVM, all pinned to the server CPUs
 * (they share them, as the single node they are compared with has them alone), the load generator on its
 * own CPU.
 * <ol>
 *   <li>Fan-out: the {@link FanOutWorkload} search with 1,000 subscribers spread evenly over the nodes and
 *   the publisher on the first, against the same on one node; plus the event-bus messages between nodes
 *   per publication, from the nodes' fan-out counters.</li>
 *   <li>Publish-to-ack latency at a fixed open-loop rate, to a channel owned by another node than the
 *   publisher's, with {@code cluster.backups=1} (the default: the owner copies each publication to a
 *   backup before acknowledging it) and {@code cluster.backups=0}; one node as the reference.</li>
 *   <li>Failover: {@link FailoverWorkload}, on the {@code backups=1} cluster (it kills a node, so it runs
 *   last there).</li>
 * </ol>
 */
final class ClusterWorkload {
  /**
   * History kept per channel by the fan-out's nodes (default 1,000). A search step far above the
   * maximum can leave a node more than 1,000 publications behind; it then resets every subscriber
   * (history_lost), which the bench does not resubscribe, and every later phase would be void. With
   * 20,000 (10 s at 2,000 publishes/s) such a step only fails.
   */
  private static final String OVERLOAD_HISTORY = "20000";

  private final Loop loop;
  private final List<String> sources;
  private final GatewayProfile profile;
  private final JvmProcess self;
  private final String tenant;
  private final NodeProcess.Options settings;

  ClusterWorkload(Loop loop, List<String> sources, GatewayProfile profile, JvmProcess self, String tenant,
                  NodeProcess.Options settings) {
    this.loop = loop;
    this.sources = sources;
    this.profile = profile;
    this.self = self;
    this.tenant = tenant;
    this.settings = settings;
  }

  /** Publish-to-ack figures of one setup, and where the channel's owner and the publisher were. */
  record AckRun(String setup, FanOutWorkload.Ladder ladder, String owner, String publisherNode) {
    /** The measurement at the profile's {@code i}-th rate; null if it was not reached. */
    PhaseResult load(int i) {
      return i < ladder.loads().size() ? ladder.loads().get(i) : null;
    }
  }

  /** What the nodes' fan-out counters said over the cluster's fan-out: event-bus messages between nodes. */
  record BusCounters(long sent, long received, long publications, String owner) {
    double sentPerPublication() {
      return publications == 0 ? Double.NaN : sent / (double) publications;
    }
  }

  /** {@code nodes} describes every node the workload started, for the footer. */
  record Result(FanOutWorkload.Result clusterFanOut, FanOutWorkload.Result singleFanOut, CpuWindow.Measured clusterIdle,
                CpuWindow.Measured singleIdle, BusCounters bus,
                AckRun ackSingle, AckRun ackBackups1, AckRun ackBackups0, FailoverWorkload.Result failover,
                Target clusterTarget, Target singleTarget, List<String> nodes) {
  }

  Result run() {
    SyncwireProtocol protocol = new SyncwireProtocol(tenant);
    FanOutWorkload fanOut = new FanOutWorkload(loop, sources, profile.fanOut(), self);

    List<String> started = new ArrayList<>();
    FanOutWorkload.Result singleFanOut;
    CpuWindow.Measured singleIdle;
    AckRun ackSingle;
    Target singleTarget;
    Log.line("starting node cluster-single");
    try (NodeGroup single = NodeGroup.alone(settings, "cluster-single", Map.of("history.size", OVERLOAD_HISTORY))) {
      started.addAll(single.describe());
      singleTarget = Target.of("1 node", single.live(), protocol);
      singleIdle = idle(singleTarget);
      singleFanOut = fanOut.run(singleTarget);
      ackSingle = ackLatency("1 node", single, "acks");
    }

    FanOutWorkload.Result clusterFanOut;
    CpuWindow.Measured clusterIdle;
    BusCounters bus;
    AckRun ackBackups1;
    FailoverWorkload.Result failover;
    Target clusterTarget;
    Log.line("starting a cluster of %d nodes backups1-node*", profile.clusterNodes());
    try (NodeGroup cluster = NodeGroup.startCluster(settings, "backups1-node", profile.clusterNodes(),
        Map.of("cluster.backups", "1", "history.size", OVERLOAD_HISTORY))) {
      started.addAll(cluster.describe());
      clusterTarget = Target.of(profile.clusterNodes() + " nodes", cluster.live(), protocol);
      NodeProcess first = cluster.nodes().get(0);
      clusterIdle = idle(clusterTarget);
      long[] before = busCounters(first);
      clusterFanOut = fanOut.run(clusterTarget);
      long[] after = busCounters(first);
      JsonObject channel = new JsonObject(first.admin("/api/v1/channels/" + tenant + "/" + FanOutWorkload.CHANNEL));
      bus = new BusCounters(after[0] - before[0], after[1] - before[1], channel.getLong("seq"),
          channel.getString("owner"));
      Log.line("cluster fan-out: %,d publications, %,d event-bus fan-out messages sent and %,d received between nodes"
          + " (%.2f per publication); channel owned by %s", bus.publications(), bus.sent(), bus.received(),
          bus.sentPerPublication(), bus.owner());
      ackBackups1 = ackLatency("backups=1", cluster, "acks");
      failover = new FailoverWorkload(loop, sources, profile, tenant).run(cluster);
    }

    AckRun ackBackups0;
    Log.line("starting a cluster of %d nodes backups0-node*", profile.clusterNodes());
    try (NodeGroup cluster = NodeGroup.startCluster(settings, "backups0-node", profile.clusterNodes(),
        Map.of("cluster.backups", "0"))) {
      started.addAll(cluster.describe());
      ackBackups0 = ackLatency("backups=0", cluster, "acks");
    }
    return new Result(clusterFanOut, singleFanOut, clusterIdle, singleIdle, bus, ackSingle, ackBackups1, ackBackups0, failover, clusterTarget,
        singleTarget, started);
  }

  /** The servers' CPU with no client at all: what the nodes (and the cluster's own traffic) cost doing nothing. */
  private CpuWindow.Measured idle(Target target) {
    CpuWindow window = CpuWindow.start(target.processes(), self);
    Loop.pause((long) (profile.idleSeconds() * 1000));
    CpuWindow.Measured idle = window.stop();
    Log.line("%s with no clients: server CPU %.1f%% of one core", target.name(), 100 * idle.serverShare());
    return idle;
  }

  /**
   * After a warm-up at the first rate, one publisher on the first node at each of the profile's ack rates, to a channel owned by another node (in a
   * cluster), with a few subscribers on every node so that deliveries are checked and timed too.
   */
  private AckRun ackLatency(String setup, NodeGroup nodes, String prefix) {
    NodeProcess publisherNode = nodes.nodes().get(0);
    String channel = nodes.clustered()
        ? channelOwnedBy(publisherNode, tenant, prefix, owner -> !owner.equals(publisherNode.name)) : prefix;
    String owner = nodes.clustered()
        ? new JsonObject(publisherNode.admin("/api/v1/channels/" + tenant + "/" + channel)).getString("owner")
        : publisherNode.name;
    int subscribers = profile.ackSubscribersPerNode() * nodes.nodes().size();
    Target target = Target.of(setup, nodes.live(), new SyncwireProtocol(tenant));
    FanOutWorkload workload = new FanOutWorkload(loop, sources, profile.fanOut(), self,
        new WebSocketSubscribers(loop.vertx(), sources), subscribers, channel);
    FanOutWorkload.Ladder ladder = workload.fixedLoads(target, profile.ackPubsPerSecond(), profile.ackWarmupSeconds(),
        profile.ackRunInSeconds(), profile.ackSeconds());
    Log.line("%s: publish-to-ack latency measured with the publisher on %s and channel %s owned by %s", setup,
        publisherNode.name, channel, owner);
    return new AckRun(setup, ladder, owner, publisherNode.name);
  }

  /**
   * A channel {@code prefix-N} whose owner passes {@code wanted}: each candidate is created with one
   * publication through the admin API of {@code node} (an owner exists only once a channel does), then asked
   * for its owner.
   */
  static String channelOwnedBy(NodeProcess node, String tenant, String prefix, Predicate<String> wanted) {
    for (int i = 0; i < 100; i++) {
      String channel = prefix + "-" + i;
      HttpResponse<String> created = node.adminPost("/api/v1/publish",
          new JsonObject().put("tenant", tenant).put("channel", channel).put("data", 0).encode());
      if (created.statusCode() != 200) {
        throw new IllegalStateException("cannot create " + channel + ": " + created.body());
      }
      String owner = new JsonObject(node.admin("/api/v1/channels/" + tenant + "/" + channel)).getString("owner");
      if (wanted.test(owner)) {
        return channel;
      }
    }
    throw new IllegalStateException("no channel " + prefix + "-N with a suitable owner");
  }

  /** Fan-out messages sent and received between nodes, summed over the cluster's members. */
  private static long[] busCounters(NodeProcess node) {
    long sent = 0;
    long received = 0;
    for (Object o : new JsonArray(node.admin("/api/v1/nodes"))) {
      JsonObject n = (JsonObject) o;
      sent += n.getLong("fanoutSent", 0L);
      received += n.getLong("fanoutReceived", 0L);
    }
    return new long[] {sent, received};
  }
}
