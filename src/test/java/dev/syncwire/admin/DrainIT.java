package dev.syncwire.admin;

import dev.syncwire.testing.Await;
import dev.syncwire.testing.NodeGroup;
import dev.syncwire.testing.NodeProcess;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM on the packaged node: a drain, not a cut. Clients get the {@code reconnect} push and close 1012 (not
 * 1000, which would tell them not to come back), and the process exits 0 within {@code drain.periodMs} +
 * {@code drain.graceMs}. A second SIGTERM while the node drains or leaves its cluster exits at once.
 */
class DrainIT {
  private static final long PERIOD_MS = 2_000;
  private static final long GRACE_MS = 3_000;
  private static final Map<String, String> SETTINGS = Map.of("drain.periodMs", Long.toString(PERIOD_MS),
      "drain.graceMs", Long.toString(GRACE_MS));

  @Test
  void sigtermDrainsClientsWith1012AndExitsZero() {
    try (NodeGroup group = NodeGroup.alone(NodeProcess.Options.forTests(), "drain-term", SETTINGS)) {
      NodeProcess node = group.nodes().get(0);
      List<WsClient> clients = new ArrayList<>();
      try {
        for (int i = 0; i < 5; i++) {
          WsClient ws = WsClient.open(TestNode.clientVertx(), node.port);
          ws.connectAnonymous("demo");
          ws.subscribe("drain-it");
          clients.add(ws);
        }
        long start = System.nanoTime();
        node.terminate();
        for (WsClient ws : clients) {
          JsonObject push = ws.awaitFrame(f -> "reconnect".equals(f.getString("type")));
          assertTrue(push.getLong("delayMs") >= 0 && push.getLong("delayMs") < PERIOD_MS, push.encode());
          assertEquals((short) 1012, ws.awaitClose());
        }
        Integer exit = node.awaitExit(Duration.ofMillis(PERIOD_MS + GRACE_MS + 5_000));
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(0, exit, "exit status; log:\n" + node.logText());
        assertTrue(tookMs < PERIOD_MS + GRACE_MS, "took " + tookMs + " ms");
        assertTrue(node.logText().contains("draining (SIGTERM)"), node.logText());
      } finally {
        clients.forEach(WsClient::close);
      }
    }
  }

  @Test
  void aSecondSigtermExitsAtOnce() {
    try (NodeGroup group = NodeGroup.startCluster(NodeProcess.Options.forTests(), "drain-twice", 2, SETTINGS)) {
      NodeProcess node = group.nodes().get(0);
      // With the other member frozen, leaving the cluster cannot finish: the node stays in its exit until its
      // watchdog ends it (status 1), unless a second signal does first.
      group.nodes().get(1).pause();
      node.terminate();
      // Two signals of one kind sent together can reach the process as one: the second goes once the
      // first has started the drain.
      Await.until(Duration.ofSeconds(10), "the drain to start", () -> node.logText().contains("draining (SIGTERM)"));
      long start = System.nanoTime();
      node.terminate();
      Integer exit = node.awaitExit(Duration.ofSeconds(20));
      long tookMs = (System.nanoTime() - start) / 1_000_000;
      assertEquals(ProcessLifecycle.EXIT_SECOND_SIGNAL, exit, "exit status; log:\n" + node.logText());
      assertTrue(tookMs < GRACE_MS, "exited " + tookMs + " ms after the second signal, not at once");
    }
  }
}
