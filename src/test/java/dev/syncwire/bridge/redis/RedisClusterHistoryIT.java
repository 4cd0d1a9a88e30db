package dev.syncwire.bridge.redis;

import dev.syncwire.testing.Http;
import dev.syncwire.testing.Await;
import dev.syncwire.testing.ChaosPublisher;
import dev.syncwire.testing.ChaosSubscriber;
import dev.syncwire.testing.DeliveryChecker;
import dev.syncwire.testing.NodeGroup;
import dev.syncwire.testing.NodeProcess;
import dev.syncwire.testing.RedisServer;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three node processes whose channel logs live in a real Redis: every node killed and new ones started
 * continue every channel from Redis, and Redis away for 30 seconds under load loses nothing that was
 * acknowledged and leaves no gap unannounced.
 */
class RedisClusterHistoryIT {
  private static final Vertx CLIENTS = TestNode.clientVertx();
  private static final int HISTORY_SIZE = 5000;

  private RedisServer redis;
  private final List<NodeGroup> groups = new ArrayList<>();
  private final List<ChaosSubscriber> subscribers = new ArrayList<>();
  private final List<ChaosPublisher> publishers = new ArrayList<>();
  private final List<WsClient> clients = new ArrayList<>();

  @BeforeEach
  void startRedis() throws Exception {
    redis = RedisServer.start();
  }

  @AfterEach
  void stopAll() throws Exception {
    publishers.forEach(ChaosPublisher::close);
    subscribers.forEach(ChaosSubscriber::stop);
    clients.forEach(WsClient::close);
    groups.forEach(NodeGroup::close);
    redis.close();
  }

  private List<NodeProcess> startCluster(String prefix) {
    Map<String, String> settings = Map.of("redis.url", redis.url(), "history.store", "redis",
        "redis.timeoutMs", "1000", "cluster.backups", "1", "cluster.announceIntervalMs", "500",
        "cluster.repairDelayMs", "100", "history.size", Integer.toString(HISTORY_SIZE));
    NodeGroup group = NodeGroup.startCluster(NodeProcess.Options.forTests(), prefix, 3, settings);
    groups.add(group);
    return group.nodes();
  }

  private WsClient client(NodeProcess node) {
    WsClient c = WsClient.open(CLIENTS, node.port);
    clients.add(c);
    c.connectAnonymous("demo");
    return c;
  }

  private static JsonObject publish(WsClient c, String channel, String key, int n) {
    return c.request(new JsonObject().put("type", "publish").put("channel", channel).put("key", key)
        .put("data", new JsonObject().put("n", n)));
  }

  private static int ready(NodeProcess node) {
    return Http.status(node.port, "/ready", Duration.ofSeconds(2));
  }

  @Test
  void aClusterStartedAfterEveryNodeWasKilledContinuesEveryChannel() {
    List<NodeProcess> first = startCluster("before");
    WsClient a = client(first.get(0));
    WsClient b = client(first.get(1));
    String epoch = null;
    for (int i = 1; i <= 50; i++) {
      JsonObject ack = publish(i % 2 == 0 ? a : b, "orders", "k" + i, i);
      assertEquals("ack", ack.getString("type"), ack.encode());
      assertEquals(i, ack.getLong("seq"));
      epoch = ack.getString("epoch");
    }
    JsonObject patched = a.request(new JsonObject().put("type", "publish").put("channel", "doc")
        .put("patch", new JsonObject().put("entity", "row").put("inc", new JsonObject().put("n", 7))));
    assertEquals("ack", patched.getString("type"), patched.encode());
    for (NodeProcess n : first) {
      n.kill();
    }

    List<NodeProcess> second = startCluster("after");
    WsClient c = client(second.get(2));
    JsonObject recovered = c.request(new JsonObject().put("type", "subscribe").put("channel", "orders")
        .put("since", new JsonObject().put("epoch", epoch).put("seq", 20)));
    assertEquals(epoch, recovered.getString("epoch"), recovered.encode());
    assertEquals(true, recovered.getBoolean("recovered"), recovered.encode());
    JsonArray pubs = recovered.getJsonArray("pubs");
    assertEquals(30, pubs.size());
    for (int i = 0; i < 30; i++) {
      assertEquals(21 + i, pubs.getJsonObject(i).getLong("seq"));
      assertEquals(21 + i, pubs.getJsonObject(i).getJsonObject("data").getInteger("n"));
      assertEquals("k" + (21 + i), pubs.getJsonObject(i).getString("key"));
    }
    WsClient d = client(second.get(0));
    JsonObject duplicate = publish(d, "orders", "k33", 33);
    assertEquals(true, duplicate.getBoolean("duplicate"), duplicate.encode());
    assertEquals(33, duplicate.getLong("seq"));
    JsonObject next = publish(d, "orders", "k51", 51);
    assertEquals(51, next.getLong("seq"), next.encode());
    assertEquals(epoch, next.getString("epoch"));
    assertEquals(51, c.pubs("orders", 1).get(0).getLong("seq"), "the node's subscriber gets what comes next");
    JsonObject doc = d.request(new JsonObject().put("type", "subscribe").put("channel", "doc"));
    assertEquals(7, doc.getJsonObject("snapshot").getJsonObject("entities").getJsonObject("row")
        .getJsonObject("n").getInteger("v"), doc.encode());
  }

