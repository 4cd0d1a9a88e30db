package dev.syncwire.bridge.redis;

import dev.syncwire.testing.Await;
import dev.syncwire.testing.Http;
import dev.syncwire.testing.RedisServer;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node whose channel logs live in a real Redis ({@code history.store} = {@code redis}): a restarted node
 * continues every channel (epoch, seq, history, keys, state), and while Redis is away publishes fail fast
 * with {@code unavailable} and the node is not ready.
 */
class RedisHistoryTest {
  private RedisServer redis;
  private final List<TestNode> nodes = new ArrayList<>();
  private final List<WsClient> clients = new ArrayList<>();

  @BeforeEach
  void startRedis() throws Exception {
    redis = RedisServer.start();
  }

  @AfterEach
  void stopAll() throws Exception {
    clients.forEach(WsClient::close);
    nodes.forEach(TestNode::close);
    redis.close();
  }

  private TestNode node() {
    TestNode node = TestNode.startWith(new JsonObject()
        .put("redis", new JsonObject().put("url", redis.url()).put("timeoutMs", 500))
        .put("history", new JsonObject().put("store", "redis")));
    nodes.add(node);
    return node;
  }

  private WsClient client(TestNode node) {
    WsClient c = node.client();
    clients.add(c);
    c.connectAnonymous("demo");
    return c;
  }

  private static JsonObject publish(WsClient c, String channel, String key, Object data) {
    JsonObject command = new JsonObject().put("type", "publish").put("channel", channel).put("data", data);
    if (key != null) {
      command.put("key", key);
    }
    return c.request(command);
  }

  private static JsonObject subscribe(WsClient c, String channel, String epoch, long seq) {
    return c.request(new JsonObject().put("type", "subscribe").put("channel", channel)
        .put("since", new JsonObject().put("epoch", epoch).put("seq", seq)));
  }

  private static String metrics(TestNode node) {
    return Http.get(node.adminPort(), "/metrics");
  }

  private static int ready(TestNode node) {
    return Http.status(node.port(), "/ready", Duration.ofSeconds(2));
  }

  private static void awaitReady(TestNode node, int status, String what) {
    Await.until(Duration.ofSeconds(10), Duration.ofMillis(50), what, () -> ready(node) == status);
  }

  @Test
  void aNewNodeContinuesEveryChannelFromRedis() throws Exception {
    TestNode first = node();
    WsClient c = client(first);
    JsonObject subscribed = c.subscribe("orders");
    String epoch = subscribed.getString("epoch");
    for (int i = 1; i <= 10; i++) {
      JsonObject ack = publish(c, "orders", "k" + i, i);
      assertEquals("ack", ack.getString("type"), ack.encode());
      assertEquals(i, ack.getLong("seq"));
    }
    assertEquals(10, c.pubs("orders", 10).size());
    JsonObject patch = c.request(new JsonObject().put("type", "publish").put("channel", "doc")
        .put("patch", new JsonObject().put("entity", "row").put("set", new JsonObject().put("title", "Hi"))
            .put("inc", new JsonObject().put("n", 5))));
    assertEquals("ack", patch.getString("type"), patch.encode());
    String snapshot = c.request(new JsonObject().put("type", "subscribe").put("channel", "doc"))
        .getJsonObject("snapshot").encode();
    first.close();
    nodes.remove(first);

    TestNode second = node();
    WsClient d = client(second);
    JsonObject recovered = subscribe(d, "orders", epoch, 4);
    assertEquals(epoch, recovered.getString("epoch"), "the epoch outlives the node");
    assertEquals(true, recovered.getBoolean("recovered"), recovered.encode());
    JsonArray pubs = recovered.getJsonArray("pubs");
    assertEquals(6, pubs.size());
    for (int i = 0; i < 6; i++) {
      assertEquals(5 + i, pubs.getJsonObject(i).getLong("seq"));
      assertEquals(5 + i, pubs.getJsonObject(i).getInteger("data"));
    }
    JsonObject again = publish(d, "orders", "k7", 7);
    assertEquals(true, again.getBoolean("duplicate"), "keys outlive the node: " + again.encode());
    assertEquals(7, again.getLong("seq"));
    JsonObject next = publish(d, "orders", "k11", 11);
    assertEquals(11, next.getLong("seq"), "seq goes on without a gap");
    assertEquals(epoch, next.getString("epoch"));
    assertEquals(11, d.pubs("orders", 1).get(0).getLong("seq"));
    JsonObject doc = d.request(new JsonObject().put("type", "subscribe").put("channel", "doc"));
    assertEquals(snapshot, doc.getJsonObject("snapshot").encode(), "state outlives the node");
  }

