package dev.syncwire.telemetry;

/**
 * Every metric the node exports, by its Micrometer name. Prometheus sees dots as underscores, and
 * counters with {@code _total} appended: {@code syncwire.publishes} is scraped as
 * {@code syncwire_publishes_total}. The three {@code ws_*} gauges are the names dashboards and scrape
 * configs filter on ({@code ws_active_connections|ws_dropped_frames|ws_reconnect_rate}); they must not change.
 */
public final class MetricNames {
  private MetricNames() {
  }

  // ---- the three series scrape configs keep, and their counters ----

  /** Gauge: open sessions, tag {@link #TRANSPORT}. */
  public static final String ACTIVE_CONNECTIONS = "ws.active.connections";
  /** Counter: sessions opened, tag {@link #TRANSPORT}. */
  public static final String CONNECTIONS = "ws.connections";
  /**
   * Gauge (Prometheus name {@code ws_dropped_frames}): frames never delivered since start, tag {@link #REASON}.
   * Written beside the registry's output, since a counter of the same family ({@link #DROPPED_FRAMES_COUNTER})
   * exists.
   */
  public static final String DROPPED_FRAMES_GAUGE = "ws_dropped_frames";
  /** Counter: the same frames, as a conventional counter. */
  public static final String DROPPED_FRAMES_COUNTER = "ws.dropped.frames";
  /** Gauge: reconnects per second over the last minute. */
  public static final String RECONNECT_RATE = "ws.reconnect.rate";
  /** Counter: reconnects (a subscribe with {@code since}, an HTTP downstream resumed with a cursor), tag transport. */
  public static final String RECONNECTS = "ws.reconnects";

  // ---- the protocol ----

  /** Counter: publish commands received, tag {@link #TRANSPORT} ({@code admin} for the admin API). */
  public static final String PUBLISHES = "syncwire.publishes";
  /** Counter: publishes acknowledged, tag {@code duplicate}. */
  public static final String ACKS = "syncwire.acks";
  /** Timer: from a publish command's arrival to its acknowledgement leaving. */
  public static final String PUBLISH_ACK_LATENCY = "syncwire.publish.ack.latency";
  /** Counter: publications handed to subscriptions on this node. */
  public static final String DELIVERIES = "syncwire.deliveries";
  /**
   * Timer: from a publication entering this node (sequenced here, or received from its owner) to its
   * delivery to this node's subscribers.
   */
  public static final String PUBLISH_DELIVERY_LATENCY = "syncwire.publish.delivery.latency";
  /** Counter: subscribes with {@code since}, tag {@code recovered}. */
  public static final String RECOVERIES = "syncwire.recoveries";
  /** Counter: {@code reset} frames sent, tag {@link #REASON}. */
  public static final String RESETS = "syncwire.resets";
  /** Counter: pushes sent as the merge of several queued patches. */
  public static final String CONFLATIONS = "syncwire.conflations";
  /** Counter: sessions closed by the node, tag {@code code} (the WebSocket close code, 4009 included). */
  public static final String CLOSES = "syncwire.closes";
  /** Counter: refused connects and refreshes (bad, expired or missing token). */
  public static final String AUTH_FAILURES = "syncwire.auth.failures";
  /** Counter: commands refused with {@code rate_limited}, tag {@link #TRANSPORT}. */
  public static final String RATE_LIMITED = "syncwire.rate.limited";

  // ---- the cluster ----

  /** Counter: publications this node sent to other nodes that follow their channel. */
  public static final String FANOUT_SENT = "syncwire.cluster.fanout.sent";
  /** Counter: publications received from other nodes. */
  public static final String FANOUT_RECEIVED = "syncwire.cluster.fanout.received";
  /** Counter: Hazelcast operations that carried publishes (fewer than the publishes: group commit). */
  public static final String PUBLISH_OPERATIONS = "syncwire.cluster.publish.operations";
  /** Counter: gaps repaired from the owner's history. */
  public static final String GAP_REPAIRS = "syncwire.cluster.gap.repairs";
  /** Gauge: channels whose log this node owns. */
  public static final String OWNED_CHANNELS = "syncwire.cluster.owned.channels";
  /** Gauge: 1 while every partition this node holds has its backups in sync. */
  public static final String BACKED_UP = "syncwire.cluster.backed.up";
  /** Gauge: members in the cluster. */
  public static final String MEMBERS = "syncwire.cluster.members";

  // ---- Redis ----

  /** Gauge: 1 while the node reaches Redis. */
  public static final String REDIS_UP = "syncwire.redis.up";
  /** Counter: changes between Redis reachable and not. */
  public static final String REDIS_STATE_CHANGES = "syncwire.redis.state.changes";
  /** Counter: messages the bridge took from Redis, by {@link #PATH} and {@link #OUTCOME}. */
  public static final String BRIDGE_MESSAGES = "syncwire.redis.bridge.messages";
  /** Counter: channel-log writes to Redis that failed (their publishes were refused with unavailable). */
  public static final String REDIS_HISTORY_FAILURES = "syncwire.redis.history.failures";

  // ---- the node ----

  /** Gauge: 1 while the memory guard sheds load. */
  public static final String GUARD_ENGAGED = "syncwire.guard.engaged";
  /** Gauge: old generation in use after its last collection, in % of its maximum. */
  public static final String GUARD_HEAP_PERCENT = "syncwire.guard.heap.after.gc.percent";
  /** Counter: times the guard engaged. */
  public static final String GUARD_ENGAGEMENTS = "syncwire.guard.engagements";
  /** Gauge: 1 while the node is ready for new clients. */
  public static final String READY = "syncwire.ready";
  /** Gauge: 1 while the node drains. */
  public static final String DRAINING = "syncwire.draining";

  // ---- tags ----

  public static final String TRANSPORT = "transport";
  public static final String REASON = "reason";
  public static final String CODE = "code";
  public static final String TENANT = "tenant";
  /** The bridge's path: {@code pubsub} or {@code stream}. */
  public static final String PATH = "path";
  /** What became of a bridged message: {@code published}, {@code duplicate}, {@code invalid}, {@code failed}. */
  public static final String OUTCOME = "outcome";
}