  @Test
  void redisAwayForThirtySecondsUnderLoadLosesNothingAcknowledged() {
    List<NodeProcess> ns = startCluster("outage");
    List<Integer> ports = ns.stream().map(n -> n.port).toList();
    String channel = "ticks";
    for (NodeProcess n : ns) {
      for (int i = 0; i < 2; i++) {
        subscribers.add(new ChaosSubscriber(CLIENTS, ports, n.port, channel));
      }
    }
    Await.until(Duration.ofSeconds(30), "subscribers subscribed",
        () -> subscribers.stream().allMatch(ChaosSubscriber::subscribed));
    for (int i = 0; i < ns.size(); i++) {
      publishers.add(new ChaosPublisher(CLIENTS, ports, ns.get(i).port, channel, "p" + i, 20));
    }
    Await.until(Duration.ofSeconds(60), "publications acknowledged before the outage",
        () -> publishers.stream().allMatch(p -> p.acked().size() >= 20), publishers::toString);

    long stoppedAt = System.nanoTime();
    try {
      redis.stop();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    Map<ChaosPublisher, Integer> ackedAtStop = new HashMap<>();
    publishers.forEach(p -> ackedAtStop.put(p, p.acked().size()));
    Await.until(Duration.ofSeconds(20), "every node to report not ready", () -> ns.stream().allMatch(n -> ready(n) == 503));
    // The outage lasts 30 seconds, during which every publisher keeps trying and is refused.
    Await.until(Duration.ofSeconds(90), "30 seconds of outage with every publisher refused",
        () -> System.nanoTime() - stoppedAt >= Duration.ofSeconds(30).toNanos()
            && publishers.stream().allMatch(p -> p.retryableErrors() > 0));
    for (ChaosPublisher p : publishers) {
      assertTrue(p.acked().size() <= ackedAtStop.get(p) + 5,
          "nothing is acknowledged while Redis is away (a few may have been on their way): " + p);
    }
    try {
      redis.restart();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    Await.until(Duration.ofSeconds(20), "every node ready again", () -> ns.stream().allMatch(n -> ready(n) == 200));
    publishers.forEach(p -> p.finishAfter(50));

    Map<String, DeliveryChecker.Ack> acked = ChaosPublisher.awaitEveryAck(publishers, Duration.ofSeconds(120));
    Set<String> epochs = acked.values().stream().map(DeliveryChecker.Ack::epoch).collect(Collectors.toSet());
    assertEquals(1, epochs.size(), "one epoch throughout: Redis kept the channel's log");
    long last = acked.values().stream().mapToLong(DeliveryChecker.Ack::seq).max().orElseThrow();
    long storedSeq = Long.parseLong(redis.cliQuietly("HGET",
        RedisChannelHistory.metaKey(new dev.syncwire.channel.ChannelId("demo", channel)), "seq"));
    assertEquals(acked.size(), last, "the acknowledged publications are the channel's whole log, without holes");
    assertEquals(last, storedSeq, "Redis holds the whole log");
    String epoch = epochs.iterator().next();
    Await.until(Duration.ofSeconds(60), "every subscriber at " + epoch + "/" + last,
        () -> subscribers.stream().allMatch(s -> s.subscribed() && epoch.equals(s.epoch()) && s.lastSeq() >= last),
        () -> DeliveryChecker.check(subscribers, acked).toString());
    DeliveryChecker.Report report = DeliveryChecker.analyse(subscribers, acked);
    assertEquals(List.of(), report.problems(), "every gap announced with reset, nothing missed or twice");
  }
}
