package dev.syncwire.transport;

import dev.syncwire.testing.HttpSessionClient;
import dev.syncwire.testing.LogCapture;
import dev.syncwire.testing.RawHttp;
import dev.syncwire.testing.RawWebSocket;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.Tokens;
import dev.syncwire.testing.WsClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whatever a client gets wrong is answered cleanly and logged once at FINE, never as a server fault. */
class ClientRefusalsTest {
  private static final String ALLOWED = "https://app.example.com";
  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.startWith(new JsonObject()
        .put("http", new JsonObject().put("allowedOrigins", new JsonArray().add(ALLOWED)))
        .put("websocket", new JsonObject().put("allowedOrigins", new JsonArray().add(ALLOWED))));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void requestsWithoutHostAre400OnBothPortsAndLoggedAtFine() {
    try (LogCapture logs = LogCapture.start()) {
      List<String> requests = List.of("GET /info HTTP/1.1", "GET /poll?session=s&cursor=0 HTTP/1.1",
          "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="
              + "\r\nSec-WebSocket-Version: 13");
      for (String request : requests) {
        RawHttp.Response r = RawHttp.exchange(node.port(), request, null, false, false);
        assertEquals(400, r.status(), request);
        assertEquals("bad_request", new JsonObject(r.body()).getString("code"));
      }
      RawHttp.Response admin = RawHttp.exchange(node.adminPort(), "GET /api/v1/nodes HTTP/1.1", null, false, false);
      assertEquals(400, admin.status());
      assertNoWarnings(logs);
      assertEquals(4, logs.containing("a valid Host header is required").size(), "each refusal logged once");
    }
  }

  @Test
  void refusedCorsPreflightIs403WithVaryOriginAndLoggedAtFine() {
    try (LogCapture logs = LogCapture.start(); HttpSessionClient c = new HttpSessionClient(TestNode.clientVertx(), node.port())) {
      for (String path : List.of("/send", "/poll", "/sse")) {
        RawHttp.Response evil = RawHttp.exchange(node.port(), "OPTIONS " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Origin: https://evil.example\r\nAccess-Control-Request-Method: POST", null, false, false);
        assertEquals(403, evil.status(), path);
        assertEquals("forbidden", new JsonObject(evil.body()).getString("code"));
        assertEquals("origin", evil.headers().get("vary").toLowerCase(), path);
        RawHttp.Response ok = RawHttp.exchange(node.port(), "OPTIONS " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Origin: " + ALLOWED + "\r\nAccess-Control-Request-Method: POST", null, false, false);
        assertEquals(ALLOWED, ok.headers().get("access-control-allow-origin"));
        assertEquals("origin", ok.headers().get("vary").toLowerCase(), path);
      }
      c.connect("demo");
      HttpSessionClient.Response poll = c.call(io.vertx.core.http.HttpMethod.POST, "/send?session=" + c.session, "[]",
          Map.of("Origin", ALLOWED, "X-Syncwire-Key", c.key));
      assertEquals(ALLOWED, poll.headers().get("access-control-allow-origin"));
      assertEquals("origin", poll.headers().get("vary").toLowerCase());
      RawHttp.Response ws = RawHttp.exchange(node.port(), "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://evil.example\r\n"
          + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Version: 13", null, false, false);
      assertEquals(403, ws.status());
      assertEquals("origin", ws.headers().get("vary").toLowerCase());
      assertNoWarnings(logs);
      assertEquals(4, logs.containing("origin not allowed").size(), "each refusal logged once");
    }
  }

  @Test
  void badTokensAndBadFramesAreLoggedOnceAtFine() {
    try (LogCapture logs = LogCapture.start()) {
      try (WsClient c = clientWithoutOrigin()) {
        c.connectToken(Tokens.hs256(TestNode.ACME_SECRET, Tokens.claims("acme", "a").put("exp", "soon")));
        assertEquals((short) 4001, c.awaitClose());
      }
      try (WsClient c = clientWithoutOrigin()) {
        c.connectToken("not-a-token");
        assertEquals((short) 4001, c.awaitClose());
      }
      byte[] ping = "{\"id\":1,\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8);
      Object[][] badFrames = {
          {RawWebSocket.TEXT, "nope".getBytes(StandardCharsets.UTF_8), false, 4400},
          {RawWebSocket.BINARY, ping, false, 4400},
          {RawWebSocket.TEXT, new byte[70_000], false, 1009},
          {RawWebSocket.TEXT, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}, false, 1007},
          {RawWebSocket.TEXT, ping, true, 1002},
          {3, ping, false, 1002}};
      for (Object[] bad : badFrames) {
        try (RawWebSocket ws = RawWebSocket.connect(node.port(), Map.of())) {
          ws.sendText("{\"id\":1,\"type\":\"connect\",\"tenant\":\"demo\"}");
          ws.sendFrame((Integer) bad[0], (byte[]) bad[1], true, (Boolean) bad[2]);
          assertEquals(bad[3], ws.readUntilClosed(5000).closeCode());
        }
      }
      assertNoWarnings(logs);
      assertEquals(1, logs.containing("closed with 4001: token claim exp must be a number").size());
      for (int code : new int[] {4400, 1009, 1007, 1002}) {
        assertTrue(logs.containing("closed with " + code).size() >= 1, "close " + code + " is logged at FINE");
      }
      assertEquals(badFrames.length + 2, logs.containing("closed with").size(), "each close logged once");
    }
  }

  @Test
  void badHttpRequestsAreAnsweredWithoutWarnings() {
    try (LogCapture logs = LogCapture.start()) {
      RawHttp.Response badQuery = RawHttp.exchange(node.port(), "GET /poll?session=%zz&cursor=0 HTTP/1.1\r\nHost: x",
          null, false, false);
      assertEquals(400, badQuery.status(), badQuery + LogCapture.describe(logs.atOrAbove(Level.ALL)));
      RawHttp.Response notJson = RawHttp.exchange(node.port(), "POST /send HTTP/1.1\r\nHost: x",
          "{\"id\":1 /* */}".getBytes(StandardCharsets.UTF_8), false, false);
      assertEquals(400, notJson.status());
      RawHttp.Response badKey = RawHttp.exchange(node.adminPort(), "POST /api/v1/publish HTTP/1.1\r\nHost: x\r\n"
          + "Authorization: Bearer wrong", "{}".getBytes(StandardCharsets.UTF_8), false, false);
      assertEquals(401, badKey.status());
      assertNoWarnings(logs);
    }
  }

  private static WsClient clientWithoutOrigin() {
    return WsClient.open(TestNode.clientVertx(), new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.port())
        .setURI("/ws").setAllowOriginHeader(false), new WebSocketClientOptions());
  }

  private static void assertNoWarnings(LogCapture logs) {
    assertEquals(List.of(), logs.atOrAbove(Level.WARNING), LogCapture.describe(logs.atOrAbove(Level.WARNING)));
  }
}
