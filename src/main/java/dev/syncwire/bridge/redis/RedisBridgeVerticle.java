package dev.syncwire.bridge.redis;

import dev.syncwire.broker.ChannelBroker;
import dev.syncwire.config.SyncwireConfig;
import dev.syncwire.config.TenantConfig;
import dev.syncwire.internals.VertxInternals;
import dev.syncwire.telemetry.NodeMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.HashSet;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * The Redis bridge (docs/redis.md): takes publications from Redis and publishes them through the node's
 * broker, which runs each on its channel's owner. Two paths, both on connections of their own:
 * {@link PubSubIngest} ({@code PUBLISH updates:tenant:<tenant>:<channel> <json>}, at most once) and
 * {@link StreamIngest} ({@code XADD updates:tenant:<tenant> * channel <c> body <json>}, at least once into the
 * node, exactly once in effect through publish keys).
 * <p>
 * One node of a cluster ingests, the leader ({@link BridgeLeadership}): then a channel's messages enter it in
 * Redis's order, and a pub/sub message without a key enters once, where every node subscribed would publish
 * it once per node. The others stand by and take over when the leader leaves; a draining node stops first.
 */
public final class RedisBridgeVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(RedisBridgeVerticle.class.getName());
  /** How often leadership and the drain flag are looked at (membership changes are also heard at once). */
  private static final long CHECK_MS = 250;
  /** How often a draining node that stepped down says so again (for members that joined since). */
  private static final long STEPPED_DOWN_EVERY_NANOS = 1_000_000_000L;
  /** The longest the verticle's stop waits for the round and the publishes under way. */
  private static final long STOP_LIMIT_MS = 5_000;

  private final RedisLink link;
  private final ChannelBroker broker;
  private final SyncwireConfig config;
  private final String nodeId;
  private final NodeMetrics metrics;
  private final BooleanSupplier draining;

  private BridgeCounters counters;
  private PubSubIngest pubsub;
  private StreamIngest streams;
  private BridgeLeadership leadership;
  private long checkTimer = -1;
  private boolean ingesting;
  private boolean switching;
  private boolean closing;
  /** Whether the first decision (ingest or stand by) was logged. */
  private boolean decided;
  private long steppedDownNanos;

  /**
   * {@code nodeId} names this node's stream consumer; {@code draining} tells whether the node drains (it then
   * stops ingesting).
   */
  public RedisBridgeVerticle(RedisLink link, ChannelBroker broker, SyncwireConfig config, String nodeId,
                             NodeMetrics metrics, BooleanSupplier draining) {
    this.link = link;
    this.broker = broker;
    this.config = config;
    this.nodeId = nodeId;
    this.metrics = metrics;
    this.draining = draining;
  }

  @Override
  public Future<?> start() {
    List<String> tenants = config.tenants().stream().map(TenantConfig::id).toList();
    long timeoutMs = config.redis().timeoutMs();
    counters = new BridgeCounters(metrics.registry());
    BridgeInput input = new BridgeInput(new HashSet<>(tenants));
    pubsub = new PubSubIngest(vertx, link, input, broker, counters, timeoutMs);
    streams = new StreamIngest(vertx, context, link, input, broker, counters, tenants, nodeId,
        config.redis().claimIdleMs(), timeoutMs);
    if (vertx.isClustered()) {
      HazelcastClusterManager manager = (HazelcastClusterManager) VertxInternals.clusterManager(vertx);
      leadership = BridgeLeadership.clustered(vertx, context, manager.getHazelcastInstance(), manager.getNodeId(),
          this::evaluate);
    } else {
      leadership = BridgeLeadership.alone();
    }
    checkTimer = vertx.setPeriodic(CHECK_MS, t -> evaluate());
    evaluate();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    closing = true;
    vertx.cancelTimer(checkTimer);
    leadership.close();
    if (!ingesting && !switching) {
      return Future.succeededFuture();
    }
    // The node's other verticles stop at the same time: never wait on them for longer than this.
    Promise<Void> stopped = Promise.promise();
    long timer = vertx.setTimer(STOP_LIMIT_MS, t -> stopped.tryComplete());
    Future.join(pubsub.stop(), streams.stop()).onComplete(ar -> {
      vertx.cancelTimer(timer);
      stopped.tryComplete();
    });
    return stopped.future();
  }

  /** Starts or stops ingesting when leadership or the drain says so; one change at a time. */
  private void evaluate() {
    if (closing || switching) {
      return;
    }
    boolean drains = draining.getAsBoolean();
    boolean leader = leadership.isLeader();
    if (drains && !ingesting && System.nanoTime() - steppedDownNanos > STEPPED_DOWN_EVERY_NANOS) {
      steppedDownNanos = System.nanoTime();
      leadership.steppedDown();
    }
    boolean want = leader && !drains;
    if (want == ingesting) {
      if (!decided && !want) {
        LOG.info("Redis bridge: standing by (" + leadership.leader() + " ingests)");
      }
      decided = true;
      return;
    }
    decided = true;
    if (want) {
      LOG.info("Redis bridge: this node ingests from Redis (" + (vertx.isClustered()
          ? "the oldest member of the cluster" : "no cluster") + ")");
      ingesting = true;
      pubsub.start();
      streams.start();
      return;
    }
    LOG.info("Redis bridge: this node stops ingesting (" + (drains ? "it drains" : leadership.leader()
        + " leads now") + ")");
    switching = true;
    Future.join(pubsub.stop(), streams.stop()).onComplete(ar -> {
      LOG.info("Redis bridge: stopped ingesting");
      ingesting = false;
      switching = false;
      if (drains) {
        steppedDownNanos = System.nanoTime();
        leadership.steppedDown();
      }
      evaluate();
    });
  }
}
