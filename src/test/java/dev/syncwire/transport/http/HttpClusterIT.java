package dev.syncwire.transport.http;

import dev.syncwire.bench.FreePorts;

import dev.syncwire.testing.Await;
import dev.syncwire.testing.HaproxyProcess;
import dev.syncwire.testing.HttpSessionClient;
import dev.syncwire.testing.HttpSessionClient.SseReader;
import dev.syncwire.testing.NodeProcess;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Three clustered nodes (each its own JVM) behind a real HAProxy in plain round-robin: every request of
 * an HTTP session may land on any node, and sessions still get every publication, in order, once.
 */
class HttpClusterIT {
  private final List<NodeProcess> nodes = new ArrayList<>();
  private HaproxyProcess haproxy;

  @BeforeEach
  void start() {
    assumeTrue(HaproxyProcess.installed(), "haproxy is not installed (.ci/run installs it)");
    String cluster = "http-" + UUID.randomUUID();
    int base = FreePorts.block(3);
    String members = "127.0.0.1:" + base + ",127.0.0.1:" + (base + 1) + ",127.0.0.1:" + (base + 2);
    for (int i = 0; i < 3; i++) {
      nodes.add(NodeProcess.start("h" + i, cluster, base + i, members, Map.of("longpoll.timeoutMs", "2000")));
    }
    nodes.forEach(NodeProcess::awaitReady);
    NodeProcess.awaitBackedUp(nodes);
    haproxy = HaproxyProcess.start(nodes.stream().map(n -> n.port).toList());
  }

  @AfterEach
  void stop() {
    if (haproxy != null) {
      haproxy.close();
    }
    nodes.forEach(NodeProcess::close);
  }

  /** 1,000 publications, from publishers on every node, one at a time so the expected order is known. */
  private List<String> publishFromAllNodes(String channel, int count) {
    List<WsClient> publishers = new ArrayList<>();
    for (NodeProcess n : nodes) {
      WsClient c = WsClient.open(TestNode.clientVertx(), n.port);
      c.connectAnonymous("demo");
      publishers.add(c);
    }
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String key = "m" + i;
      JsonObject ack = publishers.get(i % publishers.size()).request(new JsonObject().put("type", "publish")
          .put("channel", channel).put("key", key).put("data", i));
      assertEquals(i + 1L, ack.getLong("seq"));
      sent.add(key);
    }
    publishers.forEach(WsClient::close);
    return sent;
  }

  @Test
  void sseAndLongPollClientsBehindRoundRobinGetEveryPublicationInOrderOnce() throws Exception {
    int count = 1000;
    HttpSessionClient sseClient = new HttpSessionClient(TestNode.clientVertx(), haproxy.port);
    sseClient.connect("demo");
    sseClient.command(new JsonObject().put("type", "subscribe").put("channel", "ha"));
    SseReader sse = sseClient.sse(0, true);

    HttpSessionClient pollClient = new HttpSessionClient(TestNode.clientVertx(), haproxy.port);
    pollClient.connect("demo");
    pollClient.command(new JsonObject().put("type", "subscribe").put("channel", "ha"));

    List<JsonObject> polled = new ArrayList<>();
    Thread poller = new Thread(() -> {
      long cursor = 0;
      while (polled.size() < count) {
        HttpSessionClient.Response r = pollClient.poll(cursor);
        assertEquals(200, r.status(), r.body());
        JsonObject body = r.json();
        body.getJsonArray("messages").forEach(m -> polled.add((JsonObject) m));
        cursor = body.getLong("cursor");
      }
    });
    poller.start();
    List<String> sent = publishFromAllNodes("ha", count);
    poller.join(60_000);

    List<SseReader.Event> events = sse.await(count);
    assertEquals(count, events.size(), "once");
    for (int i = 0; i < count; i++) {
      assertEquals(i + 1L, events.get(i).id(), "cursors");
      assertEquals(i + 1L, events.get(i).data().getLong("seq"), "in order");
      assertEquals(sent.get(i), events.get(i).data().getString("key"));
    }
    assertEquals(count, polled.size(), "once");
    for (int i = 0; i < count; i++) {
      assertEquals(i + 1L, polled.get(i).getLong("seq"));
      assertEquals(sent.get(i), polled.get(i).getString("key"));
    }
    sse.close();
    sseClient.close();
    pollClient.close();
  }

  @Test
  void aSessionWhoseHomeDiedIsNotFoundAnywhereAndItsClientRecoversWithSince() {
    NodeProcess home = nodes.get(1);
    HttpSessionClient direct = new HttpSessionClient(TestNode.clientVertx(), home.port);
    direct.connect("demo");
    JsonObject sub = direct.command(new JsonObject().put("type", "subscribe").put("channel", "survive"));
    String epoch = sub.getString("epoch");
    List<String> sent = new ArrayList<>(publishFromAllNodes("survive", 10));
    JsonArray seen = direct.poll(0).json().getJsonArray("messages");
    assertEquals(10, seen.size());
    long last = seen.getJsonObject(9).getLong("seq");

    home.kill();
    nodes.remove(home);
    for (NodeProcess n : nodes) {
      HttpSessionClient other = new HttpSessionClient(TestNode.clientVertx(), n.port);
      other.session = direct.session;
      other.key = direct.key;
      HttpSessionClient.Response lost = other.poll(10);
      assertEquals(404, lost.status());
      assertEquals("session_not_found", lost.json().getString("code"));
      other.close();
    }
    // Meanwhile more was published; the client connects again (anywhere) and resubscribes with since.
    try (WsClient publisher = WsClient.open(TestNode.clientVertx(), nodes.get(0).port)) {
      publisher.connectAnonymous("demo");
      for (int i = 10; i < 20; i++) {
        publisher.request(new JsonObject().put("type", "publish").put("channel", "survive").put("key", "m" + i).put("data", i));
        sent.add("m" + i);
      }
    }
    HttpSessionClient again = new HttpSessionClient(TestNode.clientVertx(), haproxy.port);
    again.connect("demo");
    JsonObject recovered = again.command(new JsonObject().put("type", "subscribe").put("channel", "survive")
        .put("since", new JsonObject().put("epoch", epoch).put("seq", last)));
    assertTrue(recovered.getBoolean("recovered"), recovered.encode());
    List<String> keys = recovered.getJsonArray("pubs").stream().map(o -> ((JsonObject) o).getString("key")).toList();
    assertEquals(sent.subList(10, 20), keys, "every missed publication, in order, once");
    direct.close();
    again.close();
  }
}
