package dev.syncwire.cluster;

import dev.syncwire.testing.Await;
import dev.syncwire.testing.FreePorts;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Publications whose event-bus message is lost still reach subscribers, in order: a later publication
 * reveals the gap, and for the last one the owner's announcement does; the node repairs from history.
 */
class GapRepairTest {
  private static TestNode a;
  private static TestNode b;
  /** Seqs of fan-out messages that node b drops on arrival, once each. */
  private static final Set<Long> DROP = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void start() {
    String cluster = "gap-" + UUID.randomUUID();
    int port = FreePorts.block(2);
    String members = "127.0.0.1:" + port + ",127.0.0.1:" + (port + 1);
    JsonObject fast = new JsonObject().put("cluster", new JsonObject().put("repairDelayMs", 100)
        .put("announceIntervalMs", 300));
    a = TestNode.startClustered("a", cluster, port, members, fast);
    b = TestNode.startClustered("b", cluster, port + 1, members, fast);
    b.vertx.eventBus().addInboundInterceptor(ctx -> {
      Object body = ctx.message().body();
      if (ctx.message().address().endsWith(".fanout") && body instanceof JsonObject
          && DROP.remove(((JsonObject) body).getLong("s"))) {
        return; // lost on the way
      }
      ctx.next();
    });
    Await.until(Duration.ofSeconds(30), "two members", () -> a.node.status().members().size() == 2);
  }

  @AfterAll
  static void stop() {
    b.close();
    a.close();
  }

  private static JsonObject statsOfB() {
    return Await.result(b.vertx.eventBus().<JsonObject>request(
        Addresses.status(((io.vertx.core.internal.VertxInternal) b.vertx).clusterManager().getNodeId()), null)).body();
  }

  private static void assertInOrder(List<JsonObject> pubs, int count) {
    for (int i = 0; i < count; i++) {
      assertEquals(i + 1L, pubs.get(i).getLong("seq"));
      assertEquals(i + 1, pubs.get(i).getInteger("data"));
    }
  }

  @Test
  void droppedMessagesInTheMiddleAreRepairedWhenALaterOneArrives() {
    try (WsClient subscriber = WsClient.open(TestNode.clientVertx(), b.port());
         WsClient publisher = WsClient.open(TestNode.clientVertx(), a.port())) {
      subscriber.connectAnonymous("demo");
      publisher.connectAnonymous("demo");
      subscriber.subscribe("lossy-middle");
      JsonObject before = statsOfB();
      DROP.add(3L);
      DROP.add(4L);
      for (int i = 1; i <= 10; i++) {
        assertEquals((long) i, publisher.publish("lossy-middle", i).getLong("seq"));
      }
      assertInOrder(subscriber.pubs("lossy-middle", 10), 10);
      assertTrue(DROP.isEmpty(), "the messages were really dropped");
      JsonObject stats = statsOfB();
      assertEquals(before.getLong("fanoutReceived") + 8, stats.getLong("fanoutReceived"), "10 sent, 2 lost: " + stats.encode());
      assertTrue(stats.getLong("repairs") > before.getLong("repairs"), "b repaired: " + stats.encode());
      assertNextIs(subscriber, publisher, "lossy-middle", 11);
    }
  }

  /**
   * Publishes one more and checks that it is the subscriber's next publication: nothing was delivered
   * twice, or late, after the repair.
   */
  private static void assertNextIs(WsClient subscriber, WsClient publisher, String channel, int seq) {
    assertEquals((long) seq, publisher.publish(channel, seq).getLong("seq"));
    JsonObject next = subscriber.pubs(channel, 1).get(0);
    assertEquals((long) seq, next.getLong("seq"), "the next publication after the repaired ones: " + next.encode());
  }

  @Test
  void aDroppedLastMessageIsNoticedThroughTheOwnersAnnouncement() {
    try (WsClient subscriber = WsClient.open(TestNode.clientVertx(), b.port());
         WsClient publisher = WsClient.open(TestNode.clientVertx(), a.port())) {
      subscriber.connectAnonymous("demo");
      publisher.connectAnonymous("demo");
      subscriber.subscribe("lossy-last");
      for (int i = 1; i <= 4; i++) {
        publisher.publish("lossy-last", i);
      }
      assertInOrder(subscriber.pubs("lossy-last", 4), 4);
      JsonObject before = statsOfB();
      DROP.add(5L);
      assertEquals(5L, publisher.publish("lossy-last", 5).getLong("seq"));
      // Nothing follows seq 5: only the owner's announcement can reveal that it is missing.
      JsonObject last = subscriber.pubs("lossy-last", 1).get(0);
      assertEquals(5L, last.getLong("seq"));
      assertEquals(5, last.getInteger("data"));
      assertTrue(DROP.isEmpty(), "the message was really dropped");
      JsonObject stats = statsOfB();
      assertEquals(before.getLong("fanoutReceived"), stats.getLong("fanoutReceived"), "the only message was lost: " + stats.encode());
      assertTrue(stats.getLong("repairs") > before.getLong("repairs"), "b repaired: " + stats.encode());
      assertNextIs(subscriber, publisher, "lossy-last", 6);
    }
  }
}
