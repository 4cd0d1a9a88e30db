package dev.syncwire.admin;

import dev.syncwire.testing.Await;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard of the admin port: the page and its event stream behind the admin key, Basic or Bearer,
 * with a Basic challenge when it is missing; snapshots once a second that follow connections and publishes;
 * a stream forgotten when its reader goes away.
 */
class DashboardTest {
  private static final String BASIC_KEY = basic("anyone", TestNode.ADMIN_KEY);
  private static final String CHALLENGE = "Basic realm=\"syncwire admin\"";

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

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  record Response(int status, String body, String contentType, String challenge) {
  }

  private static Response get(int port, String path, String auth) {
    return Await.result(http.request(HttpMethod.GET, port, "127.0.0.1", path).compose(req -> {
      if (auth != null) {
        req.putHeader("Authorization", auth);
      }
      return req.send().compose(res -> res.body().map(b -> new Response(res.statusCode(), b.toString(),
          res.getHeader("content-type"), res.getHeader("www-authenticate"))));
    }));
  }

  /** An open {@code text/event-stream}, its {@code data:} events parsed as they arrive. */
  private static final class EventStream implements AutoCloseable {
    final List<JsonObject> events = new CopyOnWriteArrayList<>();
    private final StringBuilder pending = new StringBuilder();
    private HttpClientResponse response;

    static EventStream open(int port, String auth) {
      EventStream stream = new EventStream();
      stream.response = Await.result(http.request(HttpMethod.GET, port, "127.0.0.1", Dashboard.EVENTS_PATH)
          .compose(req -> req.putHeader("Authorization", auth).send().map(res -> {
            // Set at once, in the send's own callback: no chunk may arrive before it.
            res.handler(stream::received);
            return res;
          })));
      assertEquals(200, stream.response.statusCode());
      assertTrue(stream.response.getHeader("content-type").startsWith("text/event-stream"));
      return stream;
    }

    private synchronized void received(io.vertx.core.buffer.Buffer chunk) {
      pending.append(chunk.toString(StandardCharsets.UTF_8));
      for (int end = pending.indexOf("\n\n"); end >= 0; end = pending.indexOf("\n\n")) {
        for (String line : pending.substring(0, end).split("\n")) {
          if (line.startsWith("data: ")) {
            events.add(new JsonObject(line.substring(6)));
          }
        }
        pending.delete(0, end + 2);
      }
    }

    /** The first event, from the {@code from}-th on, that passes {@code match}. */
    JsonObject await(int from, String what, Predicate<JsonObject> match) {
      Await.until(Duration.ofSeconds(15), what, () -> events.stream().skip(from).anyMatch(match),
          () -> "events: " + events);
      return events.stream().skip(from).filter(match).findFirst().orElseThrow();
    }

    @Override
    public void close() {
      Await.result(response.request().connection().close());
    }
  }

  @Test
  void pageAndStreamNeedTheAdminKeyAndChallengeForBasic() {
    int admin = node.adminPort();
    for (String path : new String[] {"/", Dashboard.EVENTS_PATH, "/dashboard/dashboard.js"}) {
      Response none = get(admin, path, null);
      assertEquals(401, none.status(), path);
      assertEquals(CHALLENGE, none.challenge(), path);
      assertEquals(401, get(admin, path, basic("anyone", "wrong-key")).status(), path);
      assertEquals(401, get(admin, path, "Bearer wrong-key").status(), path);
    }
    Response page = get(admin, "/", BASIC_KEY);
    assertEquals(200, page.status());
    assertTrue(page.contentType().startsWith("text/html"), page.contentType());
    assertTrue(page.body().contains("/dashboard/dashboard.js"), page.body());
    Response script = get(admin, "/dashboard/dashboard.js", basic("", TestNode.ADMIN_KEY));
    assertEquals(200, script.status());
    assertTrue(script.contentType().startsWith("text/javascript"));
    assertTrue(script.body().contains(Dashboard.EVENTS_PATH));
    assertEquals(200, get(admin, "/", "Bearer " + TestNode.ADMIN_KEY).status(), "the bearer key works too");

    // The API takes the key either way and does not challenge; the health endpoints stay open.
    Response api = get(admin, "/api/v1/nodes", null);
    assertEquals(401, api.status());
    assertNull(api.challenge());
    assertEquals(200, get(admin, "/api/v1/nodes", BASIC_KEY).status());
    assertEquals(200, get(admin, "/health", null).status());
  }

