package dev.syncwire.transport.http;

import dev.syncwire.testing.Await;
import dev.syncwire.testing.HaproxyProcess;
import dev.syncwire.testing.HttpSessionClient;
import dev.syncwire.testing.HttpSessionClient.SseReader;
import dev.syncwire.testing.NodeGroup;
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
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Three clustered nodes (each its own JVM) behind a real HAProxy in plain round-robin: every request of
 * an HTTP session may land on any node, and sessions still get every publication, in order, once.
 */
class HttpClusterIT {
  /** The nodes' long-poll timeout: a poll with nothing to answer returns empty after it. */
  private static final long LONGPOLL_TIMEOUT_MS = 2000;

  private final List<NodeProcess> nodes = new ArrayList<>();
  private NodeGroup group;
  private HaproxyProcess haproxy;

  @BeforeEach
  void start() {
    assumeTrue(HaproxyProcess.installed(), "haproxy is not installed (.ci/run installs it)");
    group = NodeGroup.cluster(NodeProcess.Options.forTests(), "http", 3);
    nodes.addAll(group.startMembers("h", 3, Map.of("longpoll.timeoutMs", String.valueOf(LONGPOLL_TIMEOUT_MS))));
    haproxy = HaproxyProcess.start(nodes);
  }

  @AfterEach
  void stop() {
    if (haproxy != null) {
      haproxy.close();
    }
    if (group != null) {
      group.close();
    }
  }

  /** Publications from publishers on every node, one at a time so the expected order is known. */
  private List<String> publishFromAllNodes(String channel, int from, int count) {
    List<WsClient> publishers = new ArrayList<>();
    for (NodeProcess n : nodes) {
      WsClient c = WsClient.open(TestNode.clientVertx(), n.port);
      c.connectAnonymous("demo");
      publishers.add(c);
    }
    try {
      List<String> sent = new ArrayList<>();
      for (int i = from; i < from + count; i++) {
        String key = "m" + i;
        JsonObject ack = publishers.get(i % publishers.size()).request(new JsonObject().put("type", "publish")
            .put("channel", channel).put("key", key).put("data", i));
        assertEquals("ack", ack.getString("type"), ack.encode());
        assertEquals(i + 1L, ack.getLong("seq"), ack.encode());
        sent.add(key);
      }
      return sent;
    } finally {
      publishers.forEach(WsClient::close);
    }
  }

  private static void connect(HttpSessionClient client) {
    JsonObject connected = client.connect("demo");
    assertEquals("connected", connected.getString("type"), connected.encode());
  }

  private static JsonObject subscribe(HttpSessionClient client, JsonObject command) {
    JsonObject reply = client.command(command.put("type", "subscribe"));
    assertEquals("subscribed", reply.getString("type"), reply.encode());
    return reply;
  }

  @Test
  void sseAndLongPollClientsBehindRoundRobinGetEveryPublicationInOrderOnce() throws Exception {
    int count = 1000;
    HttpSessionClient sseClient = new HttpSessionClient(TestNode.clientVertx(), haproxy.port);
    connect(sseClient);
    assertEquals(0L, subscribe(sseClient, new JsonObject().put("channel", "ha")).getLong("seq"));
    SseReader sse = sseClient.sse(0, true);
    assertEquals(200, sse.status);

    HttpSessionClient pollClient = new HttpSessionClient(TestNode.clientVertx(), haproxy.port);
    connect(pollClient);
    assertEquals(0L, subscribe(pollClient, new JsonObject().put("channel", "ha")).getLong("seq"));

    // The poller only records what it gets; the assertions run on this thread once it is done.
    Queue<JsonObject> polled = new ConcurrentLinkedQueue<>();
    Queue<String> pollFailures = new ConcurrentLinkedQueue<>();
    AtomicBoolean stopPolling = new AtomicBoolean();
    Thread poller = new Thread(() -> {
      long cursor = 0;
      try {
        while (polled.size() < count && !stopPolling.get()) {
          HttpSessionClient.Response r = pollClient.poll(cursor);
          if (r.status() != 200) {
            pollFailures.add("poll after cursor " + cursor + ": " + r.status() + " " + r.body());
            return;
          }
          JsonObject body = r.json();
          body.getJsonArray("messages").forEach(m -> polled.add((JsonObject) m));
          cursor = body.getLong("cursor");
        }
        // Everything expected arrived: one more poll must come back empty (no duplicates, nothing extra).
        JsonObject tail = pollClient.poll(cursor).json();
        if (!tail.getJsonArray("messages").isEmpty()) {
          pollFailures.add("more than " + count + " messages: " + tail.encode());
        }
      } catch (Throwable t) {
        pollFailures.add("poller failed: " + t);
      }
    }, "poller");
    poller.start();
    List<String> sent;
    try {
      sent = publishFromAllNodes("ha", 0, count);
    } catch (Throwable t) {
      stopPolling.set(true);
      poller.join(30_000);
      throw t;
    }
    poller.join(60_000);
    stopPolling.set(true);
    assertFalse(poller.isAlive(), "the poller finished within 60 s; it has " + polled.size() + " messages");
    assertEquals(List.of(), List.copyOf(pollFailures));

    List<SseReader.Event> events = sse.await(count);
    // The poller's empty tail poll waited a long-poll timeout after the last publication: had the SSE stream
    // been sent anything more, it would be here by now.
    assertEquals(count, sse.events().size(), "once");
    for (int i = 0; i < count; i++) {
      assertEquals(i + 1L, events.get(i).id(), "cursors");
      assertEquals(i + 1L, events.get(i).data().getLong("seq"), "in order");
      assertEquals(sent.get(i), events.get(i).data().getString("key"));
    }
    List<JsonObject> polledList = List.copyOf(polled);
    assertEquals(count, polledList.size(), "once");
    for (int i = 0; i < count; i++) {
      assertEquals(i + 1L, polledList.get(i).getLong("seq"));
      assertEquals(sent.get(i), polledList.get(i).getString("key"));
    }
    sse.close();
    sseClient.close();
    pollClient.close();
  }

