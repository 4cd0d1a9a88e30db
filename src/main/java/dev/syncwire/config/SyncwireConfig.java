package dev.syncwire.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.syncwire.config.ConfigKey.bool;
import static dev.syncwire.config.ConfigKey.integer;
import static dev.syncwire.config.ConfigKey.string;
import static dev.syncwire.config.ConfigKey.stringList;

/**
 * The node's configuration. Each key is a constant below with its type, default, range and meaning, and
 * {@link #KEYS} lists them all; a JSON file holds any subset of them as nested objects
 * ({@code {"http":{"port":8080}}}). The values are read once, at start, into one record per component
 * ({@link #http()}, {@link #limits()}, ...): code elsewhere reads those records, so a key is named by its
 * text only here, and a misspelt constant does not compile.
 */
public final class SyncwireConfig {
  private static final long MAX_INT = Integer.MAX_VALUE;

  public static final ConfigKey<String> NODE_ID =
      string("node.id", "", "node name in /info and replies; empty = random");
  public static final ConfigKey<Long> NODE_EVENT_LOOPS =
      integer("node.eventLoops", 0, 0, 1024, "event-loop threads and gateway instances; 0 = one per CPU");
  public static final ConfigKey<String> LOG_FORMAT =
      string("log.format", "text", "log lines: text (java.util.logging's two-line format) or json (one object a line)");
  public static final ConfigKey<String> HTTP_HOST =
      string("http.host", "0.0.0.0", "interface of the client port");
  public static final ConfigKey<Long> HTTP_PORT =
      integer("http.port", 8080, 0, 65535, "client port: /ws, /info, /health, /ready; 0 = any free port");
  public static final ConfigKey<String> HTTP_TLS_CERT_PATH =
      string("http.tls.certPath", "", "PEM certificate chain of the client port; empty = plain HTTP");
  public static final ConfigKey<String> HTTP_TLS_KEY_PATH =
      string("http.tls.keyPath", "", "PEM private key (PKCS#8) of http.tls.certPath");
  public static final ConfigKey<String> ADMIN_HOST =
      string("admin.host", "127.0.0.1", "interface of the admin port");
  public static final ConfigKey<Long> ADMIN_PORT =
      integer("admin.port", 8081, 0, 65535, "admin port; 0 = any free port");
  public static final ConfigKey<String> ADMIN_KEY =
      string("admin.key", "", "bearer key for /api/v1; empty disables the admin API");
  public static final ConfigKey<String> ADMIN_TLS_CERT_PATH =
      string("admin.tls.certPath", "", "PEM certificate chain of the admin port; empty = plain HTTP");
  public static final ConfigKey<String> ADMIN_TLS_KEY_PATH =
      string("admin.tls.keyPath", "", "PEM private key (PKCS#8) of admin.tls.certPath");
  public static final ConfigKey<Long> HEARTBEAT_INTERVAL_MS =
      integer("heartbeat.intervalMs", 30000, 50, MAX_INT, "WebSocket ping interval");
  public static final ConfigKey<Long> HEARTBEAT_MAX_MISSED_PONGS =
      integer("heartbeat.maxMissedPongs", 3, 1, 1000, "pongs missed in a row before a connection is terminated");
  public static final ConfigKey<Long> LIMITS_MAX_FRAME_BYTES =
      integer("limits.maxFrameBytes", 65536, 256, 16 * 1024 * 1024, "largest inbound message (after inflation)");
  public static final ConfigKey<Long> LIMITS_CONNECT_TIMEOUT_MS =
      integer("limits.connectTimeoutMs", 5000, 50, MAX_INT, "time allowed between upgrade and connect");
  public static final ConfigKey<Long> LIMITS_MAX_SUBSCRIPTIONS =
      integer("limits.maxSubscriptions", 128, 1, 1_000_000, "channels one session may follow");
  public static final ConfigKey<Long> LIMITS_OUTBOUND_BUFFER_BYTES =
      integer("limits.outboundBufferBytes", 1024 * 1024, 1024, 1024L * 1024 * 1024,
          "bytes queued for one slow subscriber before it is cut off");
  public static final ConfigKey<Long> LIMITS_COMMAND_RATE =
      integer("limits.commandRate", 1000, 0, MAX_INT, "commands per second one session may send; 0 = unlimited");
  public static final ConfigKey<Long> LIMITS_COMMAND_BURST =
      integer("limits.commandBurst", 2000, 1, MAX_INT, "commands a session may send at once above the rate");
  public static final ConfigKey<Long> LIMITS_OUTBOUND_HIGH_WATER_BYTES =
      integer("limits.outboundHighWaterBytes", 256 * 1024, 0, 1024L * 1024 * 1024,
          "queued bytes above which a slow subscriber's patches are conflated");
  public static final ConfigKey<Long> LIMITS_CONNECTIONS_PER_IP =
      integer("limits.connectionsPerIp", 0, 0, MAX_INT,
          "live sessions (WebSocket and HTTP) from one client address; 0 = unlimited");
  public static final ConfigKey<Long> LIMITS_CONNECTIONS_PER_TENANT =
      integer("limits.connectionsPerTenant", 0, 0, MAX_INT,
          "live sessions of one tenant on this node; 0 = unlimited");
  public static final ConfigKey<Long> LIMITS_NODE_OUTBOUND_BYTES =
      integer("limits.nodeOutboundBytes", 0, 0, Long.MAX_VALUE,
          "bytes queued for all slow subscribers of a node before the largest are cut off;"
              + " 0 = an eighth of the maximum heap");
  public static final ConfigKey<Long> GUARD_HEAP_HIGH_PERCENT =
      integer("guard.heapHighPercent", 80, 1, 100, "heap in use after collection at which the node sheds load");
  public static final ConfigKey<Long> GUARD_HEAP_LOW_PERCENT =
      integer("guard.heapLowPercent", 70, 1, 100,
          "heap in use after collection under which a shedding node accepts again");
  public static final ConfigKey<Long> GUARD_CHECK_INTERVAL_MS =
      integer("guard.checkIntervalMs", 500, 10, 60_000,
          "how often the memory guard and the node-wide bounds are checked");
  public static final ConfigKey<Long> HISTORY_SIZE =
      integer("history.size", 1000, 0, 1_000_000, "publications each channel keeps for recovery (per tenant too)");
  public static final ConfigKey<Long> HISTORY_TTL_MS =
      integer("history.ttlMs", 300_000, 0, MAX_INT * 1000L, "how long history keeps a publication (per tenant too)");
  public static final ConfigKey<Long> HISTORY_MAX_BYTES =
      integer("history.maxBytes", 4L * 1024 * 1024, 0, Long.MAX_VALUE,
          "bytes each channel's history may hold; the oldest go first (per tenant too)");
  public static final ConfigKey<Long> HISTORY_TENANT_MAX_BYTES =
      integer("history.tenantMaxBytes", 0, 0, Long.MAX_VALUE,
          "bytes the histories of one tenant may hold on a node; 0 = only the node's budget");
  public static final ConfigKey<Long> HISTORY_NODE_MAX_BYTES =
      integer("history.nodeMaxBytes", 0, 0, Long.MAX_VALUE,
          "bytes all histories of a node may hold; 0 = a quarter of the maximum heap");
  public static final ConfigKey<String> HISTORY_STORE =
      string("history.store", "memory",
          "where channel logs are kept beyond the nodes: memory (the nodes only) or redis (a stream per channel)");
  public static final ConfigKey<Long> DEDUP_WINDOW_MS =
      integer("dedup.windowMs", 600_000, 0, MAX_INT * 1000L, "how long a publish key is remembered");
  public static final ConfigKey<Long> DEDUP_MAX_KEYS =
      integer("dedup.maxKeys", 10_000, 0, 10_000_000, "publish keys remembered per channel; the oldest go first");
  public static final ConfigKey<Long> STATE_MAX_ENTITIES =
      integer("state.maxEntities", 10_000, 1, 10_000_000, "entities one channel's state may hold");
  public static final ConfigKey<Long> STATE_MAX_FIELDS =
      integer("state.maxFields", 256, 1, 1_000_000, "fields one entity may hold");
  public static final ConfigKey<Long> STATE_MAX_VALUE_BYTES =
      integer("state.maxValueBytes", 16 * 1024, 1, 16L * 1024 * 1024, "largest field value, encoded as JSON");
  public static final ConfigKey<Long> PROTO_COMPRESS_ABOVE_BYTES =
      integer("proto.compressAboveBytes", 1024, 0, MAX_INT, "binary pushes deflate state patches larger than this");
  public static final ConfigKey<String> CLUSTER_NAME =
      string("cluster.name", "syncwire", "Hazelcast cluster name; nodes join only their own cluster");
  public static final ConfigKey<Long> CLUSTER_PORT =
      integer("cluster.port", 5701, 1, 65535, "first Hazelcast member port tried (the next free one up is taken)");
  public static final ConfigKey<Long> CLUSTER_BACKUPS =
      integer("cluster.backups", 1, 0, 6,
          "copies of each channel on other nodes, made before a publish is acknowledged");
  public static final ConfigKey<String> CLUSTER_CONFIG =
      string("cluster.config", "cluster.xml",
          "Hazelcast configuration file; the embedded copy when the file is absent");
  public static final ConfigKey<JsonArray> CLUSTER_MEMBERS =
      stringList("cluster.members", "TCP-IP members to join (host or host:port); empty = those of the file");
  public static final ConfigKey<Long> CLUSTER_ANNOUNCE_INTERVAL_MS =
      integer("cluster.announceIntervalMs", 1000, 50, 60_000,
          "how often channel owners announce their position to subscribed nodes");
  public static final ConfigKey<Long> CLUSTER_PUBLISH_BATCH =
      integer("cluster.publishBatch", 64, 1, 1024,
          "publishes to one channel that may share one cluster operation and backup (1 = each alone)");
  public static final ConfigKey<Long> CLUSTER_PARTITIONS =
      integer("cluster.partitions", 271, 1, 4096,
          "partitions of the cluster (Hazelcast's partition count), each owned and backed up as one; publishes "
              + "waiting at a node for channels of one partition share an operation; the same on every node");
  public static final ConfigKey<Long> CLUSTER_REPAIR_DELAY_MS =
      integer("cluster.repairDelayMs", 200, 0, 60_000,
          "how long a node waits for a missing publication before repairing from history");
  public static final ConfigKey<Long> SSE_KEEPALIVE_MS =
      integer("sse.keepaliveMs", 15_000, 50, MAX_INT, "interval of the \": hb\" comment on SSE streams");
  public static final ConfigKey<Long> SSE_RETRY_MS =
      integer("sse.retryMs", 1000, 0, MAX_INT, "reconnect delay suggested to EventSource (the retry: field)");
  public static final ConfigKey<Long> LONGPOLL_TIMEOUT_MS =
      integer("longpoll.timeoutMs", 25_000, 50, MAX_INT, "how long a poll waits for pushes before answering empty");
  public static final ConfigKey<Long> SESSION_LINGER_MS =
      integer("session.lingerMs", 30_000, 100, MAX_INT,
          "how long an HTTP session lives without a downstream or a request");
  public static final ConfigKey<Long> HTTP_MAX_SEND_BYTES =
      integer("http.maxSendBytes", 65_536, 256, 16L * 1024 * 1024, "largest POST /send body");
  public static final ConfigKey<Long> HTTP_MAX_COMMANDS_PER_SEND =
      integer("http.maxCommandsPerSend", 100, 1, 100_000, "commands one POST /send may carry");
  public static final ConfigKey<JsonArray> HTTP_ALLOWED_ORIGINS =
      stringList("http.allowedOrigins", "browser origins allowed by CORS on /send, /sse, /poll, /info; empty = any");
  public static final ConfigKey<Long> HTTP_HEADER_TIMEOUT_MS =
      integer("http.headerTimeoutMs", 10_000, 50, MAX_INT,
          "time from a connection's accept (a later request's first byte) to its complete request line and headers");
  public static final ConfigKey<Long> HTTP_BODY_TIMEOUT_MS =
      integer("http.bodyTimeoutMs", 30_000, 50, MAX_INT,
          "time from a request's headers to the end of its body before 408");
  public static final ConfigKey<Long> HTTP_IDLE_TIMEOUT_MS =
      integer("http.idleTimeoutMs", 60_000, 50, MAX_INT,
          "time a keep-alive connection may wait for its next request");
  public static final ConfigKey<JsonArray> HTTP_TRUSTED_PROXIES =
      stringList("http.trustedProxies",
          "proxies (IPs or CIDR blocks) whose X-Forwarded-For names the client; empty = none");
  public static final ConfigKey<JsonArray> WEBSOCKET_ALLOWED_ORIGINS =
      stringList("websocket.allowedOrigins", "exact Origin values allowed to open /ws; empty = any");
  public static final ConfigKey<Boolean> WEBSOCKET_COMPRESSION =
      bool("websocket.compression", false, "permessage-deflate");
  public static final ConfigKey<Long> WEBSOCKET_HANDSHAKE_TIMEOUT_MS =
      integer("websocket.handshakeTimeoutMs", 10_000, 50, MAX_INT,
          "time from the start of a /ws request to its upgrade");
  public static final ConfigKey<Boolean> DEMO_ENABLED =
      bool("demo.enabled", false, "serve the demo page at /demo on the client port");
  public static final ConfigKey<String> REDIS_URL =
      string("redis.url", "", "Redis for the bridge and history.store redis (redis://[:password@]host:port[/db]); empty = none");
  public static final ConfigKey<Long> REDIS_TIMEOUT_MS =
      integer("redis.timeoutMs", 2000, 50, MAX_INT,
          "time one Redis command may take; past it the connection is dropped and re-opened with backoff");
  public static final ConfigKey<Boolean> REDIS_BRIDGE_ENABLED =
      bool("redis.bridge.enabled", false,
          "take publications from Redis: PUBLISH updates:tenant:<tenant>:<channel> and the stream updates:tenant:<tenant>");
  public static final ConfigKey<Long> REDIS_BRIDGE_CLAIM_IDLE_MS =
      integer("redis.bridge.claimIdleMs", 10_000, 100, MAX_INT,
          "a stream message taken by a node that stopped is taken over after being pending this long");
  public static final ConfigKey<Boolean> METRICS_REQUIRE_KEY =
      bool("metrics.requireKey", false, "GET /metrics on the admin port needs the admin key");
  public static final ConfigKey<Boolean> METRICS_PER_TENANT =
      bool("metrics.perTenant", false, "tag publish counters with the tenant (one series per tenant)");
  public static final ConfigKey<Long> DRAIN_PERIOD_MS =
      integer("drain.periodMs", 10_000, 0, MAX_INT,
          "a draining node spreads its clients' reconnects over this long");
  public static final ConfigKey<Long> DRAIN_GRACE_MS =
      integer("drain.graceMs", 5_000, 0, MAX_INT,
          "after the drain period, how long a draining node waits for its channels to move before it exits");
  public static final ConfigKey<Long> WARMUP_SESSIONS =
      integer("warmup.sessions", 256, 0, 100_000,
          "sessions a starting node runs against itself per round before it reports ready; 0 = no warm-up");
  public static final ConfigKey<Long> WARMUP_ROUNDS =
      integer("warmup.rounds", 8, 1, 1000,
          "most rounds of the start-up warm-up; it stops sooner once a round is no faster than the one before");
  public static final ConfigKey<Long> WARMUP_TIMEOUT_MS =
      integer("warmup.timeoutMs", 15_000, 100, MAX_INT, "the warm-up's time limit; the node is ready after it anyway");
  public static final ConfigKey<Boolean> OTEL_ENABLED =
      bool("otel.enabled", false, "OpenTelemetry traces, exported over OTLP (OTEL_* variables apply too)");
  public static final ConfigKey<String> OTEL_ENDPOINT =
      string("otel.endpoint", "", "OTLP/HTTP endpoint of the collector; empty = OTEL_EXPORTER_OTLP_ENDPOINT or localhost:4318");
  public static final ConfigKey<String> OTEL_SERVICE_NAME =
      string("otel.serviceName", "syncwire", "service.name of the node's spans (OTEL_SERVICE_NAME wins)");
  public static final ConfigKey<JsonArray> TENANTS =
      ConfigKey.tenants("tenants", "tenants: id, keys, anonymous, clientPublish");

