package dev.syncwire.admin;

import dev.syncwire.testing.Await;
import dev.syncwire.testing.HttpSessionClient;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.Tokens;
import dev.syncwire.testing.WsClient;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /api/v1/drain}: readiness turns 503 and new connections are refused at once; each WebSocket
 * gets a {@code reconnect} push, the delays spread evenly over {@code drain.periodMs}, then close 1012; an SSE
 * stream gets the push as an event and ends. And {@code POST /api/v1/disconnect} closes one user's sessions
 * with 4003.
 */
class DrainTest {
  private static final long PERIOD_MS = 4_000;
  private static final int CLIENTS = 20;

  private static int status(HttpClient http, HttpMethod method, int port, String path, String body) {
    return Await.result(http.request(method, port, "127.0.0.1", path).compose(req -> {
      req.putHeader("Authorization", "Bearer " + TestNode.ADMIN_KEY);
      return (body == null ? req.send() : req.send(body)).map(res -> res.statusCode());
    }));
  }

  @Test
  void drainSpreadsReconnectsRefusesNewClientsAndClosesWith1012() {
    try (TestNode node = TestNode.startWith(new JsonObject().put("drain", new JsonObject().put("periodMs", PERIOD_MS)))) {
      HttpClient http = TestNode.clientVertx().createHttpClient();
      List<WsClient> clients = new ArrayList<>();
      HttpSessionClient httpSession = new HttpSessionClient(TestNode.clientVertx(), node.port());
      try {
        for (int i = 0; i < CLIENTS; i++) {
          WsClient ws = WsClient.open(TestNode.clientVertx(), node.port());
          ws.connectAnonymous("demo");
          ws.subscribe("drain");
          clients.add(ws);
        }
        httpSession.connect("demo");
        HttpSessionClient.SseReader sse = httpSession.sse(0, false);
        assertEquals(200, status(http, HttpMethod.GET, node.port(), "/ready", null));

        assertEquals(202, status(http, HttpMethod.POST, node.adminPort(), "/api/v1/drain", "{}"));
        assertEquals(503, status(http, HttpMethod.GET, node.port(), "/ready", null));
        assertEquals(503, status(http, HttpMethod.GET, node.port(), "/ws", null), "new WebSocket refused");
        assertEquals(503, status(http, HttpMethod.POST, node.port(), "/send",
            "[{\"id\":1,\"type\":\"connect\",\"tenant\":\"demo\"}]"), "new HTTP session refused");

        List<Long> delays = new ArrayList<>();
        for (WsClient ws : clients) {
          JsonObject push = ws.awaitFrame(f -> "reconnect".equals(f.getString("type")));
          assertEquals("draining", push.getString("reason"));
          delays.add(push.getLong("delayMs"));
          assertEquals((short) 1012, ws.awaitClose());
        }
        delays.sort(null);
        // Evenly spread: the i-th of n sessions (the HTTP one too) comes back after i/n of the period.
        long slot = PERIOD_MS / (CLIENTS + 1);
        for (int i = 0; i < CLIENTS; i++) {
          long expected = PERIOD_MS * i / (CLIENTS + 1);
          assertTrue(delays.get(i) >= expected && delays.get(i) <= expected + slot + 1,
              "delay " + i + " of " + delays + " (about " + expected + ")");
        }
        List<HttpSessionClient.SseReader.Event> events = sse.await(1);
        assertEquals("reconnect", events.get(events.size() - 1).data().getString("type"));
        Await.until(Duration.ofSeconds(10), "the SSE stream ended", sse::ended);
        Await.result(node.node.drain().completion());
        assertEquals(0, node.node.hubs().sessionCount());
      } finally {
        clients.forEach(WsClient::close);
        httpSession.close();
        http.close();
      }
    }
  }

  @Test
  void disconnectClosesOneUsersSessionsWith4003() {
    try (TestNode node = TestNode.start()) {
      HttpClient http = TestNode.clientVertx().createHttpClient();
      WsClient alice1 = WsClient.open(TestNode.clientVertx(), node.port());
      WsClient alice2 = WsClient.open(TestNode.clientVertx(), node.port());
      WsClient bob = WsClient.open(TestNode.clientVertx(), node.port());
      try {
        alice1.connectToken(Tokens.hs256(TestNode.ACME_SECRET, Tokens.claims("acme", "alice")));
        alice2.connectToken(Tokens.hs256(TestNode.ACME_SECRET, Tokens.claims("acme", "alice")));
        bob.connectToken(Tokens.hs256(TestNode.ACME_SECRET, Tokens.claims("acme", "bob")));
        assertEquals(200, status(http, HttpMethod.POST, node.adminPort(), "/api/v1/disconnect",
            "{\"tenant\":\"acme\",\"user\":\"alice\"}"));
        assertEquals((short) 4003, alice1.awaitClose());
        assertEquals((short) 4003, alice2.awaitClose());
        assertEquals("pong", bob.request(new JsonObject().put("type", "ping")).getString("type"));
        assertEquals(400, status(http, HttpMethod.POST, node.adminPort(), "/api/v1/disconnect", "{\"tenant\":\"acme\"}"));
        assertEquals(404, status(http, HttpMethod.POST, node.adminPort(), "/api/v1/disconnect",
            "{\"tenant\":\"nope\",\"user\":\"alice\"}"));
      } finally {
        alice1.close();
        alice2.close();
        bob.close();
        http.close();
      }
    }
  }
}