  @Test
  void aSessionWhoseHomeDiedIsNotFoundAnywhereAndItsClientRecoversWithSince() {
    String channel = "survive";
    // The session lives on the channel's owner, so that killing its home also fails the channel over.
    try (WsClient probe = WsClient.open(TestNode.clientVertx(), nodes.get(0).port)) {
      probe.connectAnonymous("demo");
      probe.subscribe(channel);
    }
    String ownerName = nodes.get(0).ownerOf(channel);
    NodeProcess home = nodes.stream().filter(n -> n.name.equals(ownerName)).findFirst()
        .orElseThrow(() -> new AssertionError("owner " + ownerName + " is none of the nodes"));
    HttpSessionClient direct = new HttpSessionClient(TestNode.clientVertx(), home.port);
    JsonObject connected = direct.connect("demo");
    assertEquals(home.name, connected.getString("node"), "the session lives on the channel's owner");
    JsonObject sub = subscribe(direct, new JsonObject().put("channel", channel));
    String epoch = sub.getString("epoch");
    assertEquals(0L, sub.getLong("seq"));
    List<String> sent = new ArrayList<>(publishFromAllNodes(channel, 0, 10));
    JsonArray seen = direct.poll(0).json().getJsonArray("messages");
    assertEquals(10, seen.size(), seen.encode());
    for (int i = 0; i < 10; i++) {
      assertEquals(sent.get(i), seen.getJsonObject(i).getString("key"));
    }
    long last = seen.getJsonObject(9).getLong("seq");
    assertEquals(10L, last);

    // Any node serves the session while its home lives: the 404s below are the home's death, nothing else.
    for (NodeProcess n : nodes) {
      if (n != home) {
        HttpSessionClient other = new HttpSessionClient(TestNode.clientVertx(), n.port);
        other.session = direct.session;
        other.key = direct.key;
        HttpSessionClient.Response alive = other.poll(9);
        assertEquals(200, alive.status(), alive.body());
        assertEquals(sent.get(9), alive.json().getJsonArray("messages").getJsonObject(0).getString("key"), alive.body());
        other.close();
      }
    }

    group.awaitBackedUp();
    home.kill();
    nodes.remove(home);
    for (NodeProcess n : nodes) {
      HttpSessionClient other = new HttpSessionClient(TestNode.clientVertx(), n.port);
      other.session = direct.session;
      other.key = direct.key;
      HttpSessionClient.Response lost = other.poll(10);
      assertEquals(404, lost.status(), lost.body());
      assertEquals("session_not_found", lost.json().getString("code"));
      other.close();
    }
    // The channel moves to a survivor once the dead member is dropped; then more is published.
    Await.until(Duration.ofSeconds(60), "the survivors to own " + channel, () -> {
      try {
        String owner = nodes.get(0).ownerOf(channel);
        return nodes.get(0).nodes().size() == nodes.size() && nodes.stream().anyMatch(n -> n.name.equals(owner));
      } catch (AssertionError | RuntimeException notYet) {
        return false; // the admin call waits on the dead member until it is dropped
      }
    });
    sent.addAll(publishFromAllNodes(channel, 10, 10));

    // The client connects again (anywhere) and resubscribes with since.
    HttpSessionClient again = new HttpSessionClient(TestNode.clientVertx(), haproxy.port);
    connect(again);
    JsonObject recovered = subscribe(again, new JsonObject().put("channel", channel)
        .put("since", new JsonObject().put("epoch", epoch).put("seq", last)));
    assertTrue(recovered.getBoolean("recovered"), recovered.encode());
    assertEquals(epoch, recovered.getString("epoch"), "the channel kept its epoch");
    assertEquals(20L, recovered.getLong("seq"), recovered.encode());
    JsonArray pubs = recovered.getJsonArray("pubs");
    assertNotNull(pubs, recovered.encode());
    List<String> keys = pubs.stream().map(o -> ((JsonObject) o).getString("key")).toList();
    assertEquals(sent.subList(10, 20), keys, "every missed publication, in order, once");
    direct.close();
    again.close();
  }
}
