package dev.syncwire.transport.websocket;

import dev.syncwire.testing.Await;
import dev.syncwire.testing.RawWebSocket;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A subscriber that stops reading is cut off with 4009; everyone else keeps their stream. */
class SlowConsumerTest {

  @Test
  void readerThatStopsIsClosed4009AndOthersGetEverything() {
    int messages = 4000;
    String payload = "p".repeat(1000);
    try (TestNode node = TestNode.startWith(new JsonObject().put("limits", new JsonObject()
        .put("outboundBufferBytes", 256 * 1024).put("commandRate", 0)));
         RawWebSocket slow = RawWebSocket.connect(node.port(), Map.of(), 4096);
         WsClient fast = node.demoClient();
         WsClient publisher = node.demoClient()) {
      slow.sendText("{\"id\":1,\"type\":\"connect\",\"tenant\":\"demo\"}");
      slow.sendText("{\"id\":2,\"type\":\"subscribe\",\"channel\":\"flood\"}");
      assertTrue(slow.readUntil(RawWebSocket.TEXT, 5000).text().contains("connected"));
      assertTrue(slow.readUntil(RawWebSocket.TEXT, 5000).text().contains("subscribed"));

      AtomicLong lastSeq = new AtomicLong();
      AtomicInteger outOfOrder = new AtomicInteger();
      java.util.concurrent.atomic.AtomicBoolean subscribed = new java.util.concurrent.atomic.AtomicBoolean();
      fast.socket().textMessageHandler(text -> {
        JsonObject f = new JsonObject(text);
        if ("subscribed".equals(f.getString("type"))) {
          subscribed.set(true);
        } else if ("pub".equals(f.getString("type"))) {
          if (f.getLong("seq") != lastSeq.get() + 1) {
            outOfOrder.incrementAndGet();
          }
          lastSeq.set(f.getLong("seq"));
        }
      });
      Await.result(fast.socket().writeTextMessage("{\"id\":1,\"type\":\"subscribe\",\"channel\":\"flood\"}"));
      // Publishing starts only once the fast subscription exists, or its first pubs would be missing.
      Await.until(Duration.ofSeconds(5), "fast subscriber subscribed", subscribed::get);
      // The slow client reads nothing from here on.
      // Bursts of 50 (about 50 KB) that a reading client absorbs easily; the silent one cannot.
      for (int i = 1; i <= messages; i++) {
        JsonObject publish = new JsonObject().put("type", "publish").put("channel", "flood").put("data", payload);
        if (i % 50 == 0) {
          assertEquals("ack", publisher.request(publish).getString("type"));
        } else {
          publisher.send(publish.put("id", 1_000_000 + i));
        }
      }
      Await.until(Duration.ofSeconds(20), "fast subscriber to receive all", () -> lastSeq.get() >= messages);
      assertEquals(0, outOfOrder.get());
      Await.until(Duration.ofSeconds(10), "slow session to be cut off", () -> node.sessions() == 2);
      // Reading again, the slow client finds what was already on its way, then the 4009 close frame.
      RawWebSocket.Frame last = slow.readUntilClosed(15_000);
      assertEquals(4009, last.closeCode());
    }
  }
}
