package dev.syncwire.cluster;

import dev.syncwire.testing.Await;
import dev.syncwire.testing.FreePorts;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** In a cluster, a channel that nobody follows and that holds nothing is forgotten, as on one node. */
class ClusterSweepTest {

  @Test
  void idleEmptyChannelsAreForgottenButFollowedOnesStay() {
    String cluster = "sweep-" + UUID.randomUUID();
    int port = FreePorts.port();
    String members = "127.0.0.1:" + port;
    JsonObject quick = new JsonObject().put("cluster", new JsonObject().put("announceIntervalMs", 50))
        .put("history", new JsonObject().put("ttlMs", 200));
    try (TestNode node = TestNode.startClustered("solo", cluster, port, members, quick);
         WsClient c = WsClient.open(TestNode.clientVertx(), node.port())) {
      c.connectAnonymous("demo");
      String followedEpoch = c.subscribe("followed").getString("epoch");
      JsonObject followed = c.publish("followed", 1);
      assertEquals(1L, followed.getLong("seq"), followed.encode());
      // The one-off channel exists once its publication is acknowledged (it may be swept any time after).
      JsonObject oneOff = c.publish("one-off", 1);
      assertEquals("ack", oneOff.getString("type"), oneOff.encode());
      assertEquals(1L, oneOff.getLong("seq"), oneOff.encode());
      Await.until(Duration.ofSeconds(20), "the one-off channel to be forgotten", () ->
          Await.result(node.node.broker().channels("demo")).stream().noneMatch(i -> i.channel().equals("one-off")));
      assertEquals(List.of("followed"),
          Await.result(node.node.broker().channels("demo")).stream().map(i -> i.channel()).toList(),
          "the followed channel stays");
      JsonObject next = c.publish("followed", 2);
      assertEquals(2L, next.getLong("seq"), "the followed channel kept its log: " + next.encode());
      assertEquals(followedEpoch, next.getString("epoch"), "the followed channel kept its log: " + next.encode());
      // Forgotten, not merely hidden: the one-off channel starts a new log.
      JsonObject again = c.publish("one-off", 2);
      assertEquals(1L, again.getLong("seq"), again.encode());
      assertNotEquals(oneOff.getString("epoch"), again.getString("epoch"), "a new log, with a new epoch");
    }
  }
}
