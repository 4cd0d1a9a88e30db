package dev.syncwire.cluster;

import dev.syncwire.testing.NodeGroup;
import dev.syncwire.testing.NodeProcess;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An acknowledgement means replicated. The two nodes other than a channel's owner are frozen
 * (SIGSTOP), so the owner's backup never confirms: the publish must fail with a retryable
 * {@code unavailable}, never be acknowledged. Once they thaw, the client's retry with the same key is
 * answered as a duplicate at the position the owner gave it, and every subscriber gets it once.
 */
class BackupAckIT {
  private static final Vertx CLIENTS = TestNode.clientVertx();
  /**
   * How long the owner waits for its backup's confirmation (Hazelcast's default is 5 s). Short enough that
   * the frozen nodes are not dropped from the cluster (6 s without heartbeats), long enough that the
   * cluster manager's own backed-up writes while the nodes start are not refused.
   */
  private static final int BACKUP_TIMEOUT_MS = 3_000;

  private final NodeGroup group = NodeGroup.cluster(NodeProcess.Options.forTests()
      .withJvmOptions(List.of("-Dhazelcast.operation.backup.timeout.millis=" + BACKUP_TIMEOUT_MS)), "backup-ack", 3);
  private final List<WsClient> clients = new ArrayList<>();

  @AfterEach
  void stopEverything() {
    group.nodes().forEach(n -> {
      if (n.alive()) {
        n.resume();
      }
    });
    clients.forEach(WsClient::close);
    group.close();
  }

  @Test
  void publishWhoseBackupDoesNotConfirmFailsAndItsRetryIsAppliedOnce() {
    List<NodeProcess> nodes = group.startMembers("node", 3,
        Map.of("cluster.backups", "1", "cluster.announceIntervalMs", "200"));

    WsClient first = client(nodes.get(0));
    JsonObject created = publish(first, "orders", "before");
    assertEquals("ack", created.getString("type"), created.encode());
    String ownerName = nodes.get(0).ownerOf("orders");
    NodeProcess owner = nodes.stream().filter(n -> n.name.equals(ownerName)).findFirst().orElseThrow();
    List<NodeProcess> others = nodes.stream().filter(n -> n != owner).toList();
    WsClient subscriber = client(others.get(0));
    JsonObject subscribed = subscriber.subscribe("orders");
    long start = subscribed.getLong("seq");
    WsClient publisher = client(owner);

    // Only a partition whose backup is in place waits for its confirmation: no migration may be running.
    group.awaitBackedUp();
    others.forEach(NodeProcess::pause);
    JsonObject refused = publish(publisher, "orders", "frozen-backup");
    others.forEach(NodeProcess::resume);

    assertEquals("error", refused.getString("type"), "a publish whose backup never confirmed: " + refused.encode());
    assertEquals("unavailable", refused.getString("code"), refused.encode());
    assertTrue(refused.getBoolean("retry"), refused.encode());
    assertNotNull(refused.getLong("retryAfterMs"), refused.encode());

    JsonObject retried = publish(publisher, "orders", "frozen-backup");
    assertEquals("ack", retried.getString("type"), retried.encode());
    assertEquals(Boolean.TRUE, retried.getBoolean("duplicate"), "the owner had applied it: " + retried.encode());
    assertEquals(start + 1, retried.getLong("seq"), retried.encode());
    JsonObject next = publish(publisher, "orders", "after");
    assertEquals(start + 2, next.getLong("seq"), "the refused publish took exactly one position: " + next.encode());

    List<JsonObject> pubs = subscriber.pubs("orders", 2);
    assertEquals(List.of(start + 1, start + 2), pubs.stream().map(p -> p.getLong("seq")).toList());
    assertEquals("frozen-backup", pubs.get(0).getJsonObject("data").getString("key"));
    JsonObject last = publish(publisher, "orders", "last");
    assertEquals(List.of(last.getLong("seq")), subscriber.pubs("orders", 1).stream().map(p -> p.getLong("seq")).toList(),
        "nothing delivered twice in between");
  }

  private WsClient client(NodeProcess node) {
    WsClient c = WsClient.open(CLIENTS, node.port);
    clients.add(c);
    c.connectAnonymous("demo");
    return c;
  }

  private static JsonObject publish(WsClient c, String channel, String key) {
    return c.request(new JsonObject().put("type", "publish").put("channel", channel).put("key", key)
        .put("data", new JsonObject().put("key", key)));
  }
}
