package dev.syncwire.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.cluster.Member;
import dev.syncwire.cluster.operation.Announce;
import dev.syncwire.cluster.operation.Announcement;
import dev.syncwire.cluster.operation.EveryChannel;
import dev.syncwire.cluster.operation.RemoveNode;
import dev.syncwire.cluster.operation.Sweep;
import dev.syncwire.telemetry.MetricNames;
import dev.syncwire.telemetry.NodeMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Hosts the {@link ClusterChannelBroker} of this node: receives publications and announcements for the
 * channels it follows, announces the position of the channels it owns every
 * {@code cluster.announceIntervalMs}, drops departed nodes from the channels it owns, and answers
 * status requests for the admin API.
 */
public final class ClusterVerticle extends VerticleBase {
  private static final String VERTX_NODE_ID = "__vertx.nodeId";

  private final ClusterChannelBroker broker;
  private final java.util.function.Consumer<java.util.Set<String>> membersChanged;
  private final HazelcastInstance hazelcast;
  private final long announceIntervalMs;
  private final Supplier<JsonObject> localStatus;
  /** Idle channels are swept on every this-many announcements (about every 30 s at the default). */
  private static final int SWEEP_EVERY = 30;

  private UUID membershipListener;
  private volatile int ownedChannels;
  /** Whether every partition this node holds had its backups in sync at the last check. */
  private volatile boolean backedUp;
  /** The backup check runs on every this-many announcements. */
  private static final int BACKUP_CHECK_EVERY = 5;
  private int announcements;

  /**
   * @param membersChanged told the names of the live nodes after a member left (sessions relayed to a node
   *                       that left stop waiting for it)
   */
  public ClusterVerticle(ClusterChannelBroker broker, HazelcastInstance hazelcast, long announceIntervalMs,
                         Supplier<JsonObject> localStatus, java.util.function.Consumer<java.util.Set<String>> membersChanged) {
    this.membersChanged = membersChanged;
    this.broker = broker;
    this.hazelcast = hazelcast;
    this.announceIntervalMs = announceIntervalMs;
    this.localStatus = localStatus;
  }

