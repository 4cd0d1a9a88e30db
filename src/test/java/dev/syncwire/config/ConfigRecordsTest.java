package dev.syncwire.config;

import dev.syncwire.testing.SelfSignedCertificate;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static dev.syncwire.config.SyncwireConfig.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The records that components read: each built from the defaults of {@link SyncwireConfig#KEYS} and from a file. */
class ConfigRecordsTest {
  private static final SyncwireConfig DEFAULTS = SyncwireConfig.fromJson(new JsonObject());
  /** Keys that are set as a pair of files, never one alone: {@link #tlsConfigsHoldBothFilesOfEachPortAndRefuseHalfAPair}. */
  private static final List<ConfigKey<String>> TLS_FILES =
      List.of(HTTP_TLS_CERT_PATH, HTTP_TLS_KEY_PATH, ADMIN_TLS_CERT_PATH, ADMIN_TLS_KEY_PATH);

  @Test
  void everyKeyConstantIsInKeysOnce() throws Exception {
    List<ConfigKey<?>> constants = new ArrayList<>();
    for (Field f : SyncwireConfig.class.getDeclaredFields()) {
      int mods = f.getModifiers();
      if (f.getType() == ConfigKey.class && Modifier.isStatic(mods) && Modifier.isPublic(mods)) {
        constants.add((ConfigKey<?>) f.get(null));
      }
    }
    assertEquals(constants.size(), KEYS.size());
    assertTrue(KEYS.containsAll(constants));
    Set<String> paths = new HashSet<>();
    for (ConfigKey<?> key : KEYS) {
      assertTrue(paths.add(key.path()), "one key per path: " + key.path());
    }
  }

  /** A key no record reads would be accepted and documented, and then do nothing. */
  @Test
  void everyKeyReachesARecord() {
    for (ConfigKey<?> key : KEYS) {
      if (TLS_FILES.contains(key)) {
        continue;
      }
      boolean changed = false;
      for (Object value : otherValues(key)) {
        SyncwireConfig c;
        JsonObject json = nested(key.path(), value);
        if (key == SyncwireConfig.HISTORY_STORE || key == SyncwireConfig.REDIS_BRIDGE_ENABLED) {
          // These need a Redis to talk to.
          json.put("redis", json.getJsonObject("redis", new JsonObject()).put("url", "redis://127.0.0.1:1"));
        }
        try {
          c = SyncwireConfig.fromJson(json);
        } catch (ConfigException e) {
          continue;
        }
        changed |= !records(c).equals(records(DEFAULTS));
      }
      assertTrue(changed, key.path() + " changes no record");
    }
  }

  @Test
  void nodeConfigHoldsTheDefaultsAndTheFile() {
    assertEquals(new NodeConfig("", Runtime.getRuntime().availableProcessors()), DEFAULTS.node());
    assertEquals(new NodeConfig("n1", 3), read("{\"node\":{\"id\":\"n1\",\"eventLoops\":3}}").node());
  }

  @Test
  void httpConfigHoldsTheDefaultsAndTheFile() {
    HttpConfig d = DEFAULTS.http();
    assertEquals(List.of(HTTP_HOST.defaultValue(), HTTP_PORT.defaultValue(), HTTP_MAX_SEND_BYTES.defaultValue(),
            HTTP_MAX_COMMANDS_PER_SEND.defaultValue(), HTTP_HEADER_TIMEOUT_MS.defaultValue(),
            HTTP_BODY_TIMEOUT_MS.defaultValue(), HTTP_IDLE_TIMEOUT_MS.defaultValue(), SSE_KEEPALIVE_MS.defaultValue(),
            SSE_RETRY_MS.defaultValue(), LONGPOLL_TIMEOUT_MS.defaultValue(), SESSION_LINGER_MS.defaultValue()),
        List.of(d.host(), (long) d.port(), (long) d.maxSendBytes(), (long) d.maxCommandsPerSend(), d.headerTimeoutMs(),
            d.bodyTimeoutMs(), d.idleTimeoutMs(), d.sseKeepaliveMs(), d.sseRetryMs(), d.longpollTimeoutMs(),
            d.sessionLingerMs()));
    assertEquals(List.of(), d.allowedOrigins());
    assertEquals(List.of(), d.trustedProxies());

    HttpConfig f = read("{\"http\":{\"host\":\"10.0.0.1\",\"port\":9000,\"maxSendBytes\":1000,\"maxCommandsPerSend\":7,"
        + "\"allowedOrigins\":[\"https://a\"],\"headerTimeoutMs\":101,\"bodyTimeoutMs\":102,\"idleTimeoutMs\":103,"
        + "\"trustedProxies\":[\"10.0.0.0/8\"]},\"sse\":{\"keepaliveMs\":104,\"retryMs\":105},"
        + "\"longpoll\":{\"timeoutMs\":106},\"session\":{\"lingerMs\":107}}").http();
    assertEquals(List.of("10.0.0.1", 9000, 1000, 7, List.of("https://a"), 101L, 102L, 103L, 104L, 105L, 106L, 107L),
        List.of(f.host(), f.port(), f.maxSendBytes(), f.maxCommandsPerSend(), f.allowedOrigins(), f.headerTimeoutMs(),
            f.bodyTimeoutMs(), f.idleTimeoutMs(), f.sseKeepaliveMs(), f.sseRetryMs(), f.longpollTimeoutMs(),
            f.sessionLingerMs()));
    assertEquals("[10.0.0.0/8]", f.trustedProxies().toString());
  }

  @Test
  void webSocketConfigHoldsTheDefaultsAndTheFile() {
    assertEquals(new WebSocketConfig(List.of(), WEBSOCKET_COMPRESSION.defaultValue(),
            WEBSOCKET_HANDSHAKE_TIMEOUT_MS.defaultValue(), (int) (long) LIMITS_MAX_FRAME_BYTES.defaultValue(),
            (int) (long) PROTO_COMPRESS_ABOVE_BYTES.defaultValue()),
        DEFAULTS.webSocket());
    assertEquals(new WebSocketConfig(List.of("https://a", "https://b"), true, 200, 1000, 0),
        read("{\"websocket\":{\"allowedOrigins\":[\"https://a\",\"https://b\"],\"compression\":true,"
            + "\"handshakeTimeoutMs\":200},\"limits\":{\"maxFrameBytes\":1000},\"proto\":{\"compressAboveBytes\":0}}")
            .webSocket());
  }

  @Test
  void adminConfigHoldsTheDefaultsAndTheFileAndHidesItsKey() {
    assertEquals(new AdminConfig(ADMIN_HOST.defaultValue(), (int) (long) ADMIN_PORT.defaultValue(), ""),
        DEFAULTS.admin());
    AdminConfig f = read("{\"admin\":{\"host\":\"0.0.0.0\",\"port\":9001,\"key\":\"s3cret\"}}").admin();
    assertEquals(new AdminConfig("0.0.0.0", 9001, "s3cret"), f);
    assertFalse(f.toString().contains("s3cret"), f.toString());
  }

  @Test
  void tlsConfigsHoldBothFilesOfEachPortAndRefuseHalfAPair(@TempDir Path dir) throws IOException {
    assertEquals(TlsConfig.OFF, DEFAULTS.http().tls());
    assertEquals(TlsConfig.OFF, DEFAULTS.admin().tls());
    SelfSignedCertificate certificate = SelfSignedCertificate.create(dir, "config");
    SyncwireConfig c = SyncwireConfig.fromJson(new JsonObject()
        .put("http", new JsonObject().put("tls", certificate.tlsConfig()))
        .put("admin", new JsonObject().put("tls", certificate.tlsConfig())));
    String keyPem = Files.readString(certificate.keyPath());
    for (TlsConfig tls : List.of(c.http().tls(), c.admin().tls())) {
      assertTrue(tls.enabled());
      assertEquals(List.of(certificate.certPath().toString(), certificate.keyPath().toString(),
          Files.readString(certificate.certPath()), keyPem), List.of(tls.certPath(), tls.keyPath(), tls.certPem(),
          tls.keyPem()));
      assertFalse(tls.toString().contains("PRIVATE KEY"), tls.toString());
    }
    for (ConfigKey<String> key : TLS_FILES) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> SyncwireConfig.fromJson(nested(key.path(), certificate.certPath().toString())));
      assertTrue(e.getMessage().startsWith("config key '"), e.getMessage());
      assertTrue(e.getMessage().contains(key.path()), key.path() + " alone: " + e.getMessage());
    }
  }

  @Test
  void logConfigHoldsTheDefaultAndTheFile() {
    assertEquals(new LogConfig(false), DEFAULTS.log());
    assertEquals(new LogConfig(true), read("{\"log\":{\"format\":\"json\"}}").log());
    ConfigException e = assertThrows(ConfigException.class, () -> read("{\"log\":{\"format\":\"xml\"}}"));
    assertEquals("config key 'log.format' must be \"text\" or \"json\" (got \"xml\")", e.getMessage());
  }

  @Test
  void heartbeatConfigHoldsTheDefaultsAndTheFile() {
    assertEquals(new HeartbeatConfig(HEARTBEAT_INTERVAL_MS.defaultValue(),
        (int) (long) HEARTBEAT_MAX_MISSED_PONGS.defaultValue()), DEFAULTS.heartbeat());
    assertEquals(new HeartbeatConfig(500, 9),
        read("{\"heartbeat\":{\"intervalMs\":500,\"maxMissedPongs\":9}}").heartbeat());
  }

  @Test
  void limitsConfigHoldsTheDefaultsAndTheFile() {
    assertEquals(new LimitsConfig(LIMITS_CONNECT_TIMEOUT_MS.defaultValue(),
        (int) (long) LIMITS_MAX_SUBSCRIPTIONS.defaultValue(), LIMITS_OUTBOUND_BUFFER_BYTES.defaultValue(),
        LIMITS_OUTBOUND_HIGH_WATER_BYTES.defaultValue(), (int) (long) LIMITS_COMMAND_RATE.defaultValue(),
        (int) (long) LIMITS_COMMAND_BURST.defaultValue(), 0, 0), DEFAULTS.limits());
    assertEquals(new LimitsConfig(100, 2, 4096, 1024, 5, 6, 7, 8), read("{\"limits\":{\"connectTimeoutMs\":100,"
        + "\"maxSubscriptions\":2,\"outboundBufferBytes\":4096,\"outboundHighWaterBytes\":1024,\"commandRate\":5,"
        + "\"commandBurst\":6,\"connectionsPerIp\":7,\"connectionsPerTenant\":8}}").limits());
  }

  @Test
  void guardConfigHoldsTheDefaultsAndTheFile() {
    assertEquals(new GuardConfig((int) (long) GUARD_HEAP_HIGH_PERCENT.defaultValue(),
        (int) (long) GUARD_HEAP_LOW_PERCENT.defaultValue(), GUARD_CHECK_INTERVAL_MS.defaultValue(),
        Runtime.getRuntime().maxMemory() / 8), DEFAULTS.guard());
    assertEquals(new GuardConfig(90, 60, 50, 12345), read("{\"guard\":{\"heapHighPercent\":90,\"heapLowPercent\":60,"
        + "\"checkIntervalMs\":50},\"limits\":{\"nodeOutboundBytes\":12345}}").guard());
  }

  @Test
  void channelConfigHoldsTheDefaultsAndTheFile() {
    assertEquals(new ChannelConfig((int) (long) HISTORY_SIZE.defaultValue(), HISTORY_TTL_MS.defaultValue(),
        HISTORY_MAX_BYTES.defaultValue(), Long.MAX_VALUE, Runtime.getRuntime().maxMemory() / 4,
        DEDUP_WINDOW_MS.defaultValue(), (int) (long) DEDUP_MAX_KEYS.defaultValue(),
        (int) (long) STATE_MAX_ENTITIES.defaultValue(), (int) (long) STATE_MAX_FIELDS.defaultValue(),
        (int) (long) STATE_MAX_VALUE_BYTES.defaultValue()), DEFAULTS.channel());
    assertEquals(new ChannelConfig(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), read("{\"history\":{\"size\":1,\"ttlMs\":2,"
        + "\"maxBytes\":3,\"tenantMaxBytes\":4,\"nodeMaxBytes\":5},\"dedup\":{\"windowMs\":6,\"maxKeys\":7},"
        + "\"state\":{\"maxEntities\":8,\"maxFields\":9,\"maxValueBytes\":10}}").channel());
  }

  @Test
  void clusterConfigHoldsTheDefaultsAndTheFile() {
    assertEquals(new ClusterConfig(CLUSTER_NAME.defaultValue(), (int) (long) CLUSTER_PORT.defaultValue(),
        (int) (long) CLUSTER_BACKUPS.defaultValue(), CLUSTER_CONFIG.defaultValue(), List.of(),
        CLUSTER_ANNOUNCE_INTERVAL_MS.defaultValue(), (int) (long) CLUSTER_PUBLISH_BATCH.defaultValue(),
        CLUSTER_REPAIR_DELAY_MS.defaultValue(), (int) (long) CLUSTER_PARTITIONS.defaultValue()),
        DEFAULTS.cluster());
    assertEquals(new ClusterConfig("c", 6000, 2, "hz.xml", List.of("10.0.0.2:5701"), 100, 8, 0, 5),
        read("{\"cluster\":{\"name\":\"c\",\"port\":6000,\"backups\":2,\"config\":\"hz.xml\","
            + "\"members\":[\"10.0.0.2:5701\"],\"announceIntervalMs\":100,\"publishBatch\":8,\"repairDelayMs\":0,"
            + "\"partitions\":5}}")
            .cluster());
  }

  @Test
  void overridesReachTheRecords() {
    JsonObject merged = SyncwireConfig.applyOverrides(new JsonObject(),
        java.util.Map.of("syncwire.limits.commandRate", "7", "syncwire.cluster.members", "a:1, b:2"),
        java.util.Map.of("SYNCWIRE_HISTORY_SIZE", "9"));
    SyncwireConfig c = SyncwireConfig.fromJson(merged);
    assertEquals(7, c.limits().commandRate());
    assertEquals(List.of("a:1", "b:2"), c.cluster().members());
    assertEquals(9, c.channel().historySize());
  }

  @Test
  void putAndRawValueFollowTheKeysPath() {
    JsonObject json = new JsonObject().put("http", new JsonObject().put("host", "h"));
    SyncwireConfig.put(json, HTTP_PORT, 9000L);
    SyncwireConfig.put(json, NODE_ID, "n");
    assertEquals(new JsonObject("{\"http\":{\"host\":\"h\",\"port\":9000},\"node\":{\"id\":\"n\"}}"), json);
    assertEquals(9000L, SyncwireConfig.rawValue(json, HTTP_PORT));
    assertEquals(null, SyncwireConfig.rawValue(json, ADMIN_PORT));
    assertEquals(null, SyncwireConfig.rawValue(new JsonObject().put("admin", 1), ADMIN_PORT));
  }

  private static SyncwireConfig read(String json) {
    return SyncwireConfig.fromJson(new JsonObject(json));
  }

  private static JsonObject nested(String path, Object value) {
    int dot = path.indexOf('.');
    return dot < 0 ? new JsonObject().put(path, value)
        : new JsonObject().put(path.substring(0, dot), nested(path.substring(dot + 1), value));
  }

  // Records compared by text: AddressRange has no equals of its own.
  private static String records(SyncwireConfig c) {
    return List.of(c.node(), c.log(), c.http(), c.webSocket(), c.admin(), c.heartbeat(), c.limits(), c.guard(), c.channel(),
        c.cluster(), c.operations(), c.redis(), c.tenants()).toString();
  }

  // Values of the key's type unlike its default; some may be refused (they conflict with another key).
  private static List<Object> otherValues(ConfigKey<?> key) {
    switch (key.type()) {
      case INT:
        long d = (Long) key.defaultValue();
        return List.of(key.min(), key.max(), Math.min(d + 1, key.max()), Math.max(d - 1, key.min()));
      case BOOL:
        return List.of(!(Boolean) key.defaultValue());
      case STRING:
        if (key == SyncwireConfig.HISTORY_STORE) {
          return List.of("redis");
        }
        if (key == SyncwireConfig.REDIS_URL) {
          return List.of("redis://127.0.0.1:1");
        }
        return key == LOG_FORMAT ? List.of("json") : List.of(key.defaultValue() + "x");
      case STRING_LIST:
        return List.of(new JsonArray().add("10.0.0.1"));
      default:
        return List.of(new JsonArray().add(new JsonObject().put("id", "t").put("anonymous", true)));
    }
  }
}