  /** Every configuration key, in the order the README documents them. */
  public static final List<ConfigKey<?>> KEYS = List.of(
      NODE_ID, NODE_EVENT_LOOPS, LOG_FORMAT, HTTP_HOST, HTTP_PORT, HTTP_TLS_CERT_PATH, HTTP_TLS_KEY_PATH, ADMIN_HOST,
      ADMIN_PORT, ADMIN_KEY, ADMIN_TLS_CERT_PATH, ADMIN_TLS_KEY_PATH, HEARTBEAT_INTERVAL_MS,
      HEARTBEAT_MAX_MISSED_PONGS, LIMITS_MAX_FRAME_BYTES, LIMITS_CONNECT_TIMEOUT_MS, LIMITS_MAX_SUBSCRIPTIONS,
      LIMITS_OUTBOUND_BUFFER_BYTES, LIMITS_COMMAND_RATE, LIMITS_COMMAND_BURST, LIMITS_OUTBOUND_HIGH_WATER_BYTES,
      LIMITS_CONNECTIONS_PER_IP, LIMITS_CONNECTIONS_PER_TENANT, LIMITS_NODE_OUTBOUND_BYTES, GUARD_HEAP_HIGH_PERCENT,
      GUARD_HEAP_LOW_PERCENT, GUARD_CHECK_INTERVAL_MS, HISTORY_SIZE, HISTORY_TTL_MS, HISTORY_MAX_BYTES,
      HISTORY_TENANT_MAX_BYTES, HISTORY_NODE_MAX_BYTES, HISTORY_STORE, DEDUP_WINDOW_MS, DEDUP_MAX_KEYS, STATE_MAX_ENTITIES,
      STATE_MAX_FIELDS, STATE_MAX_VALUE_BYTES, PROTO_COMPRESS_ABOVE_BYTES, CLUSTER_NAME, CLUSTER_PORT,
      CLUSTER_BACKUPS, CLUSTER_CONFIG, CLUSTER_MEMBERS, CLUSTER_ANNOUNCE_INTERVAL_MS, CLUSTER_PUBLISH_BATCH,
      CLUSTER_REPAIR_DELAY_MS, CLUSTER_PARTITIONS, SSE_KEEPALIVE_MS, SSE_RETRY_MS, LONGPOLL_TIMEOUT_MS,
      SESSION_LINGER_MS,
      HTTP_MAX_SEND_BYTES, HTTP_MAX_COMMANDS_PER_SEND, HTTP_ALLOWED_ORIGINS, HTTP_HEADER_TIMEOUT_MS,
      HTTP_BODY_TIMEOUT_MS, HTTP_IDLE_TIMEOUT_MS, HTTP_TRUSTED_PROXIES, WEBSOCKET_ALLOWED_ORIGINS,
      WEBSOCKET_COMPRESSION, WEBSOCKET_HANDSHAKE_TIMEOUT_MS, DEMO_ENABLED, REDIS_URL, REDIS_TIMEOUT_MS,
      REDIS_BRIDGE_ENABLED, REDIS_BRIDGE_CLAIM_IDLE_MS, METRICS_REQUIRE_KEY,
      METRICS_PER_TENANT, DRAIN_PERIOD_MS, DRAIN_GRACE_MS, WARMUP_SESSIONS,
      WARMUP_ROUNDS, WARMUP_TIMEOUT_MS, OTEL_ENABLED, OTEL_ENDPOINT,
      OTEL_SERVICE_NAME, TENANTS);

