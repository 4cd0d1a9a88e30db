package dev.syncwire.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The node's configuration. {@link #KEYS} is the one list of every key with its default; a JSON file
 * holds any subset of them as nested objects ({@code {"http":{"port":8080}}}).
 */
public final class SyncwireConfig {
  private static final long MAX_INT = Integer.MAX_VALUE;

  /** Every configuration key, in the order the README documents them. */
  public static final List<ConfigKey> KEYS = List.of(
      ConfigKey.string("node.id", "", "node name in /info and replies; empty = random"),
      ConfigKey.integer("node.eventLoops", 0, 0, 1024, "event-loop threads and gateway instances; 0 = one per CPU"),
      ConfigKey.string("http.host", "0.0.0.0", "interface of the client port"),
      ConfigKey.integer("http.port", 8080, 0, 65535, "client port: /ws, /info, /health, /ready; 0 = any free port"),
      ConfigKey.string("admin.host", "127.0.0.1", "interface of the admin port"),
      ConfigKey.integer("admin.port", 8081, 0, 65535, "admin port; 0 = any free port"),
      ConfigKey.string("admin.key", "", "bearer key for /api/v1; empty disables the admin API"),
      ConfigKey.integer("heartbeat.intervalMs", 30000, 50, MAX_INT, "WebSocket ping interval"),
      ConfigKey.integer("heartbeat.maxMissedPongs", 3, 1, 1000, "pongs missed in a row before a connection is terminated"),
      ConfigKey.integer("limits.maxFrameBytes", 65536, 256, 16 * 1024 * 1024, "largest inbound message (after inflation)"),
      ConfigKey.integer("limits.connectTimeoutMs", 5000, 50, MAX_INT, "time allowed between upgrade and connect"),
      ConfigKey.integer("limits.maxSubscriptions", 128, 1, 1_000_000, "channels one session may follow"),
      ConfigKey.integer("limits.outboundBufferBytes", 1024 * 1024, 1024, 1024L * 1024 * 1024, "bytes queued for one slow subscriber before it is cut off"),
      ConfigKey.integer("limits.commandRate", 1000, 0, MAX_INT, "commands per second one session may send; 0 = unlimited"),
      ConfigKey.integer("limits.commandBurst", 2000, 1, MAX_INT, "commands a session may send at once above the rate"),
      ConfigKey.integer("limits.outboundHighWaterBytes", 256 * 1024, 0, 1024L * 1024 * 1024, "queued bytes above which a slow subscriber's patches are conflated"),
      ConfigKey.integer("limits.connectionsPerIp", 0, 0, MAX_INT, "live sessions (WebSocket and HTTP) from one client address; 0 = unlimited"),
      ConfigKey.integer("limits.connectionsPerTenant", 0, 0, MAX_INT, "live sessions of one tenant on this node; 0 = unlimited"),
      ConfigKey.integer("limits.nodeOutboundBytes", 0, 0, Long.MAX_VALUE, "bytes queued for all slow subscribers of a node before the largest are cut off; 0 = an eighth of the maximum heap"),
      ConfigKey.integer("guard.heapHighPercent", 80, 1, 100, "heap in use after collection at which the node sheds load"),
      ConfigKey.integer("guard.heapLowPercent", 70, 1, 100, "heap in use after collection under which a shedding node accepts again"),
      ConfigKey.integer("guard.checkIntervalMs", 500, 10, 60_000, "how often the memory guard and the node-wide bounds are checked"),
      ConfigKey.integer("history.size", 1000, 0, 1_000_000, "publications each channel keeps for recovery (per tenant too)"),
      ConfigKey.integer("history.ttlMs", 300_000, 0, MAX_INT * 1000L, "how long history keeps a publication (per tenant too)"),
      ConfigKey.integer("history.maxBytes", 4L * 1024 * 1024, 0, Long.MAX_VALUE, "bytes each channel's history may hold; the oldest go first (per tenant too)"),
      ConfigKey.integer("history.tenantMaxBytes", 0, 0, Long.MAX_VALUE, "bytes the histories of one tenant may hold on a node; 0 = only the node's budget"),
      ConfigKey.integer("history.nodeMaxBytes", 0, 0, Long.MAX_VALUE, "bytes all histories of a node may hold; 0 = a quarter of the maximum heap"),
      ConfigKey.integer("dedup.windowMs", 600_000, 0, MAX_INT * 1000L, "how long a publish key is remembered"),
      ConfigKey.integer("dedup.maxKeys", 10_000, 0, 10_000_000, "publish keys remembered per channel; the oldest go first"),
      ConfigKey.integer("state.maxEntities", 10_000, 1, 10_000_000, "entities one channel's state may hold"),
      ConfigKey.integer("state.maxFields", 256, 1, 1_000_000, "fields one entity may hold"),
      ConfigKey.integer("state.maxValueBytes", 16 * 1024, 1, 16L * 1024 * 1024, "largest field value, encoded as JSON"),
      ConfigKey.integer("proto.compressAboveBytes", 1024, 0, MAX_INT, "binary pushes deflate state patches larger than this"),
      ConfigKey.string("cluster.name", "syncwire", "Hazelcast cluster name; nodes join only their own cluster"),
      ConfigKey.integer("cluster.port", 5701, 1, 65535, "first Hazelcast member port tried (the next free one up is taken)"),
      ConfigKey.integer("cluster.backups", 1, 0, 6, "copies of each channel on other nodes, made before a publish is acknowledged"),
      ConfigKey.string("cluster.config", "cluster.xml", "Hazelcast configuration file; the embedded copy when the file is absent"),
      ConfigKey.stringList("cluster.members", "TCP-IP members to join (host or host:port); empty = those of the file"),
      ConfigKey.integer("cluster.announceIntervalMs", 1000, 50, 60_000, "how often channel owners announce their position to subscribed nodes"),
      ConfigKey.integer("cluster.publishBatch", 64, 1, 1024, "publishes to one channel that may share one cluster operation and backup (1 = each alone)"),
      ConfigKey.integer("cluster.repairDelayMs", 200, 0, 60_000, "how long a node waits for a missing publication before repairing from history"),
      ConfigKey.integer("sse.keepaliveMs", 15_000, 50, MAX_INT, "interval of the \": hb\" comment on SSE streams"),
      ConfigKey.integer("sse.retryMs", 1000, 0, MAX_INT, "reconnect delay suggested to EventSource (the retry: field)"),
      ConfigKey.integer("longpoll.timeoutMs", 25_000, 50, MAX_INT, "how long a poll waits for pushes before answering empty"),
      ConfigKey.integer("session.lingerMs", 30_000, 100, MAX_INT, "how long an HTTP session lives without a downstream or a request"),
      ConfigKey.integer("http.maxSendBytes", 65_536, 256, 16L * 1024 * 1024, "largest POST /send body"),
      ConfigKey.integer("http.maxCommandsPerSend", 100, 1, 100_000, "commands one POST /send may carry"),
      ConfigKey.stringList("http.allowedOrigins", "browser origins allowed by CORS on /send, /sse, /poll; empty = any"),
      ConfigKey.integer("http.headerTimeoutMs", 10_000, 50, MAX_INT, "time from a connection's accept (a later request's first byte) to its complete request line and headers"),
      ConfigKey.integer("http.bodyTimeoutMs", 30_000, 50, MAX_INT, "time from a request's headers to the end of its body before 408"),
      ConfigKey.integer("http.idleTimeoutMs", 60_000, 50, MAX_INT, "time a keep-alive connection may wait for its next request"),
      ConfigKey.stringList("http.trustedProxies", "proxies (IPs or CIDR blocks) whose X-Forwarded-For names the client; empty = none"),
      ConfigKey.stringList("websocket.allowedOrigins", "exact Origin values allowed to open /ws; empty = any"),
      ConfigKey.bool("websocket.compression", false, "permessage-deflate"),
      ConfigKey.integer("websocket.handshakeTimeoutMs", 10_000, 50, MAX_INT, "time from the start of a /ws request to its upgrade"),
      ConfigKey.tenants("tenants", "tenants: id, keys, anonymous, clientPublish")
  );

