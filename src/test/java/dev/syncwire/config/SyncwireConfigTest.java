package dev.syncwire.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyncwireConfigTest {

  @Test
  void everyKeyHasADefault() {
    SyncwireConfig c = SyncwireConfig.fromJson(new JsonObject());
    assertEquals(8080, c.http().port());
    assertEquals(8081, c.admin().port());
    assertEquals(30000, c.heartbeat().intervalMs());
    assertEquals(3, c.heartbeat().maxMissedPongs());
    assertEquals(65536, c.webSocket().maxFrameBytes());
    assertEquals(5000, c.limits().connectTimeoutMs());
    assertEquals(128, c.limits().maxSubscriptions());
    assertEquals(1024 * 1024, c.limits().outboundBufferBytes());
    assertEquals(List.of(), c.webSocket().allowedOrigins());
    assertFalse(c.webSocket().compression());
    assertEquals(List.of(), c.tenants());
    assertEquals(SyncwireConfig.KEYS.size(), c.toFlatJson().size());
  }

  @Test
  void clientPortTimeoutsDefaultToTenThirtySixtyAndTenSeconds() {
    SyncwireConfig c = SyncwireConfig.fromJson(new JsonObject());
    assertEquals(10_000, c.http().headerTimeoutMs());
    assertEquals(30_000, c.http().bodyTimeoutMs());
    assertEquals(60_000, c.http().idleTimeoutMs());
    assertEquals(10_000, c.webSocket().handshakeTimeoutMs());
  }

  @Test
  void shippedNodeJsonIsValidAndHasADevelopmentAndAnExampleTenant() throws Exception {
    JsonObject json = new JsonObject(Files.readString(Path.of("conf/node.json")));
    SyncwireConfig c = SyncwireConfig.fromJson(json);
    TenantConfig demo = c.tenants().stream().filter(t -> t.id().equals("demo")).findFirst().orElseThrow();
    assertTrue(demo.anonymous());
    assertTrue(demo.clientPublish());
    assertTrue(c.tenants().stream().anyMatch(t -> t.keys().stream().anyMatch(k -> k.alg().equals("HS256"))));
  }

  @Test
  void nestedValuesAreRead() {
    SyncwireConfig c = SyncwireConfig.fromJson(new JsonObject()
        .put("http", new JsonObject().put("port", 9000))
        .put("websocket", new JsonObject().put("allowedOrigins", new JsonArray().add("https://a.example"))
            .put("compression", true)));
    assertEquals(9000, c.http().port());
    assertEquals(List.of("https://a.example"), c.webSocket().allowedOrigins());
    assertTrue(c.webSocket().compression());
  }

  @Test
  void systemPropertiesAndEnvironmentOverrideEveryKindOfKey() {
    JsonObject base = new JsonObject().put("http", new JsonObject().put("port", 8080));
    JsonObject merged = SyncwireConfig.applyOverrides(base,
        Map.of("syncwire.http.port", "9090", "syncwire.websocket.compression", "true", "unrelated.key", "x"),
        Map.of("SYNCWIRE_HEARTBEAT_INTERVALMS", "1000", "SYNCWIRE_WEBSOCKET_ALLOWEDORIGINS", "https://a, https://b",
            "PATH", "/usr/bin"));
    SyncwireConfig c = SyncwireConfig.fromJson(merged);
    assertEquals(9090, c.http().port());
    assertTrue(c.webSocket().compression());
    assertEquals(1000, c.heartbeat().intervalMs());
    assertEquals(List.of("https://a", "https://b"), c.webSocket().allowedOrigins());
  }

  @Test
  void environmentWinsOverSystemProperties() {
    JsonObject merged = SyncwireConfig.applyOverrides(new JsonObject(), Map.of("syncwire.http.port", "1111"),
        Map.of("SYNCWIRE_HTTP_PORT", "2222"));
    assertEquals(2222, SyncwireConfig.fromJson(merged).http().port());
  }

  @Test
  void tenantsCanBeOverriddenAsJson() {
    JsonObject merged = SyncwireConfig.applyOverrides(new JsonObject(),
        Map.of("syncwire.tenants", "[{\"id\":\"t1\",\"anonymous\":true}]"), Map.of());
    assertEquals("t1", SyncwireConfig.fromJson(merged).tenants().get(0).id());
  }

  @Test
  void unknownKeyIsNamed() {
    String httpKeys = SyncwireConfig.KEYS.stream().map(ConfigKey::path).filter(p -> p.startsWith("http."))
        .collect(java.util.stream.Collectors.joining(", "));
    assertTrue(httpKeys.startsWith("http.host, http.port, "), httpKeys);
    assertMessage("config key 'http.prot' is not a known key (did you mean one of " + httpKeys + "?)",
        new JsonObject().put("http", new JsonObject().put("prot", 1)));
    assertMessage("config key 'bogus' is not a known key", new JsonObject().put("bogus", true));
    ConfigException e = assertThrows(ConfigException.class,
        () -> SyncwireConfig.applyOverrides(new JsonObject(), Map.of("syncwire.http.prot", "1"), Map.of()));
    assertTrue(e.getMessage().contains("'http.prot'"));
    e = assertThrows(ConfigException.class,
        () -> SyncwireConfig.applyOverrides(new JsonObject(), Map.of(), Map.of("SYNCWIRE_NOPE", "1")));
    assertTrue(e.getMessage().contains("SYNCWIRE_NOPE"));
  }

  @Test
  void wrongTypeIsNamedWithWhatWasExpected() {
    assertMessage("config key 'http.port' must be an integer from 0 to 65535 (got \"8080\")",
        new JsonObject().put("http", new JsonObject().put("port", "8080")));
    assertMessage("config key 'websocket.compression' must be true or false (got 1)",
        new JsonObject().put("websocket", new JsonObject().put("compression", 1)));
    assertMessage("config key 'websocket.allowedOrigins' must be an array of strings (got [1])",
        new JsonObject().put("websocket", new JsonObject().put("allowedOrigins", new JsonArray().add(1))));
    assertMessage("config key 'http' must be an object (got 8080)",
        new JsonObject().put("http", 8080));
  }

  @Test
  void impossibleValuesAreNamed() {
    assertMessage("config key 'http.port' must be an integer from 0 to 65535 (got 70000)",
        new JsonObject().put("http", new JsonObject().put("port", 70000)));
    assertMessage("config key 'heartbeat.maxMissedPongs' must be an integer from 1 to 1000 (got 0)",
        new JsonObject().put("heartbeat", new JsonObject().put("maxMissedPongs", 0)));
    ConfigException e = assertThrows(ConfigException.class,
        () -> SyncwireConfig.applyOverrides(new JsonObject(), Map.of("syncwire.limits.maxFrameBytes", "lots"), Map.of()));
    assertEquals("config key 'limits.maxFrameBytes' must be an integer from 256 to 16777216 (got \"lots\")", e.getMessage());
  }

  @Test
  void tenantMistakesAreNamedWithTheirPath() {
    assertMessage("config key 'tenants[0].keys' must hold at least one key unless the tenant allows anonymous users",
        tenants(new JsonObject().put("id", "t")));
    assertMessage("config key 'tenants[0].keys[0].alg' must be one of HS256, HS384, HS512, RS256, RS384, RS512, ES256, ES384, ES512 (got \"none\")",
        tenants(new JsonObject().put("id", "t").put("keys", new JsonArray().add(new JsonObject().put("alg", "none")))));
    assertMessage("config key 'tenants[0].keys[0].secret' must be at least 16 characters",
        tenants(new JsonObject().put("id", "t").put("keys", new JsonArray()
            .add(new JsonObject().put("alg", "HS256").put("secret", "short")))));
    assertMessage("config key 'tenants[0].keys[0].publicKey' must be a PEM-encoded RSA public key (-----BEGIN PUBLIC KEY-----)",
        tenants(new JsonObject().put("id", "t").put("keys", new JsonArray()
            .add(new JsonObject().put("alg", "RS256").put("publicKey", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")))));
    assertMessage("config key 'tenants[1].id' must be unique (got \"a\")",
        tenants(new JsonObject().put("id", "a").put("anonymous", true), new JsonObject().put("id", "a").put("anonymous", true)));
    ConfigException e = assertThrows(ConfigException.class, () -> SyncwireConfig.fromJson(
        tenants(new JsonObject().put("id", "a").put("anonymus", true))));
    assertTrue(e.getMessage().startsWith("config key 'tenants[0].anonymus' is not a known key"), e.getMessage());
  }

  private static JsonObject tenants(JsonObject... tenants) {
    JsonArray array = new JsonArray();
    for (JsonObject t : tenants) {
      array.add(t);
    }
    return new JsonObject().put("tenants", array);
  }

  private static void assertMessage(String expected, JsonObject json) {
    ConfigException e = assertThrows(ConfigException.class, () -> SyncwireConfig.fromJson(json));
    assertEquals(expected, e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line");
  }
}