  private final Map<String, Object> values;
  private final NodeConfig node;
  private final LogConfig log;
  private final OperationsConfig operations;
  private final HttpConfig http;
  private final WebSocketConfig webSocket;
  private final AdminConfig admin;
  private final HeartbeatConfig heartbeat;
  private final LimitsConfig limits;
  private final GuardConfig guard;
  private final ChannelConfig channel;
  private final ClusterConfig cluster;
  private final RedisConfig redis;
  private final List<TenantConfig> tenants;

  private SyncwireConfig(Map<String, Object> values) {
    this.values = values;
    ConfigValues v = new ConfigValues(values);
    this.tenants = TenantConfig.parseAll(TENANTS.path(), v.get(TENANTS));
    this.node = NodeConfig.from(v);
    this.log = LogConfig.from(v);
    this.http = HttpConfig.from(v);
    this.webSocket = WebSocketConfig.from(v);
    this.admin = AdminConfig.from(v);
    this.heartbeat = HeartbeatConfig.from(v);
    this.limits = LimitsConfig.from(v);
    this.guard = GuardConfig.from(v);
    this.channel = ChannelConfig.from(v);
    this.cluster = ClusterConfig.from(v);
    this.operations = OperationsConfig.from(v);
    this.redis = RedisConfig.from(v);
    if (guard.heapLowPercent() > guard.heapHighPercent()) {
      throw new ConfigException(GUARD_HEAP_LOW_PERCENT.path(), "must not be above " + GUARD_HEAP_HIGH_PERCENT.path()
          + " (" + guard.heapHighPercent() + ")", guard.heapLowPercent());
    }
  }

