package dev.syncwire.transport;

import dev.syncwire.testing.HttpSessionClient;
import dev.syncwire.testing.HttpSessionClient.Response;
import dev.syncwire.testing.HttpSessionClient.SseReader;
import dev.syncwire.testing.SlowClient;
import dev.syncwire.testing.SlowClient.Closed;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.syncwire.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client port's deadlines, with raw sockets that send nothing, send slowly or stop half-way. Each
 * deadline has its own value here, so a connection closed by the wrong one shows.
 */
class ClientTimeoutsTest {
  private static final long HEADER_MS = 2000;
  private static final long HANDSHAKE_MS = 300;
  private static final long BODY_MS = 600;
  private static final long IDLE_MS = 800;
  /** How late a deadline may fire on a busy machine. */
  private static final long SLACK_MS = 1500;
  /** A byte every this long: progress that an idle timeout would take for a live client. */
  private static final long TRICKLE_MS = 100;
  private static final String HEALTH = "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n";

  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.startWith(new JsonObject()
        .put("http", new JsonObject().put("headerTimeoutMs", HEADER_MS).put("bodyTimeoutMs", BODY_MS)
            .put("idleTimeoutMs", IDLE_MS))
        .put("websocket", new JsonObject().put("handshakeTimeoutMs", HANDSHAKE_MS))
        .put("longpoll", new JsonObject().put("timeoutMs", HEADER_MS + 1000))
        .put("sse", new JsonObject().put("keepaliveMs", 200)));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void silentSlowAndHalfSentRequestsAreClosedAtTheirDeadlinesWhileHealthAnswers() {
    try (SlowClient silent = SlowClient.connect(node.port());
         SlowClient slowHeaders = SlowClient.connect(node.port());
         SlowClient slowBody = SlowClient.connect(node.port());
         SlowClient halfHandshake = SlowClient.connect(node.port());
         SlowClient idleKeepAlive = SlowClient.connect(node.port());
         SlowClient slowSecondRequest = SlowClient.connect(node.port());
         HttpSessionClient http = new HttpSessionClient(TestNode.clientVertx(), node.port())) {
      slowHeaders.send("GET /health HTTP/1.1\r\nHost: localhost\r\n").trickle("X-Slow: " + "a".repeat(100), TRICKLE_MS);
      slowBody.send("POST /send HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
          + "Content-Length: 200\r\n\r\n[").mark().trickle(" ".repeat(199), TRICKLE_MS);
      halfHandshake.send("GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n")
          .trickle("Sec-WebSocket-Version: 13\r\n", TRICKLE_MS);
      idleKeepAlive.send(HEALTH).awaitReceived("\"UP\"", 5000);
      idleKeepAlive.mark();
      slowSecondRequest.send(HEALTH).awaitReceived("\"UP\"", 5000);
      slowSecondRequest.send("GET /health HTTP/1.1\r\n").mark().trickle("Host: " + "h".repeat(100), TRICKLE_MS);

      // The node keeps serving while they hang.
      for (int i = 0; i < 3; i++) {
        Response health = http.call(HttpMethod.GET, "/health", null, Map.of());
        assertEquals(200, health.status());
      }

      Closed handshake = halfHandshake.awaitClosed(HANDSHAKE_MS + SLACK_MS + 2000);
      assertWithin(HANDSHAKE_MS, handshake, "half-sent upgrade request");
      assertTrue(handshake.received().startsWith("HTTP/1.1 408"), handshake.received());

      Closed body = slowBody.awaitClosed(BODY_MS + SLACK_MS + 2000);
      assertWithin(BODY_MS, body, "body one byte at a time");
      assertTrue(body.received().startsWith("HTTP/1.1 408"), body.received());

      Closed idle = idleKeepAlive.awaitClosed(IDLE_MS + SLACK_MS + 2000);
      assertWithin(IDLE_MS, idle, "idle keep-alive connection");
      assertFalse(idle.received().contains("408"), "an idle connection is closed without an answer");

      Closed none = silent.awaitClosed(HEADER_MS + SLACK_MS + 2000);
      assertWithin(HEADER_MS, none, "connection that sends nothing");
      assertEquals("", none.received());

      Closed headers = slowHeaders.awaitClosed(HEADER_MS + SLACK_MS + 2000);
      assertWithin(HEADER_MS, headers, "headers one byte at a time");
      assertTrue(headers.received().startsWith("HTTP/1.1 408"), headers.received());

      // The next request on a kept-alive connection gets the header deadline from its first byte on.
      Closed second = slowSecondRequest.awaitClosed(HEADER_MS + SLACK_MS + 2000);
      assertWithin(HEADER_MS, second, "second request one byte at a time");
      assertTrue(second.received().contains("HTTP/1.1 408"), second.received());
    }
  }

