package dev.syncwire.guard;

import dev.syncwire.testing.Await;
import dev.syncwire.testing.NodeProcess;
import dev.syncwire.testing.RawWebSocket;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that try to exhaust a node on a 256 MB heap: a ping flood from sockets that never read, a
 * flood of 60 KB publications, and a thousand subscribers that stop reading. Throughout, the node stays
 * up, {@code /health} answers within a second and a well-behaved subscriber gets its channel in order.
 */
class HostileClientsIT {
  private static final NodeProcess.Options SMALL_HEAP = NodeProcess.Options.forTests()
      .withJvmOptions(List.of("-Xmx256m", "-Xms256m", "-XX:+UseSerialGC"));
  private static final int PAYLOAD_BYTES = 60 * 1024;

  private final List<AutoCloseable> open = new ArrayList<>();
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private NodeProcess node;

  @AfterEach
  void tearDown() throws Exception {
    threads.shutdownNow();
    for (AutoCloseable c : open) {
      try {
        c.close();
      } catch (Exception ignored) {
        // closing anyway
      }
    }
    if (node != null) {
      node.close();
    }
  }

  @Test
  void pingFloodFromSocketsThatDoNotReadLeavesTheNodeServing() throws Exception {
    // The embedded defaults' command rate, and no connect deadline within the flood: the rate alone stops it.
    node = NodeProcess.alone(SMALL_HEAP, "pings", Map.of("limits.commandRate", "1000", "limits.commandBurst", "2000",
        "limits.connectTimeoutMs", "60000")).awaitReady();
    HealthProbe health = HealthProbe.start(threads, node.port);
    CalmChannel calm = CalmChannel.start(threads, node.port, open);

    AtomicLong pings = new AtomicLong();
    AtomicLong cut = new AtomicLong();
    List<Future<?>> flooders = new ArrayList<>();
    // Past the rate the node sends close 4008, discards what follows and drops the socket within 5 s.
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    for (int i = 0; i < 2; i++) {
      RawWebSocket ws = RawWebSocket.connect(node.port, Map.of(), 4096);
      open.add(ws);
      assertEquals(101, ws.status);
      flooders.add(threads.submit(() -> {
        byte[] payload = new byte[125];
        try {
          while (System.nanoTime() < until) {
            ws.sendFrame(RawWebSocket.PING, payload);
            pings.incrementAndGet();
          }
        } catch (Throwable closed) {
          cut.incrementAndGet(); // the node closed the socket under the flood
        }
      }));
    }
    long rss = 0;
    for (Future<?> f : flooders) {
      while (!f.isDone()) {
        rss = Math.max(rss, node.rssBytes());
        try {
          f.get(200, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException notYet) {
          // sample again
        }
      }
      f.get();
    }
    figure("ping flood: %,d pings from 2 sockets, node RSS peak %,d MB, heap after GC %d%%", pings.get(),
        rss >> 20, node.status().getJsonObject("memoryGuard").getInteger("heapAfterGcPercent"));
    calm.stop();
    health.stop();

    assertTrue(node.alive(), "node alive after " + pings.get() + " pings");
    assertEquals(2, cut.get(), "both flooders were cut off before their 15 s were up (" + pings.get() + " pings)");
    health.assertAnsweredWithin(Duration.ofSeconds(1));
    calm.assertInOrder();
    assertFalse(node.logText().contains("OutOfMemoryError"), "no OutOfMemoryError in the log");
  }

  @Test
  void pingsPastTheCommandRateCloseTheConnectionWith4008() {
    node = NodeProcess.alone(SMALL_HEAP, "ping-rate", Map.of("limits.commandRate", "10", "limits.commandBurst", "5"))
        .awaitReady();
    try (RawWebSocket ws = RawWebSocket.connect(node.port, Map.of())) {
      ws.sendText("{\"id\":1,\"type\":\"connect\",\"tenant\":\"demo\"}");
      for (int i = 0; i < 50; i++) {
        ws.sendFrame(RawWebSocket.PING, new byte[] {(byte) i});
      }
      RawWebSocket.Frame last = ws.readUntilClosed(10_000);
      assertEquals(RawWebSocket.CLOSE, last.opcode());
      assertEquals(4008, last.closeCode());
    }
  }

  @Test
  void historyFloodOfLargePublicationsStaysWithinTheBudgets() throws Exception {
    node = NodeProcess.alone(SMALL_HEAP, "history", Map.of()).awaitReady();
    HealthProbe health = HealthProbe.start(threads, node.port);
    CalmChannel calm = CalmChannel.start(threads, node.port, open);
    WsClient publisher = client(node.port);
    publisher.connectAnonymous("demo");
    String payload = "x".repeat(PAYLOAD_BYTES);
    String firstEpoch = null;
    long rss = 0;
    for (int i = 0; i < 4000; i++) {
      if (i % 100 == 0) {
        rss = Math.max(rss, node.rssBytes());
      }
      JsonObject ack = publisher.publish("flood-" + (i % 4), payload);
      assertEquals("ack", ack.getString("type"), ack.encode());
      if (i == 0) {
        firstEpoch = ack.getString("epoch");
      }
    }
    calm.stop();
    health.stop();

    assertTrue(node.alive(), "node alive");
    health.assertAnsweredWithin(Duration.ofSeconds(1));
    calm.assertInOrder();
    JsonObject history = node.status().getJsonObject("history");
    assertNotNull(history, node.status().encode());
    figure("history flood: 4,000 x 60 KB into 4 channels, node RSS peak %,d MB, history held %,d of %,d bytes, "
        + "%,d publications dropped for the budget, heap after GC %d%%", rss >> 20, history.getLong("heldBytes"),
        history.getLong("budgetBytes"), history.getLong("droppedForBudget"),
        node.status().getJsonObject("memoryGuard").getInteger("heapAfterGcPercent"));
    assertTrue(history.getLong("heldBytes") <= history.getLong("budgetBytes"), history.encode());
    assertTrue(history.getLong("budgetBytes") <= 256L * 1024 * 1024 / 4 + 1, history.encode());
    // A subscriber that stopped at the first publication cannot be replayed (it left history): no partial replay.
    JsonObject subscribed = publisher.request(new JsonObject().put("type", "subscribe").put("channel", "flood-0")
        .put("since", new JsonObject().put("epoch", firstEpoch).put("seq", 1)));
    assertEquals("subscribed", subscribed.getString("type"), subscribed.encode());
    assertFalse(subscribed.getBoolean("recovered"), subscribed.encode());
    assertFalse(node.logText().contains("OutOfMemoryError"), "no OutOfMemoryError in the log");
  }

  @Test
  void memoryGuardShedsSlowSubscribersRefusesNewWorkAndReleases() throws Exception {
    Map<String, String> settings = new HashMap<>();
    // Let history and slow subscribers grow past what the heap holds, so that only the guard stands.
    settings.put("history.nodeMaxBytes", Long.toString(1L << 30));
    settings.put("history.maxBytes", Long.toString(1L << 30));
    settings.put("history.size", "100000");
    settings.put("history.ttlMs", "15000");
    settings.put("limits.nodeOutboundBytes", Long.toString(1L << 30));
    settings.put("limits.outboundBufferBytes", Long.toString(256L << 20));
    settings.put("guard.checkIntervalMs", "200");
    node = NodeProcess.alone(SMALL_HEAP, "guard", settings).awaitReady();
    HealthProbe health = HealthProbe.start(threads, node.port);
    CalmChannel calm = CalmChannel.start(threads, node.port, open);

    for (int i = 0; i < 1000; i++) {
      RawWebSocket ws = RawWebSocket.connect(node.port, Map.of(), 4096);
      open.add(ws);
      ws.sendText("{\"id\":1,\"type\":\"connect\",\"tenant\":\"demo\"}");
      ws.sendText("{\"id\":2,\"type\":\"subscribe\",\"channel\":\"flood-" + (i % 10) + "\"}");
    }
    Await.until(Duration.ofSeconds(60), "1,000 slow subscribers connected",
        () -> node.status().getInteger("sessions") >= 1000);

    WsClient publisher = client(node.port);
    publisher.connectAnonymous("demo");
    String payload = "y".repeat(PAYLOAD_BYTES);
    JsonObject refused = null;
    long floodStart = System.nanoTime();
    long rss = 0;
    int published = 0;
    for (int i = 0; i < 20_000 && refused == null; i++) {
      JsonObject reply = publisher.publish("flood-" + (i % 10), payload + i);
      if ("error".equals(reply.getString("type"))) {
        refused = reply;
      } else {
        published++;
      }
      if (i % 100 == 0) {
        rss = Math.max(rss, node.rssBytes());
      }
    }
    long engagedAt = System.nanoTime();
    assertNotNull(refused, "the guard never refused a publish");
    assertEquals("overloaded", refused.getString("code"), refused.encode());
    assertNotNull(refused.getLong("retryAfterMs"), refused.encode());
    JsonObject engaged = node.status().getJsonObject("memoryGuard");
    assertTrue(engaged.getBoolean("engaged"), engaged.encode());
    // New connections are turned away while it holds, and balancers are told so.
    try (RawWebSocket turnedAway = RawWebSocket.connect(node.port, Map.of())) {
      assertEquals(503, turnedAway.status);
      assertNotNull(turnedAway.headers.get("retry-after"), turnedAway.headers.toString());
    }
    assertEquals(503, HealthProbe.status(node.port, "/ready"));
    assertEquals(503, HealthProbe.post(node.port, "/send", "[{\"id\":1,\"type\":\"connect\",\"tenant\":\"demo\"}]"));
    assertEquals(503, HealthProbe.status(node.port, "/sse?session=any&key=any"));
    // An established session stays, but takes on no new subscription while the guard holds.
    JsonObject subscribe = publisher.request(new JsonObject().put("type", "subscribe").put("channel", "new-one"));
    assertEquals("overloaded", subscribe.getString("code"), subscribe.encode());
    assertEquals("pong", publisher.request(new JsonObject().put("type", "ping")).getString("type"));

    Await.until(Duration.ofSeconds(90), "the guard to release",
        () -> !node.status().getJsonObject("memoryGuard").getBoolean("engaged"));
    figure("guard: engaged after %,d x 60 KB publications in %.1f s with 1,000 slow subscribers (node RSS peak %,d MB), "
        + "released %.1f s later (history.ttlMs 15 s)", published, (engagedAt - floodStart) / 1e9, rss >> 20,
        (System.nanoTime() - engagedAt) / 1e9);
    assertEquals(200, HealthProbe.status(node.port, "/ready"));
    try (RawWebSocket accepted = RawWebSocket.connect(node.port, Map.of())) {
      assertEquals(101, accepted.status);
    }
    calm.stop();
    health.stop();

    assertTrue(node.alive(), "node alive");
    health.assertAnsweredWithin(Duration.ofSeconds(1));
    calm.assertInOrder();
    JsonObject guard = node.status().getJsonObject("memoryGuard");
    assertTrue(guard.getLong("engagements") >= 1, guard.encode());
    assertTrue(guard.getLong("sessionsCutOff") > 0, "the largest slow subscribers were cut off: " + guard.encode());
    assertTrue(node.status().getInteger("sessions") < 1000, "cut-off subscribers are gone: " + node.status());
    assertFalse(node.logText().contains("OutOfMemoryError"), "no OutOfMemoryError in the log");
  }

  /** A measured figure, for the record of a run (not an assertion). */
  private static void figure(String format, Object... args) {
    System.out.println("figure: " + String.format(format, args));
  }

  private WsClient client(int port) {
    WsClient c = WsClient.open(TestNode.clientVertx(), port);
    open.add(c);
    return c;
  }

  /** GETs {@code /health} every 100 ms from its own thread and keeps every answer for the test to judge. */
  static final class HealthProbe {
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong probes = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private Future<?> loop;

    static HealthProbe start(ExecutorService threads, int port) {
      HealthProbe p = new HealthProbe();
      long t0 = System.nanoTime();
      p.loop = threads.submit(() -> {
        while (p.running.get()) {
          long start = System.nanoTime();
          try {
            int status = status(port, "/health");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            if (status != 200 || ms > 1000) {
              p.problems.add("status " + status + " after " + ms + " ms");
            }
          } catch (IOException e) {
            p.problems.add(e + " at " + TimeUnit.NANOSECONDS.toMillis(start - t0) + " ms");
          }
          p.probes.incrementAndGet();
          try {
            Thread.sleep(100); // the probe's own pace, not a wait for a condition
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      return p;
    }

    static int status(int port, String path) throws IOException {
      HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
      c.setConnectTimeout(1000);
      c.setReadTimeout(1000);
      try {
        return c.getResponseCode();
      } finally {
        c.disconnect();
      }
    }

    void stop() throws Exception {
      running.set(false);
      loop.get(10, TimeUnit.SECONDS);
    }

    static int post(int port, String path, String body) throws IOException {
      HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
      c.setConnectTimeout(1000);
      c.setReadTimeout(1000);
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      try {
        c.getOutputStream().write(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return c.getResponseCode();
      } finally {
        c.disconnect();
      }
    }

    void assertAnsweredWithin(Duration bound) {
      assertTrue(probes.get() >= 5, "health probed " + probes.get() + " times");
      assertTrue(problems.isEmpty(), "/health late or failing (bound " + bound.toMillis() + " ms): " + problems);
    }
  }

  /**
   * A well-behaved pair on channel {@code calm}: a publisher every 20 ms from its own thread, and a
   * subscriber that reads. What the publisher got acknowledged, the subscriber must get, in order.
   */
  static final class CalmChannel {
    private final List<Long> acked = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean running = new AtomicBoolean(true);
    private WsClient subscriber;
    private Future<?> loop;

    static CalmChannel start(ExecutorService threads, int port, List<AutoCloseable> open) {
      CalmChannel c = new CalmChannel();
      c.subscriber = WsClient.open(TestNode.clientVertx(), port);
      open.add(c.subscriber);
      c.subscriber.connectAnonymous("demo");
      c.subscriber.subscribe("calm");
      WsClient publisher = WsClient.open(TestNode.clientVertx(), port);
      open.add(publisher);
      publisher.connectAnonymous("demo");
      c.loop = threads.submit(() -> {
        long n = 0;
        while (c.running.get()) {
          try {
            JsonObject reply = publisher.publish("calm", new JsonObject().put("n", n++));
            if ("ack".equals(reply.getString("type"))) {
              c.acked.add(reply.getLong("seq"));
            }
            Thread.sleep(20); // the publisher's pace
          } catch (InterruptedException e) {
            return;
          } catch (Throwable e) {
            return; // the subscriber's check below tells what was lost
          }
        }
      });
      return c;
    }

    void stop() throws Exception {
      running.set(false);
      loop.get(30, TimeUnit.SECONDS);
    }

    void assertInOrder() {
      List<Long> expected;
      synchronized (acked) {
        expected = new ArrayList<>(acked);
      }
      assertTrue(expected.size() >= 10, "calm publishes acknowledged: " + expected.size());
      List<Long> received = new ArrayList<>();
      for (JsonObject pub : subscriber.pubs("calm", expected.size())) {
        received.add(pub.getLong("seq"));
      }
      assertEquals(expected, received, "the calm subscriber gets every acknowledged publication, in order");
      assertFalse(subscriber.isClosed(), "the calm subscriber is still connected");
    }
  }
}