  /**
   * Reads a config from nested JSON, filling defaults.
   *
   * @throws ConfigException on an unknown key, a wrong type or an impossible value
   */
  public static SyncwireConfig fromJson(JsonObject json) {
    Map<String, Object> values = defaults();
    Map<String, Object> flat = new LinkedHashMap<>();
    flatten("", json == null ? new JsonObject() : json, flat);
    for (Map.Entry<String, Object> e : flat.entrySet()) {
      ConfigKey<?> key = find(e.getKey());
      values.put(key.path(), key.check(e.getValue()));
    }
    return new SyncwireConfig(values);
  }

  /**
   * Applies overrides to a nested JSON config: {@code -Dsyncwire.<key>=<value>} system properties, then
   * {@code SYNCWIRE_<KEY>} environment variables (which win).
   *
   * @return the merged JSON, validated
   */
  public static JsonObject applyOverrides(JsonObject json, Map<String, String> properties, Map<String, String> env) {
    JsonObject merged = json == null ? new JsonObject() : json.copy();
    properties.forEach((name, value) -> {
      if (name.startsWith("syncwire.")) {
        String path = name.substring("syncwire.".length());
        ConfigKey<?> key = find(path);
        putRaw(merged, key, key.parse(value));
      }
    });
    env.forEach((name, value) -> {
      if (name.startsWith("SYNCWIRE_")) {
        ConfigKey<?> key = KEYS.stream().filter(k -> k.envName().equals(name)).findFirst()
            .orElseThrow(() -> new ConfigException("environment variable " + name + " names no config key"));
        putRaw(merged, key, key.parse(value));
      }
    });
    fromJson(merged);
    return merged;
  }

