package dev.syncwire.transport.websocket;

import dev.syncwire.testing.Await;
import dev.syncwire.testing.RawWebSocket;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Server pings every interval; a connection that misses its pongs is dropped and released. */
class HeartbeatTest {
  private static final int INTERVAL_MS = 200;
  /**
   * For the peers that answer: a stall of a loaded machine shorter than this many intervals must not
   * drop them, and a server that ignored their pongs would still drop them well within the window.
   */
  private static final int ANSWERING_MAX_MISSED = 5;
  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.startWith(new JsonObject().put("heartbeat",
        new JsonObject().put("intervalMs", INTERVAL_MS).put("maxMissedPongs", ANSWERING_MAX_MISSED)));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void silentPeerIsTerminatedWithoutACloseFrameAndReleased() {
    try (TestNode node = TestNode.startWith(new JsonObject().put("heartbeat",
        new JsonObject().put("intervalMs", INTERVAL_MS).put("maxMissedPongs", 2)));
         RawWebSocket ws = RawWebSocket.connect(node.port(), Map.of())) {
      int before = 0;
      ws.sendText("{\"id\":1,\"type\":\"connect\",\"tenant\":\"demo\"}");
      ws.sendText("{\"id\":2,\"type\":\"subscribe\",\"channel\":\"hb\"}");
      Await.until(Duration.ofSeconds(5), "session registered", () -> node.sessions() == before + 1);
      long start = System.currentTimeMillis();
      int pings = 0;
      RawWebSocket.Frame f;
      while ((f = ws.readFrame(5000)) != null && f.opcode() != -1) {
        assertTrue(f.opcode() != RawWebSocket.CLOSE, "terminated without a close frame");
        if (f.opcode() == RawWebSocket.PING) {
          pings++;
        }
      }
      long took = System.currentTimeMillis() - start;
      assertEquals(2, pings, "two pings, then terminated on the third tick");
      assertTrue(took >= 2 * INTERVAL_MS - 50 && took < 10 * INTERVAL_MS, "terminated after " + took + " ms");
      Await.until(Duration.ofSeconds(5), "session released", () -> node.sessions() == before);
      Await.until(Duration.ofSeconds(5), "subscription released at the channel owner", () ->
          Await.result(node.node.broker().channels("demo")).stream().allMatch(c -> c.subscriptions() == 0));
    }
  }

  @Test
  void peerAnsweringPingsStaysConnected() throws Exception {
    try (WsClient c = node.demoClient(); RawWebSocket raw = RawWebSocket.connect(node.port(), Map.of())) {
      raw.sendText("{\"id\":1,\"type\":\"connect\",\"tenant\":\"demo\"}");
      long until = System.currentTimeMillis() + 3L * ANSWERING_MAX_MISSED * INTERVAL_MS;
      int pings = 0;
      while (System.currentTimeMillis() < until) {
        RawWebSocket.Frame f = raw.readFrame(INTERVAL_MS);
        if (f != null && f.opcode() == RawWebSocket.PING) {
          pings++;
          raw.sendFrame(RawWebSocket.PONG, f.payload());
        }
        assertTrue(f == null || f.opcode() != -1, "answering peer must not be dropped");
      }
      assertTrue(pings >= 2 * ANSWERING_MAX_MISSED, "pings every interval: " + pings);
      assertFalse(c.isClosed(), "the Vert.x client answers pings itself and stays");
      assertEquals("pong", c.request(new JsonObject().put("type", "ping")).getString("type"));
    }
  }
}