  @Test
  void emptyAdminKeyDisablesTheDashboard() {
    try (TestNode open = TestNode.startWith(new JsonObject().put("admin", new JsonObject().put("key", "")))) {
      assertEquals(403, get(open.adminPort(), "/", basic("anyone", "")).status());
      assertEquals(403, get(open.adminPort(), Dashboard.EVENTS_PATH, basic("anyone", "")).status());
    }
  }

  @Test
  void eventsFollowConnectionsPublishesAndChannels() {
    try (EventStream stream = EventStream.open(node.adminPort(), BASIC_KEY)) {
      stream.await(0, "two events", e -> stream.events.size() >= 2);
      JsonObject first = stream.events.get(0);
      JsonObject second = stream.events.get(1);
      long apart = second.getLong("time") - first.getLong("time");
      assertTrue(apart >= 500 && apart <= 3000, "events " + apart + " ms apart");
      assertEquals("test-node", second.getString("node"));
      for (String transport : new String[] {"websocket", "sse", "longpoll"}) {
        assertTrue(second.getJsonObject("connections").getValue(transport) instanceof Number, transport);
      }
      assertTrue(second.getValue("publishRate") instanceof Number);
      assertTrue(second.getValue("deliveryRate") instanceof Number);
      assertTrue(second.getJsonObject("memoryGuard").getValue("engaged") instanceof Boolean);
      assertTrue(second.getJsonObject("memoryGuard").getValue("heapAfterGcPercent") instanceof Number);
      JsonObject row = second.getJsonArray("nodes").getJsonObject(0);
      assertEquals("test-node", row.getString("node"));
      for (String field : new String[] {"ready", "draining", "connections", "sessions", "channelsOwned"}) {
        assertTrue(row.containsKey(field), field + " in " + row);
      }
      assertTrue(row.getJsonObject("memoryGuard").getValue("heapAfterGcPercent") instanceof Number, row.encode());
      assertTrue(second.getValue("topChannels") instanceof JsonArray);

      try (WsClient client = node.demoClient()) {
        client.subscribe("dashboard-feed");
        int mark = stream.events.size();
        stream.await(mark, "a WebSocket connection counted",
            e -> e.getJsonObject("connections").getInteger("websocket") >= 1);
        JsonObject feed = stream.await(mark, "the channel among the top channels", e -> e.getJsonArray("topChannels")
            .stream().map(JsonObject.class::cast).anyMatch(c -> "dashboard-feed".equals(c.getString("channel"))))
            .getJsonArray("topChannels").stream().map(JsonObject.class::cast)
            .filter(c -> "dashboard-feed".equals(c.getString("channel"))).findFirst().orElseThrow();
        assertEquals("demo", feed.getString("tenant"));
        assertEquals(1, feed.getInteger("subscribers"));

        mark = stream.events.size();
        for (int n = 1; n <= 20; n++) {
          client.publish("dashboard-feed", new JsonObject().put("n", n));
        }
        stream.await(mark, "a publish rate", e -> e.getDouble("publishRate") > 0);
        stream.await(mark, "a delivery rate", e -> e.getDouble("deliveryRate") > 0);
        JsonObject later = stream.await(mark, "the channel's seq", e -> e.getJsonArray("topChannels").stream()
            .map(JsonObject.class::cast).anyMatch(c -> "dashboard-feed".equals(c.getString("channel"))
                && c.getLong("seq") == 20));
        assertTrue(later.getJsonArray("nodes").getJsonObject(0).getInteger("channelsOwned") >= 1);
      }
    }
  }

  @Test
  void aStreamIsForgottenWhenItsReaderGoesAway() {
    Dashboard dashboard = new Dashboard(node.vertx, node.node.status(), node.node.broker(), null,
        node.node.metrics(), List.of("demo"));
    Router router = Router.router(node.vertx);
    dashboard.mount(router, rc -> rc.next());
    HttpServer server = Await.result(node.vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    try {
      for (int round = 1; round <= 2; round++) {
        EventStream stream = EventStream.open(server.actualPort(), "none");
        stream.await(0, "an event", e -> true);
        assertEquals(1, dashboard.openStreams());
        stream.close();
        Await.until(Duration.ofSeconds(5), "the stream forgotten", () -> dashboard.openStreams() == 0);
      }
    } finally {
      Await.result(server.close());
    }
  }
}
