package dev.syncwire.admin;

import dev.syncwire.testing.Await;
import dev.syncwire.testing.RawHttp;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Info, health and readiness on both ports, and the admin API behind its bearer key. */
class HealthEndpointsTest {
  private static TestNode node;
  private static HttpClient http;

  @BeforeAll
  static void start() {
    node = TestNode.start();
    http = TestNode.clientVertx().createHttpClient();
  }

  @AfterAll
  static void stop() {
    http.close();
    node.close();
  }

  record Response(int status, String body, String contentType) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  static Response call(HttpMethod method, int port, String path, String auth, String body) {
    return Await.result(http.request(method, port, "127.0.0.1", path).compose(req -> {
      if (auth != null) {
        req.putHeader("Authorization", auth);
      }
      return (body == null ? req.send() : req.send(Buffer.buffer(body)))
          .compose(res -> res.body().map(b -> new Response(res.statusCode(), b.toString(), res.getHeader("content-type"))));
    }));
  }

  @Test
  void infoNamesVersionTransportsHeartbeatAndNodeOnBothPorts() {
    for (int port : new int[] {node.port(), node.adminPort()}) {
      Response r = call(HttpMethod.GET, port, "/info", null, null);
      assertEquals(200, r.status());
      assertEquals("application/json", r.contentType());
      JsonObject info = r.json();
      assertEquals(1, info.getInteger("version"));
      assertEquals(new JsonArray().add("websocket").add("sse").add("longpoll"), info.getJsonArray("transports"));
      assertEquals(new JsonArray().add("test-node"), info.getJsonArray("members"));
      assertEquals(30000L, info.getLong("heartbeatMs"));
      assertEquals("test-node", info.getString("node"));
    }
  }

  @Test
  void healthAndReadinessAreUpOnBothPorts() {
    for (int port : new int[] {node.port(), node.adminPort()}) {
      Response health = call(HttpMethod.GET, port, "/health", null, null);
      assertEquals(200, health.status());
      assertEquals("UP", health.json().getString("status"));
      assertEquals(200, call(HttpMethod.GET, port, "/ready", null, null).status());
    }
  }

  @Test
  void readinessFollowsTheNodeStatus() {
    node.node.status().ready(false);
    try {
      assertEquals(503, call(HttpMethod.GET, node.port(), "/ready", null, null).status());
      assertEquals(200, call(HttpMethod.GET, node.port(), "/health", null, null).status());
    } finally {
      node.node.status().ready(true);
    }
  }

  @Test
  void adminApiNeedsTheBearerKey() {
    assertEquals(401, call(HttpMethod.GET, node.adminPort(), "/api/v1/nodes", null, null).status());
    assertEquals(401, call(HttpMethod.GET, node.adminPort(), "/api/v1/nodes", "Bearer wrong", null).status());
    Response ok = call(HttpMethod.GET, node.adminPort(), "/api/v1/nodes", "Bearer " + TestNode.ADMIN_KEY, null);
    assertEquals(200, ok.status());
    assertEquals("test-node", new JsonArray(ok.body()).getJsonObject(0).getString("node"));
  }

  @Test
  void emptyAdminKeyDisablesTheApi() {
    try (TestNode open = TestNode.startWith(new JsonObject().put("admin", new JsonObject().put("key", "")))) {
      assertEquals(403, call(HttpMethod.GET, open.adminPort(), "/api/v1/nodes", "Bearer ", null).status());
    }
  }

  @Test
  void adminPublishReachesSubscribersAndChannelsAreListed() {
    try (WsClient c = node.demoClient()) {
      c.subscribe("from-backend");
      String auth = "Bearer " + TestNode.ADMIN_KEY;
      Response r = call(HttpMethod.POST, node.adminPort(), "/api/v1/publish", auth,
          "{\"tenant\":\"demo\",\"channel\":\"from-backend\",\"key\":\"b-1\",\"data\":{\"hello\":\"world\"}}");
      assertEquals(200, r.status(), r.body());
      assertEquals(1L, r.json().getLong("seq"));
      JsonObject pub = c.pubs("from-backend", 1).get(0);
      assertEquals("world", pub.getJsonObject("data").getString("hello"));
      assertEquals(r.json().getString("epoch"), pub.getString("epoch"));

      Response list = call(HttpMethod.GET, node.adminPort(), "/api/v1/channels?tenant=demo", auth, null);
      JsonObject channel = new JsonArray(list.body()).stream().map(o -> (JsonObject) o)
          .filter(o -> "from-backend".equals(o.getString("channel"))).findFirst().orElseThrow();
      assertEquals(1L, channel.getLong("seq"));
      assertEquals(1, channel.getInteger("subscribers"));

      assertEquals(404, call(HttpMethod.POST, node.adminPort(), "/api/v1/publish", auth,
          "{\"tenant\":\"nope\",\"channel\":\"x\",\"data\":1}").status());
      assertEquals(400, call(HttpMethod.POST, node.adminPort(), "/api/v1/publish", auth,
          "{\"tenant\":\"demo\",\"channel\":\"bad/name\",\"data\":1}").status());
      assertEquals(400, call(HttpMethod.POST, node.adminPort(), "/api/v1/publish", auth, "not json").status());
    }
  }

  @Test
  void adminBodiesAreJsonWhateverTheirContentTypeUpToOneMebibyte() {
    String auth = "Authorization: Bearer " + TestNode.ADMIN_KEY;
    // What curl -d sends: application/x-www-form-urlencoded.
    byte[] body = ("{\"tenant\":\"demo\",\"channel\":\"admin-form\",\"data\":\"" + "x".repeat(10_000) + "\"}")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    RawHttp.Response r = RawHttp.exchange(node.adminPort(), "POST /api/v1/publish HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + auth + "\r\nContent-Type: application/x-www-form-urlencoded", body, true, false);
    assertEquals(200, r.status(), r.body());
    byte[] over = new byte[1024 * 1024 + 1];
    java.util.Arrays.fill(over, (byte) ' ');
    RawHttp.Response big = RawHttp.exchange(node.adminPort(), "POST /api/v1/publish HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + auth + "\r\nContent-Type: application/x-www-form-urlencoded", over, false, false);
    assertEquals(413, big.status(), big.body());
    assertEquals("too_large", new JsonObject(big.body()).getString("code"));
  }

  @Test
  void adminPublishOfJsonTheServerCannotCarryIs400() {
    String auth = "Bearer " + TestNode.ADMIN_KEY;
    for (String data : new String[] {"1e400", "12345678901234567890123", "\"\\ud800\"", "1 /* one */"}) {
      Response r = call(HttpMethod.POST, node.adminPort(), "/api/v1/publish", auth,
          "{\"tenant\":\"demo\",\"channel\":\"admin-exact\",\"data\":" + data + "}");
      assertEquals(400, r.status(), data);
      assertEquals("bad_request", r.json().getString("code"));
    }
    Response ok = call(HttpMethod.POST, node.adminPort(), "/api/v1/publish", auth,
        "{\"tenant\":\"demo\",\"channel\":\"admin-exact\",\"data\":[9223372036854775807,0.1]}");
    assertEquals(200, ok.status(), ok.body());
    assertEquals(1L, ok.json().getLong("seq"), "none of the refused publishes took a seq");
  }
}