  @Override
  public Future<?> start() {
    broker.bind(context);
    String node = broker.nodeId();
    membershipListener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        context.runOnContext(v -> {
          broker.onMemberLeft();
          membersChanged.accept(new java.util.HashSet<>(members(hazelcast).values()));
        });
      }
    });
    vertx.setPeriodic(announceIntervalMs, id -> announce());
    return Future.all(
        vertx.eventBus().<JsonObject>consumer(Addresses.fanout(node), broker::onFanout).completion(),
        vertx.eventBus().<JsonArray>consumer(Addresses.announce(node), broker::onAnnounce).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.status(node), m -> status().onSuccess(m::reply)).completion());
  }

  @Override
  public Future<?> stop() {
    if (membershipListener != null) {
      hazelcast.getCluster().removeMembershipListener(membershipListener);
    }
    return Future.succeededFuture();
  }

  /**
   * This node's counters, and whether every partition it holds has its backups in sync: a node that
   * dies while that is false (migrations after a join or a departure still running) may take
   * acknowledged publications with it, so operators wait for it before stopping the next node.
   */
  private Future<JsonObject> status() {
    // The check may wait on replica-sync answers from other members: not on the event loop.
    return broker.blocking().executeBlocking(() -> hazelcast.getPartitionService().isLocalMemberSafe(), false)
        .map(backedUp -> localStatus.get().put("channelsOwned", ownedChannels).put("backedUp", backedUp)
            .mergeIn(broker.stats()));
  }

  /** Every live member's status, gathered over the event bus (a member that does not answer is left out). */
  public static Future<JsonArray> statuses(io.vertx.core.Vertx vertx, HazelcastInstance hazelcast) {
    List<Future<JsonObject>> answers = new ArrayList<>();
    for (String id : members(hazelcast).keySet()) {
      answers.add(vertx.eventBus().<JsonObject>request(Addresses.status(id), null,
          new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(2000)).map(m -> m.body()));
    }
    return Future.join(answers).transform(ar -> {
      JsonArray out = new JsonArray();
      answers.stream().filter(Future::succeeded).map(Future::result)
          .sorted(java.util.Comparator.comparing(o -> o.getString("node", ""))).forEach(out::add);
      return Future.succeededFuture(out);
    });
  }

  /** The Vert.x node id and Syncwire name of each live member. */
  public static Map<String, String> members(HazelcastInstance hazelcast) {
    Map<String, String> out = new HashMap<>();
    for (Member m : hazelcast.getCluster().getMembers()) {
      String id = m.getAttribute(VERTX_NODE_ID);
      if (id != null) {
        out.put(id, m.getAttribute(HazelcastConfigs.NODE_NAME_ATTRIBUTE));
      }
    }
    return out;
  }

  /** Reports what this verticle measures with the node's metrics. */
  public void registerMetrics(NodeMetrics metrics) {
    metrics.gauge(MetricNames.OWNED_CHANNELS, "channels whose log this node owns", () -> ownedChannels);
    metrics.gauge(MetricNames.BACKED_UP, "1 while every partition this node holds has its backups in sync",
        () -> backedUp ? 1 : 0);
  }

  /**
   * Tells each following node where the channels this node owns stand, so that a node that missed the
   * last publication of a channel notices it even when nothing follows. Also forgets departed nodes, and
   * now and then sweeps idle channels.
   */
  private void announce() {
    if (announcements % BACKUP_CHECK_EVERY == 0) {
      broker.blocking().executeBlocking(() -> hazelcast.getPartitionService().isLocalMemberSafe(), false)
          .onSuccess(safe -> backedUp = safe);
    }
    broker.blocking().executeBlocking(() -> broker.map().localKeySet(), false).onSuccess(groups -> {
      if (groups.isEmpty()) {
        ownedChannels = 0;
        return;
      }
      boolean sweep = ++announcements % SWEEP_EVERY == 0;
      HazelcastFutures.toFuture(broker.map().submitToKeys(groups, new EveryChannel<>(null, new Announce())),
          broker.context()).onSuccess(byGroup -> {
            Map<String, Announcement> positions = new HashMap<>();
            byGroup.values().forEach(positions::putAll);
            ownedChannels = positions.size();
            announce(positions, sweep);
          });
    });
  }

  private void announce(Map<String, Announcement> positions, boolean sweep) {
    if (positions == null) {
      return;
    }
    if (sweep) {
      // Each channel's sweep decides again on the owner: the channel may have been used since.
      positions.forEach((key, a) -> {
        if (a != null && a.disposable()) {
          broker.onChannel(key, new Sweep(), context);
        }
      });
    }
    Set<String> live = new HashSet<>(members(hazelcast).keySet());
    Map<String, JsonArray> byNode = new HashMap<>();
    positions.forEach((key, a) -> {
      if (a == null) {
        return;
      }
      int slash = key.indexOf('/');
      JsonArray item = new JsonArray().add(key.substring(0, slash)).add(key.substring(slash + 1))
          .add(a.epoch()).add(a.seq());
      List<String> departed = new ArrayList<>();
      for (String node : a.nodes()) {
        if (!live.contains(node)) {
          departed.add(node);
        } else {
          byNode.computeIfAbsent(node, n -> new JsonArray()).add(item);
        }
      }
      for (String node : departed) {
        broker.onChannel(key, RemoveNode.departed(node), context);
      }
    });
    byNode.forEach((node, items) -> {
      if (node.equals(broker.nodeId())) {
        // Publications from other nodes to this owner's own followers can be lost too.
        context.runOnContext(v -> broker.onAnnounce(items));
      } else {
        vertx.eventBus().send(Addresses.announce(node), items);
      }
    });
  }
}
