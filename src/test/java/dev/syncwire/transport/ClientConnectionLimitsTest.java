package dev.syncwire.transport;

import dev.syncwire.session.ConnectionLimits;
import dev.syncwire.testing.HttpSessionClient;
import dev.syncwire.testing.HttpSessionClient.Response;
import dev.syncwire.testing.RawWebSocket;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static dev.syncwire.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sessions per client address and per tenant. One node sees clients straight from their sockets; the
 * other sits behind a trusted proxy (this host), so each test can stand for clients at addresses of
 * its own through {@code X-Forwarded-For}.
 */
class ClientConnectionLimitsTest {
  private static final String CONNECT_DEMO = connect("demo");
  private static final String CONNECT_READONLY = connect("readonly");
  private static final long LINGER_MS = 4000;

  private static TestNode direct;
  private static TestNode proxied;
  private HttpSessionClient http;

  @BeforeAll
  static void start() {
    direct = TestNode.startWith(new JsonObject().put("limits", new JsonObject().put("connectionsPerIp", 2))
        .put("session", new JsonObject().put("lingerMs", LINGER_MS)));
    proxied = TestNode.startWith(new JsonObject()
        .put("http", new JsonObject().put("trustedProxies", new JsonArray().add("127.0.0.0/8")))
        .put("limits", new JsonObject().put("connectionsPerIp", 2).put("connectionsPerTenant", 3)));
  }

  @AfterAll
  static void stop() {
    direct.close();
    proxied.close();
  }

  @BeforeEach
  void open() {
    http = new HttpSessionClient(TestNode.clientVertx(), "127.0.0.1", direct.port());
  }

  @AfterEach
  void close() {
    http.close();
  }

  @Test
  void webSocketsAndHttpSessionsFromOneAddressShareItsLimit() {
    ConnectionLimits limits = direct.node.limits();
    try (WsClient first = direct.client()) {
      Response session = http.post("/send", CONNECT_DEMO, null);
      assertEquals(200, session.status(), session.body());
      assertEquals(2, limits.ipCount("127.0.0.1"));

      // Full: the next WebSocket is refused before the upgrade, and so is a new HTTP session.
      try (RawWebSocket refused = RawWebSocket.connect(direct.port(), Map.of())) {
        assertEquals(503, refused.status);
        assertEquals(String.valueOf(ConnectionLimits.RETRY_AFTER_SECONDS), refused.headers.get("retry-after"));
      }
      Response refusedSession = http.post("/send", CONNECT_DEMO, null);
      assertEquals(503, refusedSession.status(), refusedSession.body());
      assertEquals(String.valueOf(ConnectionLimits.RETRY_AFTER_SECONDS), refusedSession.headers().get("retry-after"));
      assertEquals("overloaded", refusedSession.json().getString("code"));

      // A forwarded address counts for nothing from a peer that is not a trusted proxy.
      try (RawWebSocket spoofing = RawWebSocket.connect(direct.port(), Map.of("X-Forwarded-For", "203.0.113.50"))) {
        assertEquals(503, spoofing.status);
      }

      first.close();
      until(Duration.ofSeconds(10), "the closed WebSocket's place to be free", () -> limits.ipCount("127.0.0.1") == 1);
      try (RawWebSocket next = RawWebSocket.connect(direct.port(), Map.of())) {
        assertEquals(101, next.status);
      }
    }
    // The HTTP session frees its place when it ends: here, when it lingers out without a downstream.
    until(Duration.ofMillis(LINGER_MS + 10_000), "the HTTP session's place to be free", () -> limits.ipCount("127.0.0.1") == 0);
  }

