package dev.syncwire.transport.websocket;

import dev.syncwire.testing.RawWebSocket;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The upgrade: path, subprotocol negotiation, Origin policy, compression negotiation. */
class WebSocketHandshakeTest {
  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.startWith(new JsonObject().put("websocket", new JsonObject()
        .put("allowedOrigins", new JsonArray().add("https://app.example.com"))));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void noSubprotocolOfferedMeansJson() {
    try (RawWebSocket ws = RawWebSocket.connect(node.port(), Map.of())) {
      assertEquals(101, ws.status);
      assertNull(ws.headers.get("sec-websocket-protocol"));
      ws.sendText("{\"id\":1,\"type\":\"connect\",\"tenant\":\"demo\"}");
      assertEquals("connected", new JsonObject(ws.readUntil(RawWebSocket.TEXT, 5000).text()).getString("type"));
    }
  }

  @Test
  void jsonSubprotocolIsSelectedAmongOthers() {
    try (RawWebSocket ws = RawWebSocket.connect(node.port(),
        Map.of("Sec-WebSocket-Protocol", "chat.v9, syncwire.v1.json"))) {
      assertEquals(101, ws.status);
      assertEquals("syncwire.v1.json", ws.headers.get("sec-websocket-protocol"));
    }
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.port())
        .setURI("/ws").setSubProtocols(List.of("syncwire.v1.json")).setAllowOriginHeader(false);
    try (WsClient c = WsClient.open(TestNode.clientVertx(), options, new WebSocketClientOptions())) {
      assertEquals("syncwire.v1.json", c.socket().subProtocol());
      c.connectAnonymous("demo");
    }
  }

  @Test
  void onlyUnknownSubprotocolsAreRefusedWith400() {
    try (RawWebSocket ws = RawWebSocket.connect(node.port(), Map.of("Sec-WebSocket-Protocol", "mqtt, stomp"))) {
      assertEquals(400, ws.status);
    }
  }

  @Test
  void forbiddenOriginIsRefusedWith403BeforeTheUpgrade() {
    for (String origin : List.of("https://evil.example", "https://app.example.com.evil.com", "null",
        "http://app.example.com", "https://APP.example.com")) {
      try (RawWebSocket ws = RawWebSocket.connect(node.port(), Map.of("Origin", origin))) {
        assertEquals(403, ws.status, origin);
      }
    }
  }

  @Test
  void allowedOriginAndNoOriginUpgrade() {
    try (RawWebSocket ws = RawWebSocket.connect(node.port(), Map.of("Origin", "https://app.example.com"))) {
      assertEquals(101, ws.status);
    }
    try (RawWebSocket ws = RawWebSocket.connect(node.port(), Map.of())) {
      assertEquals(101, ws.status);
    }
  }

  @Test
  void compressionIsNotNegotiatedByDefault() {
    try (RawWebSocket ws = RawWebSocket.connect(node.port(),
        Map.of("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"))) {
      assertEquals(101, ws.status);
      assertNull(ws.headers.get("sec-websocket-extensions"));
    }
  }

  @Test
  void otherPathsAreNotWebSockets() {
    try (RawWebSocket ws = RawWebSocket.connect(node.port(), Map.of())) {
      assertFalse(ws.status == 404);
    }
    io.vertx.core.http.HttpClient http = node.vertx.createHttpClient();
    int status = dev.syncwire.testing.Await.result(http.request(io.vertx.core.http.HttpMethod.GET, node.port(),
        "127.0.0.1", "/nowhere").compose(r -> r.send().map(response -> response.statusCode())));
    assertEquals(404, status);
    http.close();
  }
}