  @Test
  void whileRedisIsAwayPublishesFailFastAndTheNodeIsNotReady() throws Exception {
    dev.syncwire.testing.LogCapture logs = dev.syncwire.testing.LogCapture.start();
    TestNode node = node();
    WsClient c = client(node);
    c.subscribe("live");
    assertEquals("ack", publish(c, "live", "a", 1).getString("type"));
    assertEquals(200, ready(node));

    redis.stop();
    awaitReady(node, 503, "the node to notice Redis is away");
    long started = System.nanoTime();
    JsonObject refused = publish(c, "live", "b", 2);
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    assertEquals("error", refused.getString("type"), refused.encode());
    assertEquals("unavailable", refused.getString("code"));
    assertTrue(refused.getLong("retryAfterMs") > 0);
    assertTrue(tookMs < 2_000, "answered at once, not after a wait: " + tookMs + " ms");
    assertTrue(metrics(node).contains("syncwire_redis_up 0.0"), "the gauge says Redis is away");
    JsonObject otherChannel = c.request(new JsonObject().put("type", "subscribe").put("channel", "never-loaded"));
    assertEquals("unavailable", otherChannel.getString("code"), otherChannel.encode());

    redis.restart();
    awaitReady(node, 200, "the node to be ready again");
    assertTrue(metrics(node).contains("syncwire_redis_up 1.0"), "the gauge says Redis is back");
    assertTrue(metrics(node).contains("syncwire_redis_state_changes_total 2.0"), "one change each way");
    assertEquals(1, logs.containing("is unavailable").size(), "one line when Redis went away: "
        + dev.syncwire.testing.LogCapture.describe(logs.containing("Redis")));
    assertEquals(1, logs.containing("is available again").size(), "one line when it came back");
    logs.close();
    JsonObject retried = publish(c, "live", "b", 2);
    assertEquals("ack", retried.getString("type"), retried.encode());
    assertEquals(2, retried.getLong("seq"));
    List<JsonObject> seen = c.pubs("live", 2);
    assertEquals(List.of(1L, 2L), seen.stream().map(p -> p.getLong("seq")).toList());
  }

  @Test
  void aChannelRedisLostStartsANewEpochAndItsSubscribersAreNotRecovered() throws Exception {
    TestNode first = node();
    WsClient c = client(first);
    String epoch = publish(c, "gone", "k1", 1).getString("epoch");
    first.close();
    nodes.remove(first);
    redis.stop();
    redis.restartEmpty();

    TestNode second = node();
    WsClient d = client(second);
    JsonObject resubscribed = subscribe(d, "gone", epoch, 1);
    assertNotEquals(epoch, resubscribed.getString("epoch"), "Redis lost the channel: a new epoch");
    assertEquals(false, resubscribed.getBoolean("recovered"));
    assertEquals(0, resubscribed.getLong("seq"));
    JsonObject again = publish(d, "gone", "k1", 1);
    assertEquals(1, again.getLong("seq"));
    assertEquals(false, again.getBoolean("duplicate"), "the key went with the log");
  }