  @Test
  void behindATrustedProxyEachForwardedClientHasItsOwnLimit() {
    ConnectionLimits limits = proxied.node.limits();
    try (WsClient a1 = forwarded("198.51.100.1"); WsClient a2 = forwarded("198.51.100.1"); WsClient b1 = forwarded("198.51.100.2")) {
      assertEquals(2, limits.ipCount("198.51.100.1"));
      assertEquals(1, limits.ipCount("198.51.100.2"));
      assertEquals(0, limits.ipCount("127.0.0.1"), "the proxy itself is not the client");
      try (RawWebSocket third = RawWebSocket.connect(proxied.port(), Map.of("X-Forwarded-For", "198.51.100.1"))) {
        assertEquals(503, third.status);
      }
      // What a client writes into the header itself is left of what the proxy appends, and never read.
      try (RawWebSocket spoofed = RawWebSocket.connect(proxied.port(),
          Map.of("X-Forwarded-For", "192.0.2.99, 198.51.100.1"))) {
        assertEquals(503, spoofed.status);
      }
      HttpSessionClient viaProxy = new HttpSessionClient(TestNode.clientVertx(), "127.0.0.1", proxied.port());
      try {
        Response refused = viaProxy.call(HttpMethod.POST, "/send", CONNECT_DEMO, Map.of("X-Forwarded-For", "198.51.100.1"));
        assertEquals(503, refused.status(), refused.body());
        Response other = viaProxy.call(HttpMethod.POST, "/send", CONNECT_READONLY, Map.of("X-Forwarded-For", "198.51.100.3"));
        assertEquals(200, other.status(), other.body());
        assertEquals(1, limits.ipCount("198.51.100.3"));
      } finally {
        viaProxy.close();
      }
    }
    until(Duration.ofSeconds(10), "the WebSockets' places to be free", () -> limits.ipCount("198.51.100.1") == 0);
  }

  @Test
  void aTenantAtItsLimitRefusesConnectWithOverloadedAnd1013() {
    ConnectionLimits limits = proxied.node.limits();
    try (WsClient c1 = forwarded("192.0.2.1"); WsClient c2 = forwarded("192.0.2.2"); WsClient c3 = forwarded("192.0.2.3");
         WsClient refused = forwarded("192.0.2.4")) {
      c1.connectAnonymous("demo");
      c2.connectAnonymous("demo");
      c3.connectAnonymous("demo");
      assertEquals(3, limits.tenantCount("demo"));

      JsonObject error = refused.request(new JsonObject().put("type", "connect").put("tenant", "demo"));
      assertEquals("error", error.getString("type"), error.encode());
      assertEquals("overloaded", error.getString("code"));
      assertTrue(error.getBoolean("retry"));
      assertEquals(ConnectionLimits.RETRY_AFTER_SECONDS * 1000L, error.getLong("retryAfterMs"));
      assertEquals((short) 1013, refused.awaitClose());
      until(Duration.ofSeconds(10), "the refused socket's address to be free", () -> limits.ipCount("192.0.2.4") == 0);

      // The same refusal over HTTP: 503 with the connect's reply.
      HttpSessionClient viaProxy = new HttpSessionClient(TestNode.clientVertx(), "127.0.0.1", proxied.port());
      try {
        Response session = viaProxy.call(HttpMethod.POST, "/send", CONNECT_DEMO, Map.of("X-Forwarded-For", "192.0.2.5"));
        assertEquals(503, session.status(), session.body());
        assertEquals(String.valueOf(ConnectionLimits.RETRY_AFTER_SECONDS), session.headers().get("retry-after"));
        assertEquals("overloaded", session.array().getJsonObject(0).getString("code"));
      } finally {
        viaProxy.close();
      }
      until(Duration.ofSeconds(10), "the refused HTTP session's address to be free", () -> limits.ipCount("192.0.2.5") == 0);

      // Other tenants are counted apart.
      try (WsClient other = forwarded("192.0.2.6")) {
        other.connectAnonymous("readonly");
      }

      c1.close();
      until(Duration.ofSeconds(10), "the closed session to leave its tenant", () -> limits.tenantCount("demo") == 2);
      try (WsClient again = forwarded("192.0.2.7")) {
        again.connectAnonymous("demo");
      }
    }
  }

  private static String connect(String tenant) {
    return new JsonArray().add(new JsonObject().put("id", 1).put("type", "connect").put("tenant", tenant)).encode();
  }

  private static WsClient forwarded(String clientIp) {
    return WsClient.open(TestNode.clientVertx(), new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(proxied.port()).setURI("/ws").addHeader("X-Forwarded-For", clientIp), new WebSocketClientOptions());
  }
}
