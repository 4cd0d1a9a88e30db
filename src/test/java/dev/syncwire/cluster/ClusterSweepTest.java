package dev.syncwire.cluster;

import dev.syncwire.testing.Await;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** In a cluster, a channel that nobody follows and that holds nothing is forgotten, as on one node. */
class ClusterSweepTest {

  @Test
  void idleEmptyChannelsAreForgottenButFollowedOnesStay() {
    String cluster = "sweep-" + UUID.randomUUID();
    int port = 5930;
    String members = "127.0.0.1:" + port;
    JsonObject quick = new JsonObject().put("cluster", new JsonObject().put("announceIntervalMs", 50))
        .put("history", new JsonObject().put("ttlMs", 200));
    try (TestNode node = TestNode.startClustered("solo", cluster, port, members, quick);
         WsClient c = WsClient.open(TestNode.clientVertx(), node.port())) {
      c.connectAnonymous("demo");
      c.subscribe("followed");
      c.publish("followed", 1);
      c.publish("one-off", 1);
      assertEquals(2, Await.result(node.node.broker().channels("demo")).size());
      Await.until(Duration.ofSeconds(20), "the one-off channel to be forgotten", () ->
          Await.result(node.node.broker().channels("demo")).stream().noneMatch(i -> i.channel().equals("one-off")));
      assertEquals(1, Await.result(node.node.broker().channels("demo")).size(), "the followed channel stays");
      assertEquals(2L, c.publish("followed", 2).getLong("seq"));
    }
  }
}
