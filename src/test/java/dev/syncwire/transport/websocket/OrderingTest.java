package dev.syncwire.transport.websocket;

import dev.syncwire.testing.Await;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Concurrent publishers, subscribers spread over all event loops: one sequence per channel, every
 * subscriber sees all of it in order with no gaps, and each publisher's messages keep their order.
 */
class OrderingTest {

  @Test
  void concurrentPublishersGiveEverySubscriberTheSameGaplessSequence() throws Exception {
    int publishers = 4;
    int perPublisher = 250;
    int total = publishers * perPublisher;
    try (TestNode node = TestNode.startWith(new JsonObject().put("node", new JsonObject().put("eventLoops", 4))
        .put("limits", new JsonObject().put("commandRate", 0)))) {
      List<WsClient> subscribers = new ArrayList<>();
      List<ConcurrentLinkedQueue<JsonObject>> received = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        WsClient c = node.demoClient();
        c.subscribe("ordered");
        ConcurrentLinkedQueue<JsonObject> queue = new ConcurrentLinkedQueue<>();
        c.socket().textMessageHandler(t -> queue.add(new JsonObject(t)));
        subscribers.add(c);
        received.add(queue);
      }
      List<Thread> threads = new ArrayList<>();
      List<WsClient> pubs = new ArrayList<>();
      for (int p = 0; p < publishers; p++) {
        WsClient publisher = node.demoClient();
        pubs.add(publisher);
        int pid = p;
        threads.add(new Thread(() -> {
          for (int n = 0; n < perPublisher; n++) {
            publisher.send(new JsonObject().put("id", n + 1).put("type", "publish").put("channel", "ordered")
                .put("data", new JsonObject().put("p", pid).put("n", n)));
          }
        }));
      }
      threads.forEach(Thread::start);
      for (Thread t : threads) {
        t.join();
      }
      for (ConcurrentLinkedQueue<JsonObject> queue : received) {
        Await.until(Duration.ofSeconds(20), "all publications", () -> queue.size() >= total);
      }
      List<JsonObject> reference = null;
      for (ConcurrentLinkedQueue<JsonObject> queue : received) {
        List<JsonObject> got = new ArrayList<>(queue);
        assertEquals(total, got.size(), "no duplicates, nothing extra");
        Map<Integer, Integer> lastPerPublisher = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < total; i++) {
          JsonObject pub = got.get(i);
          assertEquals("pub", pub.getString("type"));
          assertEquals(i + 1L, pub.getLong("seq"), "gapless, in order");
          JsonObject data = pub.getJsonObject("data");
          int publisher = data.getInteger("p");
          int n = data.getInteger("n");
          assertEquals(lastPerPublisher.getOrDefault(publisher, -1) + 1, n, "publisher order kept");
          lastPerPublisher.put(publisher, n);
          assertTrue(seen.add(publisher + ":" + n));
        }
        if (reference == null) {
          reference = got;
        } else {
          assertEquals(reference, got, "every subscriber sees the same sequence");
        }
      }
      subscribers.forEach(WsClient::close);
      pubs.forEach(WsClient::close);
    }
  }
}