  @Test
  void publishesThatArriveTogetherShareOneWriteAndKeepTheirOrder() throws Exception {
    TestNode node = node();
    WsClient c = client(node);
    c.subscribe("burst");
    redis.cli("CONFIG", "RESETSTAT");
    int n = 300;
    for (int i = 1; i <= n; i++) {
      c.send(new JsonObject().put("id", 1000 + i).put("type", "publish").put("channel", "burst").put("key", "b" + i)
          .put("data", i));
    }
    for (int i = 1; i <= n; i++) {
      int id = 1000 + i;
      JsonObject ack = c.awaitFrame(f -> f.getLong("id", -1L) == id);
      assertEquals(i, ack.getLong("seq"), ack.encode());
    }
    List<JsonObject> pubs = c.pubs("burst", n);
    for (int i = 0; i < n; i++) {
      assertEquals(i + 1, pubs.get(i).getLong("seq"));
      assertEquals(i + 1, pubs.get(i).getInteger("data"));
    }
    String stats = redis.cli("INFO", "commandstats");
    long scripts = stats.lines().filter(l -> l.startsWith("cmdstat_evalsha:") || l.startsWith("cmdstat_eval:"))
        .mapToLong(l -> Long.parseLong(l.replaceAll(".*calls=(\\d+).*", "$1"))).sum();
    assertTrue(scripts > 0 && scripts < n, "group commit: " + scripts + " writes for " + n + " publishes");
    assertEquals(Integer.toString(n), redis.cli("XLEN", RedisChannelHistory.streamKey(
        new dev.syncwire.channel.ChannelId("demo", "burst"))));
  }

  @Test
  void aFrozenRedisTimesOutWritesAndTheStoreDecidesWhatHappened() throws Exception {
    TestNode node = node();
    WsClient publisher = client(node);
    WsClient subscriber = client(node);
    String epoch = subscriber.subscribe("c").getString("epoch");
    assertEquals("ack", publish(publisher, "c", "k1", 1).getString("type"));

    redis.freeze();
    // Sent together while Redis cannot answer: each times out as unavailable.
    for (int i = 2; i <= 5; i++) {
      publisher.send(new JsonObject().put("id", 100 + i).put("type", "publish").put("channel", "c")
          .put("key", "k" + i).put("data", i));
    }
    for (int i = 2; i <= 5; i++) {
      int id = 100 + i;
      JsonObject reply = publisher.awaitFrame(f -> f.getLong("id", -1L) == id);
      assertEquals("unavailable", reply.getString("code"), reply.encode());
    }
    redis.thaw();
    awaitReady(node, 200, "the node to reach Redis again");
    // The retries: Redis had some of the writes, or none; either way each key is applied once.
    List<Long> seqs = new ArrayList<>();
    for (int i = 2; i <= 5; i++) {
      JsonObject ack = publish(publisher, "c", "k" + i, i);
      assertEquals("ack", ack.getString("type"), ack.encode());
      seqs.add(ack.getLong("seq"));
    }
    assertEquals(List.of(2L, 3L, 4L, 5L), seqs);
    // The subscriber saw 1..5 in order, each once, or was told with reset that it cannot know.
    List<Long> delivered = new ArrayList<>();
    boolean reset = false;
    while (delivered.isEmpty() || delivered.get(delivered.size() - 1) < 5) {
      JsonObject f = subscriber.awaitFrame(x -> "pub".equals(x.getString("type")) || "reset".equals(x.getString("type")));
      if ("reset".equals(f.getString("type"))) {
        reset = true;
        break;
      }
      delivered.add(f.getLong("seq"));
    }
    if (!reset) {
      assertEquals(List.of(1L, 2L, 3L, 4L, 5L), delivered);
    } else {
      JsonObject resumed = subscribe(subscriber, "c", epoch, delivered.isEmpty() ? 0 : delivered.get(delivered.size() - 1));
      assertEquals(epoch, resumed.getString("epoch"));
      assertEquals(5, resumed.getLong("seq"));
    }
    assertNotEquals(null, redis.cli("HGET", RedisChannelHistory.metaKey(new dev.syncwire.channel.ChannelId("demo", "c")), "seq"));
    assertEquals("5", redis.cli("HGET", RedisChannelHistory.metaKey(new dev.syncwire.channel.ChannelId("demo", "c")), "seq"));
  }
}