  @Test
  void clientsThatFinishInTimeAreServedOnOneConnection() {
    try (SlowClient client = SlowClient.connect(node.port())) {
      client.send("GET /hea");
      pause(HEADER_MS / 4);
      client.send("lth HTTP/1.1\r\nHost: local");
      pause(HEADER_MS / 4);
      client.send("host\r\n\r\n").awaitReceived("\"UP\"", 5000);

      String body = "[{\"id\":1,\"type\":\"connect\",\"tenant\":\"demo\"}]";
      client.send("POST /send HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
          + body.length() + "\r\n\r\n" + body.substring(0, 10));
      pause(BODY_MS / 3);
      client.send(body.substring(10)).awaitReceived("\"connected\"", 5000);
      assertFalse(client.closed());
      assertFalse(client.received().contains("408"), client.received());
    }
  }

  @Test
  void anEstablishedWebSocketOutlivesEveryDeadline() {
    try (WsClient ws = node.demoClient(); SlowClient silent = SlowClient.connect(node.port())) {
      // The header deadline is the longest; once it closed the silent socket, every other one has passed.
      silent.awaitClosed(HEADER_MS + SLACK_MS + 2000);
      JsonObject pong = ws.request(new JsonObject().put("type", "ping"));
      assertEquals("pong", pong.getString("type"));
      assertFalse(ws.isClosed());
    }
  }

  @Test
  void aWaitingPollAndAnSseStreamOutliveEveryDeadline() throws Exception {
    try (HttpSessionClient polling = new HttpSessionClient(TestNode.clientVertx(), node.port());
         HttpSessionClient streaming = new HttpSessionClient(TestNode.clientVertx(), node.port())) {
      polling.connect("demo");
      streaming.connect("demo");
      streaming.command(new JsonObject().put("type", "subscribe").put("channel", "long-lived"));
      long started = System.nanoTime();
      CompletableFuture<Response> poll = CompletableFuture.supplyAsync(() -> polling.poll(0));
      SseReader sse = streaming.sse(0, false);

      long keepalives = (HEADER_MS + SLACK_MS) / 200;
      until(Duration.ofSeconds(10), keepalives + " keepalive comments",
          () -> sse.comments().stream().filter("hb"::equals).count() >= keepalives);
      assertFalse(sse.ended(), "the SSE stream was cut");
      try (WsClient ws = node.demoClient()) {
        ws.publish("long-lived", "still streaming");
      }
      assertEquals("still streaming", sse.await(1).get(0).data().getString("data"));

      Response answer = poll.get(10, TimeUnit.SECONDS);
      long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertEquals(200, answer.status(), answer.body());
      assertEquals(0, answer.json().getJsonArray("messages").size());
      assertTrue(waitedMs >= HEADER_MS + 1000 - 100, "the poll answered after " + waitedMs + " ms");
      sse.close();
    }
  }

  private static void assertWithin(long deadlineMs, Closed closed, String what) {
    assertTrue(closed.afterMs() >= deadlineMs - 100 && closed.afterMs() <= deadlineMs + SLACK_MS,
        what + ": closed after " + closed.afterMs() + " ms, deadline " + deadlineMs + " ms");
  }

  // A client that is slow on purpose: the pause is the behaviour under test, not a wait for a condition.
  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
