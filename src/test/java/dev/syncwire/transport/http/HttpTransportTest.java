package dev.syncwire.transport.http;

import dev.syncwire.testing.Await;
import dev.syncwire.testing.HttpSessionClient;
import dev.syncwire.testing.HttpSessionClient.Response;
import dev.syncwire.testing.HttpSessionClient.SseReader;
import dev.syncwire.testing.RawHttp;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.Tokens;
import dev.syncwire.testing.WsClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SSE and long-poll transports on one node, with real HTTP clients. */
class HttpTransportTest {
  private static TestNode node;
  private HttpSessionClient client;

  @BeforeAll
  static void start() {
    node = TestNode.startWith(new JsonObject()
        .put("longpoll", new JsonObject().put("timeoutMs", 500))
        .put("sse", new JsonObject().put("keepaliveMs", 200).put("retryMs", 1500))
        .put("session", new JsonObject().put("lingerMs", 1500))
        .put("limits", new JsonObject().put("commandRate", 0))
        .put("http", new JsonObject().put("maxSendBytes", 4096).put("maxCommandsPerSend", 5)));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @BeforeEach
  void open() {
    client = new HttpSessionClient(TestNode.clientVertx(), node.port());
  }

  @AfterEach
  void close() {
    client.close();
  }

  private JsonObject publish(String channel, Object data) {
    return client.command(new JsonObject().put("type", "publish").put("channel", channel).put("data", data));
  }

  private void publishElsewhere(String channel, Object data) {
    try (WsClient ws = node.demoClient()) {
      ws.publish(channel, data);
    }
  }

  @Test
  void sendWithoutSessionConnectsAndAnswersEachCommandInOrder() {
    Response r = client.send(null, new JsonArray()
        .add(new JsonObject().put("id", 1).put("type", "connect").put("tenant", "demo"))
        .add(new JsonObject().put("id", 2).put("type", "subscribe").put("channel", "h1"))
        .add(new JsonObject().put("id", 3).put("type", "publish").put("channel", "h1").put("data", "x"))
        .add(new JsonObject().put("id", 4).put("type", "ping")));
    assertEquals(200, r.status());
    JsonArray replies = r.array();
    assertEquals(List.of("connected", "subscribed", "ack", "pong"), replies.stream()
        .map(o -> ((JsonObject) o).getString("type")).toList());
    assertEquals(List.of(1L, 2L, 3L, 4L), replies.stream().map(o -> ((JsonObject) o).getLong("id")).toList());
    assertTrue(replies.getJsonObject(0).getString("session").endsWith(".test-node"), "the id names the home node");
    assertEquals("no-cache", r.headers().get("cache-control"));
    assertEquals("no", r.headers().get("x-accel-buffering"));
  }

  @Test
  void aFirstSendThatIsNotAConnectOrIsRefusedIs401AndLeavesNoSession() {
    // Sessions of earlier tests linger after their clients leave; start from none so a refused send
    // that opened a session cannot hide behind one of them ending.
    Await.until(Duration.ofSeconds(10), "sessions of earlier tests to end", () -> node.sessions() == 0);
    Response r = client.send(null, new JsonArray().add(new JsonObject().put("id", 1).put("type", "ping")));
    assertEquals(401, r.status());
    assertEquals("unauthorized", r.array().getJsonObject(0).getString("code"));
    Response refused = client.send(null, new JsonArray().add(new JsonObject().put("id", 1).put("type", "connect")
        .put("tenant", "acme")));
    assertEquals(401, refused.status());
    Response empty = client.send(null, new JsonArray());
    assertEquals(401, empty.status(), "no connect at all");
    assertEquals(new JsonArray(), empty.array());
    Response notACommand = client.send(null, new JsonArray().add("hello"));
    assertEquals(401, notACommand.status());
    assertEquals("bad_request", notACommand.array().getJsonObject(0).getString("code"));
    assertEquals(0, node.sessions(), "a refused first send opens no session");
  }

  @Test
  void pollAnswersAtOnceWithPendingPushesAndAcknowledgesByCursor() {
    client.connect("demo");
    client.command(new JsonObject().put("type", "subscribe").put("channel", "h2"));
    publish("h2", 1);
    publish("h2", 2);
    Response first = client.poll(0);
    assertEquals(200, first.status());
    assertEquals(2L, first.json().getLong("cursor"));
    JsonArray messages = first.json().getJsonArray("messages");
    assertEquals(List.of(1, 2), messages.stream().map(o -> ((JsonObject) o).getInteger("data")).toList());
    // The same cursor again: that response was "lost", so it is repeated.
    assertEquals(messages, client.poll(0).json().getJsonArray("messages"));
    publish("h2", 3);
    Response next = client.poll(2);
    assertEquals(3L, next.json().getLong("cursor"), "one cursor per push");
    assertEquals(1, next.json().getJsonArray("messages").size());
    assertEquals(3, next.json().getJsonArray("messages").getJsonObject(0).getInteger("data"));
  }

  @Test
  void pollWaitsForPushesThenTimesOutEmpty() {
    client.connect("demo");
    client.command(new JsonObject().put("type", "subscribe").put("channel", "h3"));
    long start = System.currentTimeMillis();
    Response empty = client.poll(0);
    long took = System.currentTimeMillis() - start;
    assertEquals(new JsonObject().put("cursor", 0).put("messages", new JsonArray()), empty.json());
    assertTrue(took >= 450 && took < 3000, "longpoll.timeoutMs is 500: " + took);
    new Thread(() -> {
      sleep(150);
      publishElsewhere("h3", "late");
    }).start();
    start = System.currentTimeMillis();
    Response woken = client.poll(0);
    assertTrue(System.currentTimeMillis() - start < 450, "answered when the push came, not at the timeout");
    assertEquals("late", woken.json().getJsonArray("messages").getJsonObject(0).getString("data"));
  }

  @Test
  void sseStreamsPushesWithCursorsKeepalivesAndARetryHint() {
    client.connect("demo");
    client.command(new JsonObject().put("type", "subscribe").put("channel", "h4"));
    SseReader sse = client.sse(0, false);
    assertEquals(200, sse.status);
    assertTrue(sse.headers.get("content-type").startsWith("text/event-stream"));
    assertEquals("no-cache", sse.headers.get("cache-control"));
    assertEquals("no", sse.headers.get("x-accel-buffering"));
    for (int i = 1; i <= 3; i++) {
      publish("h4", i);
    }
    List<SseReader.Event> events = sse.await(3);
    for (int i = 0; i < 3; i++) {
      assertEquals(i + 1L, events.get(i).id());
      assertEquals(i + 1, events.get(i).data().getInteger("data"));
    }
    assertEquals(1500L, sse.retry);
    assertTrue(sse.awaitComment("hb"::equals), "a keepalive comment every sse.keepaliveMs");
    sse.close();
  }

  @Test
  void sseResumesExactlyAfterLastEventIdWithoutLossOrRepetition() {
    client.connect("demo");
    client.command(new JsonObject().put("type", "subscribe").put("channel", "h5"));
    SseReader first = client.sse(0, false);
    for (int i = 1; i <= 3; i++) {
      publish("h5", i);
    }
    first.await(3);
    first.close();
    for (int i = 4; i <= 6; i++) {
      publish("h5", i);
    }
    SseReader resumed = client.sse(3, true);
    List<SseReader.Event> events = resumed.await(3);
    assertEquals(List.of(4L, 5L, 6L), events.stream().map(SseReader.Event::id).toList());
    assertEquals(List.of(4, 5, 6), events.stream().map(e -> e.data().getInteger("data")).toList());
    publish("h5", 7);
    assertEquals(7L, resumed.await(4).get(3).id());
    resumed.close();
    SseReader byParam = client.sse(5, false);
    assertEquals(List.of(6L, 7L), byParam.await(2).stream().map(SseReader.Event::id).toList());
    byParam.close();
  }

  @Test
  void aSecondDownstreamEndsTheFirst() {
    client.connect("demo");
    client.command(new JsonObject().put("type", "subscribe").put("channel", "h6"));
    SseReader older = client.sse(0, false);
    sleep(100);
    SseReader newer = client.sse(0, false);
    Await.until(Duration.ofSeconds(5), "the older stream to end", older::ended);
    publish("h6", "to the newer");
    assertEquals("to the newer", newer.await(1).get(0).data().getString("data"));
    assertTrue(older.events().isEmpty());
    newer.close();
  }

  @Test
  void aSecondPollEndsTheFirstEmpty() throws Exception {
    client.connect("demo");
    client.command(new JsonObject().put("type", "subscribe").put("channel", "h7"));
    java.util.concurrent.CompletableFuture<Response> first = java.util.concurrent.CompletableFuture.supplyAsync(() -> client.poll(0));
    sleep(100);
    long start = System.currentTimeMillis();
    java.util.concurrent.CompletableFuture<Response> second = java.util.concurrent.CompletableFuture.supplyAsync(() -> client.poll(0));
    Response firstAnswer = first.get();
    assertTrue(System.currentTimeMillis() - start < 400, "the first poll ended when the second came");
    assertEquals(0, firstAnswer.json().getJsonArray("messages").size());
    publishElsewhere("h7", "x");
    assertEquals(1, second.get().json().getJsonArray("messages").size());
  }

  @Test
  void aWrongKeyAndAnUnknownSessionGetTheSameAnswer() {
    client.connect("demo");
    Response wrong = client.post("/send?session=" + client.session, "[]", "not-the-key");
    assertEquals(404, wrong.status());
    assertEquals(Map.of("code", "session_not_found", "message", "no session with this id and key; connect again"),
        wrong.json().getMap());
    List<Response> answers = List.of(wrong,
        client.post("/send?session=s_nothing.test-node", "[]", "k"),
        client.post("/send?session=s_nothing.other-node", "[]", "k"),
        client.post("/send?session=no-node-at-all", "[]", "k"),
        client.call(HttpMethod.GET, "/poll?session=" + client.session + "&key=nope&cursor=0", null, Map.of()),
        client.call(HttpMethod.GET, "/poll?session=s_nothing.test-node&key=nope&cursor=0", null, Map.of()),
        client.call(HttpMethod.GET, "/sse?session=" + client.session, null, Map.of()),
        client.call(HttpMethod.GET, "/sse?session=s_nothing.test-node&key=k", null, Map.of()));
    for (Response a : answers) {
      assertEquals(404, a.status(), a.body());
      assertEquals(wrong.body(), a.body());
    }
  }

  @Test
  void anotherTenantsSessionIsNeverReachable() {
    client.connect("demo");
    client.command(new JsonObject().put("type", "subscribe").put("channel", "shared-name"));
    try (HttpSessionClient other = new HttpSessionClient(TestNode.clientVertx(), node.port())) {
      other.connect("readonly");
      // Its own key does not open the demo session, and its channels are not demo's.
      assertEquals(404, other.post("/send?session=" + client.session, "[{\"id\":1,\"type\":\"ping\"}]", other.key).status());
      assertEquals(404, other.call(HttpMethod.GET, "/poll?session=" + client.session + "&key=" + other.key + "&cursor=0",
          null, Map.of()).status());
      other.command(new JsonObject().put("type", "subscribe").put("channel", "shared-name"));
    }
    try (WsClient readonly = node.client()) {
      readonly.connectAnonymous("readonly");
      readonly.subscribe("shared-name");
    }
    publish("shared-name", "demo's");
    JsonArray messages = client.poll(0).json().getJsonArray("messages");
    assertEquals(1, messages.size());
    assertEquals("demo's", messages.getJsonObject(0).getString("data"));
  }

  @Test
  void anIdleSessionEndsAfterItsLinger() {
    client.connect("demo");
    int before = node.sessions();
    sleep(2000);
    assertEquals(404, client.poll(0).status(), "session.lingerMs is 1500");
    assertTrue(node.sessions() < before);
  }

  @Test
  void anExpiredTokenMakesTheNextRequest401() {
    long exp = System.currentTimeMillis() / 1000 + 1;
    Response r = client.send(null, new JsonArray().add(new JsonObject().put("id", 1).put("type", "connect")
        .put("token", Tokens.hs256(TestNode.ACME_SECRET, Tokens.claims("acme", "u").put("exp", exp)))));
    assertEquals(200, r.status());
    client.session = r.array().getJsonObject(0).getString("session");
    client.key = r.array().getJsonObject(0).getString("key");
    // Just after the expiry: the session ended with its token.
    sleep(Math.max(0, exp * 1000 + 300 - System.currentTimeMillis()));
    assertEquals(401, client.poll(0).status());
  }

  @Test
  void jsonTheServerCannotCarryInASendIs400AndNothingIsPublished() {
    client.connect("demo");
    client.command(new JsonObject().put("type", "subscribe").put("channel", "h-exact"));
    for (String data : List.of("1e400", "12345678901234567890123", "\"\\ud800\"", "1 /* one */")) {
      Response r = client.post("/send?session=" + client.session,
          "[{\"id\":1,\"type\":\"publish\",\"channel\":\"h-exact\",\"data\":" + data + "}]", client.key);
      assertEquals(400, r.status(), data);
      assertEquals("bad_request", r.json().getString("code"));
      assertFalse(r.json().getString("message").isEmpty());
    }
    assertEquals(1L, publish("h-exact", 0.5).getLong("seq"));
  }

  @Test
  void badSendsAreRefusedClearly() {
    assertEquals(413, client.post("/send", "[" + "{\"id\":1,\"type\":\"ping\"},".repeat(200) + "{}]", null).status());
    Response many = client.post("/send", new JsonArray().add(1).add(2).add(3).add(4).add(5).add(6).encode(), null);
    assertEquals(413, many.status());
    assertEquals("too_large", many.json().getString("code"));
    assertEquals(400, client.post("/send", "{not json", null).status());
    assertEquals(400, client.post("/send", "{\"id\":1}", null).status());
    client.connect("demo");
    Response mixed = client.send(client.session, new JsonArray().add("text").add(new JsonObject().put("type", "ping"))
        .add(new JsonObject().put("id", 9).put("type", "teleport")).add(new JsonObject().put("id", 10).put("type", "ping")));
    assertEquals(200, mixed.status());
    JsonArray replies = mixed.array();
    assertEquals("bad_request", replies.getJsonObject(0).getString("code"));
    assertEquals("bad_request", replies.getJsonObject(1).getString("code"));
    assertEquals("bad_request", replies.getJsonObject(2).getString("code"));
    assertEquals(9L, replies.getJsonObject(2).getLong("id"));
    assertEquals("pong", replies.getJsonObject(3).getString("type"));
  }

  @Test
  void sendBodiesAreJsonWhateverTheirContentTypeUpToTheLimit() {
    try (TestNode plain = TestNode.start()) {
      String body = "[{\"id\":1,\"type\":\"connect\",\"tenant\":\"demo\"},"
          + "{\"id\":2,\"type\":\"publish\",\"channel\":\"forms\",\"data\":\"" + "x".repeat(10_000) + "\"}]";
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      for (String type : List.of("application/x-www-form-urlencoded", "multipart/form-data; boundary=b", "text/plain",
          "application/json")) {
        // Plain, then as curl sends a larger body (Expect: 100-continue), then chunked.
        for (boolean[] how : new boolean[][] {{false, false}, {true, false}, {false, true}}) {
          RawHttp.Response r = RawHttp.exchange(plain.port(), "POST /send HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              + "Content-Type: " + type, bytes, how[0], how[1]);
          assertEquals(200, r.status(), type + ": " + r.body());
          assertEquals("ack", new JsonArray(r.body()).getJsonObject(1).getString("type"), r.body());
        }
      }
      byte[] over = ("[\"" + "y".repeat(70_000) + "\"]").getBytes(StandardCharsets.UTF_8);
      for (boolean chunked : new boolean[] {false, true}) {
        RawHttp.Response r = RawHttp.exchange(plain.port(), "POST /send HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Type: application/x-www-form-urlencoded", over, false, chunked);
        assertEquals(413, r.status(), r.body());
        assertEquals("too_large", new JsonObject(r.body()).getString("code"));
      }
    }
  }

  @Test
  void corsPreflightOfSendIsAnswered() {
    Response preflight = client.call(HttpMethod.OPTIONS, "/send", null, Map.of("Origin", "https://app.example.com",
        "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type, x-syncwire-key"));
    assertTrue(preflight.status() == 200 || preflight.status() == 204, "status " + preflight.status());
    assertEquals("*", preflight.headers().get("access-control-allow-origin"));
    assertTrue(preflight.headers().get("access-control-allow-headers").toLowerCase().contains("x-syncwire-key"));
    assertTrue(preflight.headers().get("access-control-allow-methods").contains("POST"));
    client.connect("demo");
    Response poll = client.call(HttpMethod.GET, "/poll?session=" + client.session + "&key=" + client.key + "&cursor=0",
        null, Map.of("Origin", "https://app.example.com"));
    assertEquals("*", poll.headers().get("access-control-allow-origin"));
  }

  @Test
  void corsIsLimitedToConfiguredOrigins() {
    try (TestNode strict = TestNode.startWith(new JsonObject().put("http", new JsonObject()
        .put("allowedOrigins", new JsonArray().add("https://app.example.com"))));
         HttpSessionClient c = new HttpSessionClient(TestNode.clientVertx(), strict.port())) {
      Response ok = c.call(HttpMethod.OPTIONS, "/send", null, Map.of("Origin", "https://app.example.com",
          "Access-Control-Request-Method", "POST"));
      assertEquals("https://app.example.com", ok.headers().get("access-control-allow-origin"));
      Response evil = c.call(HttpMethod.OPTIONS, "/send", null, Map.of("Origin", "https://evil.example",
          "Access-Control-Request-Method", "POST"));
      assertNull(evil.headers().get("access-control-allow-origin"));
    }
  }

  @Test
  void pushesWaitingForAnAbsentClientAreBoundedByResettingTheChannel() {
    try (TestNode small = TestNode.startWith(new JsonObject().put("limits", new JsonObject()
        .put("outboundBufferBytes", 16 * 1024).put("outboundHighWaterBytes", 4 * 1024).put("commandRate", 0)));
         HttpSessionClient c = new HttpSessionClient(TestNode.clientVertx(), small.port());
         WsClient publisher = small.demoClient()) {
      c.connect("demo");
      c.command(new JsonObject().put("type", "subscribe").put("channel", "flood"));
      c.command(new JsonObject().put("type", "subscribe").put("channel", "quiet"));
      for (int i = 0; i < 100; i++) {
        publisher.publish("flood", "x".repeat(1000));
      }
      publisher.publish("quiet", "still subscribed");
      JsonArray messages = c.poll(0).json().getJsonArray("messages");
      List<String> types = messages.stream().map(o -> ((JsonObject) o).getString("type")).toList();
      assertTrue(types.contains("reset"), "the overflowing channel was reset: " + types);
      JsonObject reset = messages.stream().map(o -> (JsonObject) o).filter(o -> "reset".equals(o.getString("type")))
          .findFirst().orElseThrow();
      assertEquals("flood", reset.getString("channel"));
      assertTrue(messages.encode().length() < 20 * 1024, "bounded: " + messages.encode().length());
      assertTrue(messages.stream().map(o -> (JsonObject) o).anyMatch(o -> "still subscribed".equals(o.getValue("data"))),
          "the other channel goes on");
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
