package dev.syncwire.bench;

import dev.syncwire.Syncwire;
import dev.syncwire.testing.JvmProcess;
import dev.syncwire.testing.LoadSocket;
import dev.syncwire.testing.NodeGroup;
import dev.syncwire.testing.NodeProcess;
import dev.syncwire.testing.SocketEvents;
import dev.syncwire.testing.SyncwireProtocol;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The publish workload: how many publishes one pipelined WebSocket client gets acknowledged, and what each costs
 * the servers, on a cluster with {@code cluster.backups=1} against one node, all pinned to the server CPUs.
 * <ol>
 *   <li>Throughput: {@link PipelinedPublisher} with the profile's publishes in flight, each with a key of its own,
 *   for a fixed window after a warm-up; acks/s, and server CPU per publish summed over every node. To one channel
 *   (in a cluster with the publisher on the channel's owner, then on another node) and round-robin to 1,000
 *   channels (publisher on the first node, so the owners are a mix).</li>
 *   <li>Group commit: the one-channel cases again on a cluster started with {@code cluster.publishBatch=1}, one
 *   publish per Hazelcast operation. A build that does not know that key refuses to start (exit 78); the rows
 *   then say so and the rest of the workload stands.</li>
 *   <li>Replication's share: the publisher on another node and the 1,000 channels again on a cluster started
 *   with {@code cluster.backups=0}, whose acks do not wait for a copy. It is no setting to run with; it shows
 *   what the cluster's operations cost without their backups, the most batching the backups could save.</li>
 *   <li>Fewer partitions: the publisher on another node and the 1,000 channels again on a cluster started
 *   with one partition per node ({@code cluster.partitions}), where publishes to the many channels of a
 *   partition share operations.</li>
 *   <li>Publish-to-ack latency at fixed open-loop rates ({@link OpenLoopPublisher}), the publisher on a node that
 *   does not own the channel.</li>
 * </ol>
 * Every ack of every run, warm-ups included, goes through an {@link AckLedger}; a run whose acks break the
 * channel's order has no figure.
 */
final class PublishWorkload {
  /**
   * The warm-up publishes round-robin to this many fresh channels: in a cluster some are owned by the publisher's
   * node and some by others, and each has several publishes in flight that group commit can batch, so every
   * path the cases take gets compiled.
   */
  static final int WARM_UP_CHANNELS = 8;
  /** Acks due after the last send of a latency window must arrive within this to count as in time. */
  static final double ACK_DRAIN_SECONDS = 2;
  /** After that, how long a backlog of acks may take before the missing ones count as never acked. */
  private static final double LATE_ACK_SECONDS = 30;

  /** The throughput cases; a node alone runs only those it has (it owns every channel). */
  enum Case { OWNER, OTHER, SPREAD }

  private final Loop loop;
  private final List<String> sources;
  private final GatewayProfile profile;
  private final GatewayProfile.Publish sizes;
  private final JvmProcess self;
  private final String tenant;
  private final NodeProcess.Options settings;
  /** Processes beside the nodes whose CPU counts as the server's (a Redis the nodes keep their logs in). */
  private List<JvmProcess> alsoServers = List.of();

  PublishWorkload(Loop loop, List<String> sources, GatewayProfile profile, JvmProcess self, String tenant,
                  NodeProcess.Options settings) {
    this.loop = loop;
    this.sources = sources;
    this.profile = profile;
    this.sizes = profile.publish();
    this.self = self;
    this.tenant = tenant;
    this.settings = settings;
  }

  /**
   * One pipelined window. {@code checked} is the acks the ledger saw over the whole run (run-in included);
   * {@code problems} what voids the figure; {@code failure} why there is none.
   */
  record Throughput(String label, long acked, CpuWindow.Measured cpu, String publisherNode, String owner, long checked,
                    List<String> problems, String failure, long operations, ThreadCpu.Breakdown threads) {
    static Throughput failed(String label, String why) {
      return new Throughput(label, 0, null, null, null, 0, List.of(), why, 0, null);
    }

    /** Server CPU per publish of one kind of thread, summed over all nodes, in microseconds. */
    double serverMicrosPerPublish(ThreadCpu.Role role) {
      return acked == 0 || threads == null ? Double.NaN : threads.of(role).seconds() * 1e6 / acked;
    }

    /** Publishes per Hazelcast operation over the window (group commit); NaN for a node alone. */
    double publishesPerOperation() {
      return operations <= 0 ? Double.NaN : (double) acked / operations;
    }

    double acksPerSecond() {
      return acked / cpu.seconds();
    }

    double serverMicrosPerPublish() {
      return acked == 0 ? Double.NaN : cpu.serverCpuSeconds() * 1e6 / acked;
    }

    boolean valid() {
      return failure == null && problems.isEmpty();
    }
  }

  /** One open-loop rate: publish-to-ack latencies in microseconds, from each publish's due time. */
  record Latency(double pubsPerSecond, int sent, long acked, long p50, long p99, long p999, long sendLagP99,
                 CpuWindow.Measured cpu, boolean ackedInTime) {
  }

  /** The open-loop rates of one setup, on one socket and one channel. */
  record LatencyRun(String label, List<Latency> rates, String publisherNode, String owner, long checked,
                    List<String> problems, String failure) {
    static LatencyRun failed(String label, String why) {
      return new LatencyRun(label, List.of(), null, null, 0, List.of(), why);
    }

    boolean valid() {
      return failure == null && problems.isEmpty();
    }
  }

  /**
   * One setup's figures; {@code warmUp} is reported only for its integrity. {@code unavailable} says why its nodes
   * did not even start.
   */
  record Setup(String name, Throughput warmUp, Map<Case, Throughput> throughput, LatencyRun latency,
               List<String> nodes, String unavailable) {
    static Setup unavailable(String name, String why) {
      return new Setup(name, null, Map.of(), null, List.of(), why);
    }

    /** Every pipelined run, the warm-up first: what the integrity row and the notes go through. */
    List<Throughput> runs() {
      List<Throughput> runs = new ArrayList<>();
      if (warmUp != null) {
        runs.add(warmUp);
      }
      runs.addAll(throughput.values());
      return runs;
    }
  }

  record Result(Setup single, Setup cluster, Setup noGroupCommit, Setup noBackups, Setup fewPartitions) {
    List<String> nodes() {
      return setups().flatMap(s -> s.nodes().stream()).toList();
    }

    Stream<Setup> setups() {
      return Stream.of(single, cluster, noGroupCommit, noBackups, fewPartitions);
    }
  }

  Result run() {
    Setup single;
    Log.line("starting node publish-single");
    try (NodeGroup node = NodeGroup.alone(settings, "publish-single", Map.of())) {
      single = measure("1 node", node, sizes.singleWarmupSeconds(), List.of(Case.OWNER, Case.SPREAD), true);
    }
    Setup cluster;
    Log.line("starting a cluster of %d nodes publish-node*", profile.clusterNodes());
    try (NodeGroup nodes = NodeGroup.startCluster(settings, "publish-node", profile.clusterNodes(),
        Map.of("cluster.backups", "1"))) {
      cluster = measure(profile.clusterNodes() + " nodes", nodes, sizes.clusterWarmupSeconds(),
          List.of(Case.values()), true);
    }
    return new Result(single, cluster, withoutGroupCommit(), withoutBackups(), withFewPartitions());
  }

  /** The history stores side by side: nodes keeping channel logs in memory only, and in Redis too. */
  record StoreResult(List<Setup> setups) {
    List<String> nodes() {
      return setups.stream().flatMap(s -> s.nodes().stream()).toList();
    }
  }

  /**
   * The publish cases on one node and on a cluster ({@code cluster.backups}=1), each with {@code history.store}
   * memory then redis, in one run. {@code redis} is the Redis at {@code redisUrl}: its CPU counts as the
   * server's in every setup (it idles in the memory ones). {@code emptyStore} empties it before each setup
   * that uses it, so that no setup continues another's channels.
   */
  StoreResult runStores(String redisUrl, JvmProcess redis, Runnable emptyStore) {
    alsoServers = List.of(redis);
    List<Setup> setups = new ArrayList<>();
    for (boolean inRedis : List.of(false, true)) {
      String store = inRedis ? "Redis" : "memory";
      Map<String, String> extra = inRedis ? Map.of("history.store", "redis", "redis.url", redisUrl) : Map.of();
      emptyStore.run();
      Log.line("starting node store-single-%s", store.toLowerCase());
      try (NodeGroup node = NodeGroup.alone(settings, "store-single-" + store.toLowerCase(), extra)) {
        setups.add(measure("1 node, " + store, node, sizes.singleWarmupSeconds(), List.of(Case.OWNER, Case.SPREAD),
            true));
      }
    }
    for (boolean inRedis : List.of(false, true)) {
      String store = inRedis ? "Redis" : "memory";
      Map<String, String> extra = new java.util.HashMap<>(Map.of("cluster.backups", "1"));
      if (inRedis) {
        extra.putAll(Map.of("history.store", "redis", "redis.url", redisUrl));
      }
      emptyStore.run();
      Log.line("starting a cluster of %d nodes store-%s-node*", profile.clusterNodes(), store.toLowerCase());
      try (NodeGroup nodes = NodeGroup.startCluster(settings, "store-" + store.toLowerCase() + "-node",
          profile.clusterNodes(), extra)) {
        setups.add(measure(profile.clusterNodes() + " nodes, " + store, nodes, sizes.clusterWarmupSeconds(),
            List.of(Case.values()), true));
      }
    }
    return new StoreResult(setups);
  }

  /** The load's target: the group's live nodes, and the processes beside them that serve it. */
  private Target target(String label, NodeGroup group) {
    Target nodes = Target.of(label, group.live(), new SyncwireProtocol(tenant, true));
    if (alsoServers.isEmpty()) {
      return nodes;
    }
    List<JvmProcess> processes = new ArrayList<>(nodes.processes());
    processes.addAll(alsoServers);
    return new Target(nodes.name(), nodes.host(), nodes.ports(), processes, nodes.protocol());
  }

  /** The one-channel cases on a cluster whose nodes put one publish in each Hazelcast operation. */
  private Setup withoutGroupCommit() {
    String name = profile.clusterNodes() + " nodes, publishBatch=1";
    Log.line("starting a cluster of %d nodes publish-nobatch-node* (cluster.publishBatch=1)", profile.clusterNodes());
    try (NodeGroup nodes = NodeGroup.startCluster(settings, "publish-nobatch-node", profile.clusterNodes(),
        Map.of("cluster.backups", "1", "cluster.publishBatch", "1"))) {
      return measure(name, nodes, sizes.clusterWarmupSeconds(), List.of(Case.OWNER, Case.OTHER), false);
    } catch (NodeProcess.ExitedDuringStartup e) {
      // The key is newer than some builds: without it there is nothing to compare, not a broken run.
      if (e.exitValue != Syncwire.EXIT_BAD_CONFIG) {
        throw e;
      }
      Log.line("%s not available: %s", name, e.getMessage());
      return Setup.unavailable(name, e.getMessage());
    }
  }

  /** The publisher on another node and the 1,000 channels on a cluster whose acks wait for no copy. */
  private Setup withoutBackups() {
    Log.line("starting a cluster of %d nodes publish-nobackup-node* (cluster.backups=0)", profile.clusterNodes());
    try (NodeGroup nodes = NodeGroup.startCluster(settings, "publish-nobackup-node", profile.clusterNodes(),
        Map.of("cluster.backups", "0"))) {
      return measure(profile.clusterNodes() + " nodes, backups=0", nodes, sizes.clusterWarmupSeconds(),
          List.of(Case.OTHER, Case.SPREAD), false);
    }
  }

  /** The publisher on another node and the 1,000 channels on a cluster with one partition per node, not 271. */
  private Setup withFewPartitions() {
    String partitions = String.valueOf(profile.clusterNodes());
    String name = profile.clusterNodes() + " nodes, partitions=" + partitions;
    Log.line("starting a cluster of %d nodes publish-partitions-node* (cluster.partitions=%s)",
        profile.clusterNodes(), partitions);
    try (NodeGroup nodes = NodeGroup.startCluster(settings, "publish-partitions-node", profile.clusterNodes(),
        Map.of("cluster.backups", "1", "cluster.partitions", partitions))) {
      // The 1-channel case first, as on the other clusters: the 1,000 channels then run on code as compiled.
      return measure(name, nodes, sizes.clusterWarmupSeconds(), List.of(Case.OTHER, Case.SPREAD), false);
    } catch (NodeProcess.ExitedDuringStartup e) {
      // The key is newer than some builds: without it there is nothing to compare, not a broken run.
      if (e.exitValue != Syncwire.EXIT_BAD_CONFIG) {
        throw e;
      }
      Log.line("%s not available: %s", name, e.getMessage());
      return Setup.unavailable(name, e.getMessage());
    }
  }

  private Setup measure(String name, NodeGroup group, double warmupSeconds, List<Case> cases, boolean latency) {
    List<String> warmUp = IntStream.range(0, WARM_UP_CHANNELS).mapToObj(i -> "publish-warm-up-" + i).toList();
    Throughput warmUpRun = throughput(name + ", warm-up", group, warmUp, "mixed", new AckLedger(), 0, warmupSeconds);
    Map<Case, Throughput> figures = new EnumMap<>(Case.class);
    for (Case c : cases) {
      figures.put(c, throughputCase(name, group, c));
    }
    return new Setup(name, warmUpRun, figures, latency ? latency(name, group) : null, group.describe(), null);
  }

  private Throughput throughputCase(String setup, NodeGroup group, Case c) {
    NodeProcess first = group.nodes().get(0);
    if (c == Case.SPREAD) {
      List<String> channels = IntStream.range(0, sizes.channels()).mapToObj(i -> "publish-spread-" + i).toList();
      return throughput(String.format("%s, %,d channels", setup, sizes.channels()), group, channels, "spread",
          new AckLedger(), sizes.runInSeconds(), sizes.seconds());
    }
    boolean onOwner = c == Case.OWNER;
    Prepared channel = prepare(first, onOwner ? "publish-owner" : "publish-other",
        owner -> onOwner == owner.equals(first.name));
    return throughput(setup + ", 1 channel, publisher on " + (onOwner ? "its owner" : "another node"), group,
        List.of(channel.name()), channel.owner(), channel.ledger(), sizes.runInSeconds(), sizes.seconds());
  }

  /** A channel and where it stands, so that its ledger checks the first ack too. */
  private record Prepared(String name, String owner, AckLedger ledger) {
  }

  /** A channel {@code prefix-N} (created through the admin API) whose owner passes {@code wanted}. */
  private Prepared prepare(NodeProcess node, String prefix, Predicate<String> wanted) {
    String channel = ClusterWorkload.channelOwnedBy(node, tenant, prefix, wanted);
    JsonObject info = new JsonObject(node.admin("/api/v1/channels/" + tenant + "/" + channel));
    AckLedger ledger = new AckLedger();
    ledger.startsAt(channel, info.getString("epoch"), info.getLong("seq"));
    return new Prepared(channel, info.getString("owner"), ledger);
  }

  /** One publisher socket on {@code target}; a failure to connect is logged. */
  private Connector.Opened openPublisher(String label, Target target, Connector connector, SocketEvents events) {
    Connector.Opened opened = loop.await(() -> connector.open(target, -1, 1, 1, i -> null, events, null));
    if (opened.failures() > 0) {
      Log.line("%s: the publisher failed to connect: %s", label, opened.firstFailure());
    }
    return opened;
  }

  /**
   * One pipelined publisher on the first node for a run-in, then a measured window; then it stops, waits
   * for the acks still in flight and checks them all.
   */
  private Throughput throughput(String label, NodeGroup group, List<String> channels, String owner, AckLedger ledger,
                                double runInSeconds, double seconds) {
    NodeProcess publisherNode = group.nodes().get(0);
    Target target = target(label, group);
    Connector connector = new Connector(loop.vertx(), sources);
    SocketEvents events = new SocketEvents();
    try {
      Connector.Opened opened = openPublisher(label, target, connector, events);
      if (opened.failures() > 0) {
        return Throughput.failed(label, "the publisher failed to connect: " + opened.firstFailure());
      }
      LoadSocket socket = opened.sockets().get(0);
      PipelinedPublisher publisher = loop.read(() -> {
        socket.ackWatcher(ledger::onAck);
        PipelinedPublisher p = new PipelinedPublisher(socket, target.protocol(), channels, sizes.inFlight());
        p.start();
        return p;
      });
      Loop.pause((long) (runInSeconds * 1000));
      long operationsBefore = publishOperations(group);
      CpuWindow window = CpuWindow.start(target.processes(), self);
      ThreadCpu threadCpu = ThreadCpu.start(target.processes());
      long ackedBefore = loop.read(() -> publisher.acked);
      Loop.pause((long) (seconds * 1000));
      long acked = loop.read(() -> publisher.acked) - ackedBefore;
      CpuWindow.Measured cpu = window.stop();
      threadCpu.stop();
      long operationsAfter = publishOperations(group);
      long operations = operationsBefore < 0 || operationsAfter < 0 ? 0 : operationsAfter - operationsBefore;
      ThreadCpu.Breakdown threads = threadCpu.breakdown();
      loop.read(() -> {
        publisher.stop();
        return null;
      });
      long unacked = awaitAcks(() -> loop.read(publisher::outstanding));
      List<String> problems = problems(ledger, unacked, events);
      Throughput t = new Throughput(label, acked, cpu, publisherNode.name, owner, loop.read(() -> ledger.acks),
          problems, null, operations, threads);
      Log.line("%s: %,.0f acks/s, server CPU %.0f%% (%.1f us per publish), load generator CPU %.0f%%, others on"
              + " their CPUs %.0f%%/%.0f%%;%s %,d acks checked%s", label,
          t.acksPerSecond(), 100 * cpu.serverShare(), t.serverMicrosPerPublish(), 100 * cpu.clientShare(),
          100 * cpu.serverCpuOthersShare(), 100 * cpu.clientCpuOthersShare(),
          operations > 0 ? String.format(" %.1f publishes per cluster operation;", t.publishesPerOperation()) : "",
          t.checked(), problems.isEmpty() ? "" : "; VOID: " + problems);
      if (acked > 0) {
        Log.line("%s: server CPU per publish by thread (us): %s", label, threads.perUnit(acked));
      }
      return t;
    } finally {
      loop.await(connector::closeAll);
    }
  }

  /**
   * The Hazelcast operations that carried publishes, summed over the cluster's members ({@code
   * publishOperations} of {@code GET /api/v1/nodes}); -1 for a node alone, a build that does not count
   * them, or when a member did not answer (a partial sum would overstate the publishes per operation).
   */
  private static long publishOperations(NodeGroup group) {
    if (!group.clustered()) {
      return -1;
    }
    JsonArray nodes = new JsonArray(group.nodes().get(0).admin("/api/v1/nodes"));
    if (nodes.size() != group.nodes().size()) {
      return -1;
    }
    long operations = 0;
    for (Object o : nodes) {
      Long count = ((JsonObject) o).getLong("publishOperations");
      if (count == null) {
        return -1;
      }
      operations += count;
    }
    return operations;
  }

  /**
   * Each of the profile's open-loop rates on one socket on the first node, to a channel another node owns (the
   * node itself when alone): a run-in, then a measured window.
   */
  private LatencyRun latency(String setup, NodeGroup group) {
    String label = setup + ", publish-to-ack";
    NodeProcess first = group.nodes().get(0);
    Prepared channel = prepare(first, "publish-latency", owner -> !group.clustered() || !owner.equals(first.name));
    Target target = target(label, group);
    Connector connector = new Connector(loop.vertx(), sources);
    SocketEvents events = new SocketEvents();
    try {
      Connector.Opened opened = openPublisher(label, target, connector, events);
      if (opened.failures() > 0) {
        return LatencyRun.failed(label, "the publisher failed to connect: " + opened.firstFailure());
      }
      LoadSocket socket = opened.sockets().get(0);
      OpenLoopPublisher publisher = loop.read(() -> {
        socket.ackWatcher(channel.ledger()::onAck);
        return new OpenLoopPublisher(loop.vertx(), socket, target.protocol(), channel.name());
      });
      List<Latency> rates = new ArrayList<>();
      long sent = 0;
      for (double rate : sizes.ackPubsPerSecond()) {
        sent += openLoop(target, publisher, "(run-in)", rate, sizes.ackRunInSeconds()).sent();
        Latency measured = openLoop(target, publisher, String.format("@%,.0f/s", rate), rate, sizes.ackSeconds());
        sent += measured.sent();
        rates.add(measured);
      }
      long all = sent;
      long unacked = awaitAcks(() -> all - loop.read(() -> events.acks));
      List<String> problems = problems(channel.ledger(), unacked, events);
      for (Latency l : rates) {
        Log.line("%s @%,.0f/s: %,d sent, %,d acked, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, %s; server CPU %.0f%%,"
                + " load generator CPU %.0f%%, send lag p99 %.2f ms%s", label, l.pubsPerSecond(), l.sent(), l.acked(),
            l.p50() / 1e3, l.p99() / 1e3, l.p999() / 1e3, l.ackedInTime() ? "acked in time" : "BACKLOG",
            100 * l.cpu().serverShare(), 100 * l.cpu().clientShare(), l.sendLagP99() / 1e3,
            problems.isEmpty() ? "" : "; VOID: " + problems);
      }
      return new LatencyRun(label, rates, first.name, channel.owner(), loop.read(() -> channel.ledger().acks),
          problems, null);
    } finally {
      loop.await(connector::closeAll);
    }
  }

  /**
   * Publishes at {@code rate} for {@code seconds} (open loop), then waits for the acks. The CPU window runs from
   * the first send until the last ack or the drain deadline, as the fan-out's windows do.
   */
  private Latency openLoop(Target target, OpenLoopPublisher publisher, String label, double rate, double seconds) {
    Phase phase = loop.read(() -> publisher.plan(label, rate, seconds, 0));
    CpuWindow window = CpuWindow.start(target.processes(), self);
    loop.await(() -> publisher.run(phase));
    boolean inTime = awaitPhaseAcks(phase, ACK_DRAIN_SECONDS);
    CpuWindow.Measured cpu = window.stop();
    if (!inTime) {
      awaitPhaseAcks(phase, LATE_ACK_SECONDS);
    }
    return loop.read(() -> new Latency(rate, phase.sent, phase.ackLatency.getTotalCount(),
        phase.ackLatency.getValueAtPercentile(50), phase.ackLatency.getValueAtPercentile(99),
        phase.ackLatency.getValueAtPercentile(99.9), phase.sendLag.getValueAtPercentile(99), cpu, inTime));
  }

  private boolean awaitPhaseAcks(Phase phase, double seconds) {
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    while (loop.read(() -> phase.ackLatency.getTotalCount() < phase.sent)) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Loop.pause(5);
    }
    return true;
  }

  /** Waits until nothing is {@code outstanding} (up to the late-ack limit); what still is, never got its ack. */
  private static long awaitAcks(Supplier<Long> outstanding) {
    long deadline = System.nanoTime() + (long) (LATE_ACK_SECONDS * 1e9);
    long left = outstanding.get();
    while (left > 0 && System.nanoTime() < deadline) {
      Loop.pause(10);
      left = outstanding.get();
    }
    return left;
  }

  /** What voids a run: the ledger's findings, publishes without an ack, anything else the socket met. */
  private List<String> problems(AckLedger ledger, long unacked, SocketEvents events) {
    List<String> problems = new ArrayList<>(loop.read(ledger::problems));
    if (unacked > 0) {
      problems.add(unacked + " publishes never acked");
    }
    String socketProblems = loop.read(() -> events.problems() > 0 ? events.toString() : "");
    if (!socketProblems.isEmpty()) {
      problems.add("publisher " + socketProblems);
    }
    return problems;
  }
}