  /** Sets {@code key} in a nested JSON config, making the objects on its path as needed. */
  public static <T> void put(JsonObject json, ConfigKey<T> key, T value) {
    putRaw(json, key, value);
  }

  private static void putRaw(JsonObject json, ConfigKey<?> key, Object value) {
    String[] parts = key.path().split("\\.");
    JsonObject target = json;
    for (int i = 0; i < parts.length - 1; i++) {
      Object child = target.getValue(parts[i]);
      if (!(child instanceof JsonObject)) {
        child = new JsonObject();
        target.put(parts[i], child);
      }
      target = (JsonObject) child;
    }
    target.put(parts[parts.length - 1], value);
  }

  /** What a nested JSON config holds at {@code key}, unchecked; null when nothing is there. */
  public static Object rawValue(JsonObject json, ConfigKey<?> key) {
    String[] parts = key.path().split("\\.");
    Object at = json;
    for (String part : parts) {
      if (!(at instanceof JsonObject)) {
        return null;
      }
      at = ((JsonObject) at).getValue(part);
    }
    return at;
  }

  private static Map<String, Object> defaults() {
    Map<String, Object> values = new LinkedHashMap<>();
    for (ConfigKey<?> key : KEYS) {
      values.put(key.path(), key.defaultValue());
    }
    return values;
  }