  private final Map<String, Object> values;
  private final List<TenantConfig> tenants;
  private final List<AddressRange> trustedProxies;

  private SyncwireConfig(Map<String, Object> values) {
    this.values = values;
    this.tenants = TenantConfig.parseAll("tenants", (JsonArray) values.get("tenants"));
    this.trustedProxies = AddressRange.parseAll("http.trustedProxies", strings("http.trustedProxies"));
    if (guardHeapLowPercent() > guardHeapHighPercent()) {
      throw new ConfigException("guard.heapLowPercent", "must not be above guard.heapHighPercent ("
          + guardHeapHighPercent() + ")", guardHeapLowPercent());
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
      ConfigKey key = find(e.getKey());
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
        set(merged, find(path), value);
      }
    });
    env.forEach((name, value) -> {
      if (name.startsWith("SYNCWIRE_")) {
        ConfigKey key = KEYS.stream().filter(k -> k.envName().equals(name)).findFirst()
            .orElseThrow(() -> new ConfigException("environment variable " + name + " names no config key"));
        set(merged, key, value);
      }
    });
    fromJson(merged);
    return merged;
  }

  private static void set(JsonObject json, ConfigKey key, String text) {
    Object value = key.parse(text);
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

  private static Map<String, Object> defaults() {
    Map<String, Object> values = new LinkedHashMap<>();
    for (ConfigKey key : KEYS) {
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

  private static ConfigKey find(String path) {
    return KEYS.stream().filter(k -> k.path().equals(path)).findFirst().orElseThrow(() -> unknown(path));
  }

  private static ConfigException unknown(String path) {
    List<String> near = new ArrayList<>();
    String head = path.contains(".") ? path.substring(0, path.indexOf('.') + 1) : path;
    for (ConfigKey k : KEYS) {
      if (k.path().startsWith(head)) {
        near.add(k.path());
      }
    }
    return new ConfigException("config key '" + path + "' is not a known key"
        + (near.isEmpty() ? "" : " (did you mean one of " + String.join(", ", near) + "?)"));
  }

  private long num(String path) {
    return (Long) values.get(path);
  }

  public String nodeId() {
    return (String) values.get("node.id");
  }

  public int eventLoops() {
    int configured = (int) num("node.eventLoops");
    return configured > 0 ? configured : Runtime.getRuntime().availableProcessors();
  }

  public String httpHost() {
    return (String) values.get("http.host");
  }

  public int httpPort() {
    return (int) num("http.port");
  }

  public String adminHost() {
    return (String) values.get("admin.host");
  }

  public int adminPort() {
    return (int) num("admin.port");
  }

  public String adminKey() {
    return (String) values.get("admin.key");
  }

  public long heartbeatIntervalMs() {
    return num("heartbeat.intervalMs");
  }

  public int heartbeatMaxMissedPongs() {
    return (int) num("heartbeat.maxMissedPongs");
  }

  public int maxFrameBytes() {
    return (int) num("limits.maxFrameBytes");
  }

  public long connectTimeoutMs() {
    return num("limits.connectTimeoutMs");
  }

  public int maxSubscriptions() {
    return (int) num("limits.maxSubscriptions");
  }

  public long outboundBufferBytes() {
    return num("limits.outboundBufferBytes");
  }

  public int commandRate() {
    return (int) num("limits.commandRate");
  }

  public int commandBurst() {
    return (int) num("limits.commandBurst");
  }

  public long outboundHighWaterBytes() {
    return num("limits.outboundHighWaterBytes");
  }

  public int historySize() {
    return (int) num("history.size");
  }

  public long historyTtlMs() {
    return num("history.ttlMs");
  }

  /** Bytes all slow subscribers of the node may have queued: the configured bytes, or an eighth of the heap. */
  public long nodeOutboundBytes() {
    long v = num("limits.nodeOutboundBytes");
    return v == 0 ? Runtime.getRuntime().maxMemory() / 8 : v;
  }

  public int guardHeapHighPercent() {
    return (int) num("guard.heapHighPercent");
  }

  public int guardHeapLowPercent() {
    return (int) num("guard.heapLowPercent");
  }

  public long guardCheckIntervalMs() {
    return num("guard.checkIntervalMs");
  }

  public long historyMaxBytes() {
    return num("history.maxBytes");
  }

  /** One tenant's history budget on this node; {@code Long.MAX_VALUE} when only the node's applies. */
  public long historyTenantMaxBytes() {
    long v = num("history.tenantMaxBytes");
    return v == 0 ? Long.MAX_VALUE : v;
  }

  /** The node's history budget: the configured bytes, or a quarter of the maximum heap. */
  public long historyNodeMaxBytes() {
    long v = num("history.nodeMaxBytes");
    return v == 0 ? Runtime.getRuntime().maxMemory() / 4 : v;
  }

  public long dedupWindowMs() {
    return num("dedup.windowMs");
  }

  public int dedupMaxKeys() {
    return (int) num("dedup.maxKeys");
  }

  public int stateMaxEntities() {
    return (int) num("state.maxEntities");
  }

  public int stateMaxFields() {
    return (int) num("state.maxFields");
  }

  public int stateMaxValueBytes() {
    return (int) num("state.maxValueBytes");
  }

  public int protoCompressAboveBytes() {
    return (int) num("proto.compressAboveBytes");
  }

  public String clusterName() {
    return (String) values.get("cluster.name");
  }

  public int clusterPort() {
    return (int) num("cluster.port");
  }

  public int clusterBackups() {
    return (int) num("cluster.backups");
  }

  public String clusterConfig() {
    return (String) values.get("cluster.config");
  }

  public List<String> clusterMembers() {
    List<String> out = new ArrayList<>();
    ((JsonArray) values.get("cluster.members")).forEach(o -> out.add((String) o));
    return out;
  }

  public long clusterAnnounceIntervalMs() {
    return num("cluster.announceIntervalMs");
  }

  public int clusterPublishBatch() {
    return (int) num("cluster.publishBatch");
  }

  public long clusterRepairDelayMs() {
    return num("cluster.repairDelayMs");
  }

  public long sseKeepaliveMs() {
    return num("sse.keepaliveMs");
  }

  public long sseRetryMs() {
    return num("sse.retryMs");
  }

  public long longpollTimeoutMs() {
    return num("longpoll.timeoutMs");
  }

  public long sessionLingerMs() {
    return num("session.lingerMs");
  }

  public int httpMaxSendBytes() {
    return (int) num("http.maxSendBytes");
  }

  public int httpMaxCommandsPerSend() {
    return (int) num("http.maxCommandsPerSend");
  }

  public List<String> httpAllowedOrigins() {
    List<String> out = new ArrayList<>();
    ((JsonArray) values.get("http.allowedOrigins")).forEach(o -> out.add((String) o));
    return out;
  }

  public List<String> allowedOrigins() {
    List<String> out = new ArrayList<>();
    ((JsonArray) values.get("websocket.allowedOrigins")).forEach(o -> out.add((String) o));
    return out;
  }

  public boolean compression() {
    return (Boolean) values.get("websocket.compression");
  }

  public long httpHeaderTimeoutMs() {
    return num("http.headerTimeoutMs");
  }

  public long httpBodyTimeoutMs() {
    return num("http.bodyTimeoutMs");
  }

  public long httpIdleTimeoutMs() {
    return num("http.idleTimeoutMs");
  }

  public long websocketHandshakeTimeoutMs() {
    return num("websocket.handshakeTimeoutMs");
  }

  public List<AddressRange> httpTrustedProxies() {
    return trustedProxies;
  }

  public int connectionsPerIp() {
    return (int) num("limits.connectionsPerIp");
  }

  public int connectionsPerTenant() {
    return (int) num("limits.connectionsPerTenant");
  }

  private List<String> strings(String path) {
    List<String> out = new ArrayList<>();
    ((JsonArray) values.get(path)).forEach(o -> out.add((String) o));
    return out;
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
