package dev.syncwire.telemetry;

import dev.syncwire.testing.Await;
import dev.syncwire.testing.HttpSessionClient;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /metrics} on the admin port: Prometheus text that {@code promtool} accepts, without the admin key,
 * with the three {@code ws_*} series under their exact names and the node's counters moving with real traffic.
 */
class MetricsEndpointTest {
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

  private record Response(int status, String body, String contentType) {
  }

  private static Response get(int port, String path, String auth) {
    return Await.result(http.request(HttpMethod.GET, port, "127.0.0.1", path).compose(req -> {
      if (auth != null) {
        req.putHeader("Authorization", auth);
      }
      return req.send().compose(res -> res.body().map(b -> new Response(res.statusCode(), b.toString(),
          res.getHeader("content-type"))));
    }));
  }

  static String scrape(int adminPort) {
    Response r = get(adminPort, "/metrics", null);
    assertEquals(200, r.status(), r.body());
    assertTrue(r.contentType().startsWith("text/plain; version=0.0.4"), r.contentType());
    return r.body();
  }

  /** The value of the sample {@code series} (name and labels exactly as written), or NaN when absent. */
  static double value(String scrape, String series) {
    Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  @Test
  void countsConnectionsPublishesAcksDeliveriesAndReconnectsPerTransport() {
    String before = scrape(node.adminPort());
    double publishesBefore = value(before, "syncwire_publishes_total{transport=\"websocket\"}");
    double reconnectsBefore = value(before, "ws_reconnects_total{transport=\"websocket\"}");
    double longPollBefore = value(before, "ws_active_connections{transport=\"longpoll\"}");
    try (WsClient ws = WsClient.open(TestNode.clientVertx(), node.port())) {
      ws.connectAnonymous("demo");
      JsonObject subscribed = ws.subscribe("metrics-a");
      ws.publish("metrics-a", "one");
      ws.pubs("metrics-a", 1);
      // A resubscribe with since counts as a reconnect.
      ws.request(new JsonObject().put("type", "subscribe").put("channel", "metrics-a")
          .put("since", new JsonObject().put("epoch", subscribed.getString("epoch")).put("seq", 0)));
      HttpSessionClient poller = new HttpSessionClient(TestNode.clientVertx(), node.port());
      try {
        poller.connect("demo");
        String during = scrape(node.adminPort());
        assertEquals(1.0, value(during, "ws_active_connections{transport=\"websocket\"}"), during);
        assertEquals(longPollBefore + 1, value(during, "ws_active_connections{transport=\"longpoll\"}"));
        assertEquals(publishesBefore + 1, value(during, "syncwire_publishes_total{transport=\"websocket\"}"));
        assertEquals(reconnectsBefore + 1, value(during, "ws_reconnects_total{transport=\"websocket\"}"));
        assertTrue(value(during, "ws_reconnect_rate") > 0, "reconnect rate");
        assertTrue(value(during, "syncwire_acks_total{duplicate=\"false\"}") >= 1);
        assertTrue(value(during, "syncwire_deliveries_total") >= 1);
        assertTrue(value(during, "syncwire_recoveries_total{recovered=\"true\"}") >= 1, during);
        assertTrue(value(during, "syncwire_publish_ack_latency_seconds_count") >= 1);
        assertTrue(value(during, "syncwire_publish_delivery_latency_seconds_count") >= 1);
        for (String reason : new String[] {"slow_consumer", "channel_reset", "conflated"}) {
          assertEquals(0.0, value(during, "ws_dropped_frames{reason=\"" + reason + "\"}"), reason);
          assertEquals(0.0, value(during, "ws_dropped_frames_total{reason=\"" + reason + "\"}"), reason);
        }
        // Vert.x's and the JVM's meters are there only under the launcher; ours always are.
        assertTrue(during.contains("syncwire_ready 1.0"), "ready gauge");
      } finally {
        poller.close();
      }
    }
    Await.until(Duration.ofSeconds(10), "the websocket gauge back to 0",
        () -> value(scrape(node.adminPort()), "ws_active_connections{transport=\"websocket\"}") == 0.0);
  }

  @Test
  void closeCodesAndAuthFailuresAreCounted() {
    double failuresBefore = value(scrape(node.adminPort()), "syncwire_auth_failures_total");
    try (WsClient ws = WsClient.open(TestNode.clientVertx(), node.port())) {
      ws.send(new JsonObject().put("id", 1).put("type", "connect").put("token", "not-a-token"));
      assertEquals((short) 4001, ws.awaitClose());
    }
    String after = scrape(node.adminPort());
    assertEquals(failuresBefore + 1, value(after, "syncwire_auth_failures_total"));
    assertTrue(value(after, "syncwire_closes_total{code=\"4001\"}") >= 1, after);
  }

  @Test
  void promtoolAcceptsTheScrape() throws Exception {
    Path file = Files.createTempFile("syncwire-metrics", ".txt");
    try {
      Files.writeString(file, scrape(node.adminPort()));
      Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectInput(file.toFile())
          .redirectErrorStream(true).start();
      assertTrue(promtool.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
      String out = new String(promtool.getInputStream().readAllBytes());
      // promtool exits 3 for lint remarks only (such as a missing HELP); 1 for text it cannot parse.
      assertTrue(promtool.exitValue() == 0 || promtool.exitValue() == 3, out);
      assertTrue(!out.contains("error while linting"), out);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Test
  void theKeyCanBeRequired() {
    try (TestNode locked = TestNode.startWith(new JsonObject().put("metrics", new JsonObject().put("requireKey", true)))) {
      assertEquals(401, get(locked.adminPort(), "/metrics", null).status());
      assertEquals(200, get(locked.adminPort(), "/metrics", "Bearer " + TestNode.ADMIN_KEY).status());
    }
  }
}