  private static void flatten(String prefix, JsonObject json, Map<String, Object> out) {
    for (String field : json.fieldNames()) {
      String path = prefix.isEmpty() ? field : prefix + "." + field;
      Object value = json.getValue(field);
      boolean isKey = KEYS.stream().anyMatch(k -> k.path().equals(path));
      if (value instanceof JsonObject && !isKey) {
        if (KEYS.stream().noneMatch(k -> k.path().startsWith(path + "."))) {
          throw unknown(path);
        }
        flatten(path, (JsonObject) value, out);
      } else if (!isKey && KEYS.stream().anyMatch(k -> k.path().startsWith(path + "."))) {
        throw new ConfigException(path, "must be an object", value);
      } else {
        out.put(path, value);
      }
    }
  }

  private static ConfigKey<?> find(String path) {
    return KEYS.stream().filter(k -> k.path().equals(path)).findFirst().orElseThrow(() -> unknown(path));
  }

  private static ConfigException unknown(String path) {
    List<String> near = new ArrayList<>();
    String head = path.contains(".") ? path.substring(0, path.indexOf('.') + 1) : path;
    for (ConfigKey<?> k : KEYS) {
      if (k.path().startsWith(head)) {
        near.add(k.path());
      }
    }
    return new ConfigException("config key '" + path + "' is not a known key"
        + (near.isEmpty() ? "" : " (did you mean one of " + String.join(", ", near) + "?)"));
  }

  public NodeConfig node() {
    return node;
  }

  public LogConfig log() {
    return log;
  }

  public HttpConfig http() {
    return http;
  }

  public WebSocketConfig webSocket() {
    return webSocket;
  }

  public AdminConfig admin() {
    return admin;
  }

  public HeartbeatConfig heartbeat() {
    return heartbeat;
  }

  public LimitsConfig limits() {
    return limits;
  }

  public GuardConfig guard() {
    return guard;
  }

  public ChannelConfig channel() {
    return channel;
  }

  public OperationsConfig operations() {
    return operations;
  }

  public RedisConfig redis() {
    return redis;
  }

  public ClusterConfig cluster() {
    return cluster;
  }

  public List<TenantConfig> tenants() {
    return tenants;
  }

  /** The effective configuration, every key with its value, as flat dotted keys. */
  public JsonObject toFlatJson() {
    JsonObject out = new JsonObject();
    values.forEach(out::put);
    return out;
  }
}
