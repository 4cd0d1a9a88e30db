package dev.syncwire.guard;

import dev.syncwire.testing.Await;
import dev.syncwire.testing.RawWebSocket;
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

/** Slow subscribers together past limits.nodeOutboundBytes: the largest are cut off, readers go on. */
class NodeOutboundBoundTest {

  @Test
  void slowSubscribersTogetherPastTheNodeBoundAreCutOffLargestFirst() {
    // Each session may queue 64 MiB on its own: only the node's bound can cut them off here.
    JsonObject config = new JsonObject()
        .put("limits", new JsonObject().put("outboundBufferBytes", 64 << 20).put("nodeOutboundBytes", 1 << 20)
            .put("commandRate", 0))
        .put("guard", new JsonObject().put("checkIntervalMs", 50));
    List<RawWebSocket> slow = new ArrayList<>();
    try (TestNode node = TestNode.startWith(config);
         WsClient reader = node.demoClient();
         WsClient publisher = node.demoClient()) {
      for (int i = 0; i < 4; i++) {
        RawWebSocket ws = RawWebSocket.connect(node.port(), Map.of(), 4096);
        slow.add(ws);
        ws.sendText("{\"id\":1,\"type\":\"connect\",\"tenant\":\"demo\"}");
        ws.sendText("{\"id\":2,\"type\":\"subscribe\",\"channel\":\"wide\"}");
        assertTrue(ws.readUntil(RawWebSocket.TEXT, 5000).text().contains("connected"));
        assertTrue(ws.readUntil(RawWebSocket.TEXT, 5000).text().contains("subscribed"));
      }
      reader.subscribe("wide");
      String payload = "w".repeat(10_000);
      int published = 0;
      long last = 0;
      while (node.node.guard().sessionsCutOff() == 0 && published < 5000) {
        JsonObject ack = publisher.publish("wide", payload);
        assertEquals("ack", ack.getString("type"), ack.encode());
        last = ack.getLong("seq");
        published++;
        reader.pubs("wide", 1);
      }
      assertTrue(node.node.guard().sessionsCutOff() > 0, "cut off after " + published + " publications");
      Await.until(Duration.ofSeconds(10), "cut-off sessions gone", () -> node.sessions() < 6);
      JsonObject next = publisher.publish("wide", "after");
      assertEquals(last + 1, next.getLong("seq"));
      assertEquals(last + 1, reader.pubs("wide", 1).get(0).getLong("seq"), "the reader keeps its stream");
      assertTrue(node.node.guard().sessionsCutOff() <= 4);
    } finally {
      slow.forEach(RawWebSocket::close);
    }
  }
}
