package dev.syncwire.client;

import dev.syncwire.testing.Await;
import dev.syncwire.testing.HaproxyProcess;
import dev.syncwire.testing.NodeGroup;
import dev.syncwire.testing.NodeProcess;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The client with its default transports behind a real HAProxy that refuses some of them, as a proxy or
 * firewall may: it ends on the best transport that gets through and gets its publications there, and once a
 * better one gets through again it moves up ({@code upgradeRetryMs}) without missing or repeating any.
 */
class TransportFallbackIT {
  /** How soon a client below the best transport tries the better ones again. */
  private static final long UPGRADE_RETRY_MS = 1000;

  private static NodeGroup node;
  private HaproxyProcess haproxy;
  private final List<SyncwireClient> clients = new ArrayList<>();
  private final Queue<StateEvent> states = new ConcurrentLinkedQueue<>();
  private final Queue<Publication> got = new ConcurrentLinkedQueue<>();
  private final Queue<Reset> resets = new ConcurrentLinkedQueue<>();
  private final List<String> keys = new ArrayList<>();
  private SyncwireClient subscriber;
  private Subscription subscription;
  private SyncwireClient publisher;
  private String channel;

  @BeforeAll
  static void startNode() {
    assumeTrue(HaproxyProcess.installed(), "haproxy is not installed (.ci/run installs it)");
    node = NodeGroup.alone(NodeProcess.Options.forTests(), "fallback", Map.of());
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  @AfterEach
  void stopClientsAndProxy() {
    clients.forEach(c -> Await.result(c.close()));
    if (haproxy != null) {
      haproxy.close();
    }
  }

  @Test
  void refusedWebSocketsFallBackToSseAndMoveUpOnceTheyGetThrough() {
    start("fallback-sse", List.of("/ws"));
    assertEquals("sse", subscriber.transport());
    assertEquals(List.of("sse"), connectedVia());
    publishAndAwait(50);

    haproxy.unblock("/ws");
    awaitTransport("websocket");
    assertEquals(List.of("sse", "websocket"), connectedVia());
    publishAndAwait(50);
    assertEveryPublicationOnceInOrder();
  }

  @Test
  void refusedWebSocketsAndSseFallBackToLongPollAndMoveUpStepByStep() {
    start("fallback-longpoll", List.of("/ws", "/sse"));
    assertEquals("longpoll", subscriber.transport());
    assertEquals(List.of("longpoll"), connectedVia());
    publishAndAwait(50);

    haproxy.unblock("/sse");
    awaitTransport("sse");
    publishAndAwait(50);

    haproxy.unblock("/ws");
    awaitTransport("websocket");
    assertEquals(List.of("longpoll", "sse", "websocket"), connectedVia());
    publishAndAwait(50);
    assertEveryPublicationOnceInOrder();
  }

  /** HAProxy refusing {@code blocked}; a subscriber through it, and a publisher straight on the node. */
  private void start(String channel, List<String> blocked) {
    this.channel = channel;
    NodeProcess n = node.nodes().get(0);
    haproxy = HaproxyProcess.startBlocking(List.of(n), blocked);
    subscriber = SyncwireClient.builder("http://127.0.0.1:" + haproxy.port).tenant("demo")
        .upgradeRetryMs(UPGRADE_RETRY_MS).build();
    clients.add(subscriber);
    subscriber.onState(states::add);
    Await.result(subscriber.connect());
    subscription = subscriber.subscribe(channel, got::add).onReset(resets::add);
    Await.result(subscription.ready());
    publisher = SyncwireClient.builder("http://127.0.0.1:" + n.port).tenant("demo").build();
    clients.add(publisher);
    Await.result(publisher.connect());
  }

  /** The transport of each {@code connected} state event so far, in order. */
  private List<String> connectedVia() {
    return states.stream().filter(e -> e.state().equals("connected")).map(StateEvent::transport).toList();
  }

  private void awaitTransport(String transport) {
    Await.until(Duration.ofSeconds(20), "the subscriber on " + transport,
        () -> transport.equals(subscriber.transport()), () -> "state events " + states);
  }

  /** Publishes {@code count} more and waits until the subscriber has applied the last of them. */
  private void publishAndAwait(int count) {
    List<Future<Ack>> acks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String key = channel + "-" + keys.size();
      keys.add(key);
      acks.add(publisher.publish(channel, new JsonObject().put("n", keys.size()), key));
    }
    long last = acks.stream().mapToLong(f -> Await.result(f).seq()).max().orElseThrow();
    assertEquals(keys.size(), last, "acknowledged at the next positions");
    Await.until(Duration.ofSeconds(15), "the subscriber at " + last,
        () -> subscription.position() != null && subscription.position().seq() >= last,
        () -> "at " + subscription.position() + " via " + subscriber.transport() + ", state events " + states);
  }

  private void assertEveryPublicationOnceInOrder() {
    List<Publication> seen = List.copyOf(got);
    assertEquals(List.of(), List.copyOf(resets), "resets");
    assertEquals(keys, seen.stream().map(Publication::key).toList(), "every publication once, in order");
    for (int i = 0; i < seen.size(); i++) {
      assertEquals(i + 1L, seen.get(i).seq());
      assertEquals(new JsonObject().put("n", i + 1), seen.get(i).data());
    }
  }
}
