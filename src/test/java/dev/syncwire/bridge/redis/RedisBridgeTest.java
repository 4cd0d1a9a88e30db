package dev.syncwire.bridge.redis;

import dev.syncwire.broker.ChannelBroker;
import dev.syncwire.broker.PublicationSink;
import dev.syncwire.channel.ChannelId;
import dev.syncwire.channel.Position;
import dev.syncwire.channel.Since;
import dev.syncwire.telemetry.MetricNames;
import dev.syncwire.testing.Await;
import dev.syncwire.testing.LogCapture;
import dev.syncwire.testing.RedisServer;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Redis bridge of one node (in this JVM) against a real redis-server: pub/sub messages and stream
 * entries reach WebSocket subscribers as {@code pub}s; bad input is counted and skipped; stream entries are
 * acknowledged once published and a redelivered one is applied once; the bridge comes back after Redis was
 * frozen or restarted; its pub/sub reader stops reading when too many publishes wait.
 */
class RedisBridgeTest {
  private static final String STREAM = "updates:tenant:demo";
  private static final long CLAIM_IDLE_MS = 500;

  private RedisServer redis;
  private LogCapture logs;
  private TestNode node;
  private final List<WsClient> clients = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start();
    logs = LogCapture.start();
    node = TestNode.startWith(new JsonObject().put("redis", new JsonObject().put("url", redis.url())
        .put("timeoutMs", 500).put("bridge", new JsonObject().put("enabled", true).put("claimIdleMs", CLAIM_IDLE_MS))));
    Await.until(Duration.ofSeconds(10), "the bridge to subscribe", () -> cli("PUBSUB", "NUMPAT").equals("1"));
    Await.until(Duration.ofSeconds(10), "the bridge's consumer group", () -> {
      try {
        return redis.cli("XINFO", "GROUPS", STREAM).contains(StreamIngest.GROUP);
      } catch (Exception notYet) {
        return false;
      }
    });
  }

  @AfterEach
  void stop() throws Exception {
    clients.forEach(WsClient::close);
    if (node != null) {
      node.close();
    }
    logs.close();
    redis.close();
  }

  private String cli(String... args) {
    try {
      return redis.cli(args);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private WsClient subscriber(String... channels) {
    WsClient c = node.demoClient();
    clients.add(c);
    for (String channel : channels) {
      c.subscribe(channel);
    }
    return c;
  }

  private long bridged(String path, String outcome) {
    Counter c = node.node.metrics().registry().find(MetricNames.BRIDGE_MESSAGES).tag(MetricNames.PATH, path)
        .tag(MetricNames.OUTCOME, outcome).counter();
    return c == null ? 0 : (long) c.count();
  }

  private void awaitBridged(String path, String outcome, long n) {
    Await.until(Duration.ofSeconds(15), n + " " + path + " messages " + outcome, () -> bridged(path, outcome) >= n,
        () -> "counted " + bridged(path, outcome));
  }

  private String xadd(String channel, String body) {
    return cli("XADD", STREAM, "*", "channel", channel, "body", body);
  }

  /** How many entries of the demo stream the group has delivered and not had acknowledged. */
  private long pending() {
    return Long.parseLong(cli("XPENDING", STREAM, StreamIngest.GROUP).lines().findFirst().orElseThrow().trim());
  }

  private void awaitNothingPending() {
    Await.until(Duration.ofSeconds(15), "no entry pending", () -> pending() == 0,
        () -> cli("XPENDING", STREAM, StreamIngest.GROUP));
  }

  private void awaitLog(String text) {
    Await.until(Duration.ofSeconds(20), "a log line with \"" + text + "\"", () -> !logs.containing(text).isEmpty(),
        () -> LogCapture.describe(logs.containing("Redis bridge")));
  }

  @Test
  void aPubSubMessageReachesSubscribersAsAPub() {
    WsClient sub = subscriber("news:eu");
    assertEquals("1", cli("PUBLISH", "updates:tenant:demo:news:eu", "{\"data\":{\"text\":\"hi\"}}"),
        "one subscriber in Redis: the bridge");
    JsonObject pub = sub.pubs("news:eu", 1).get(0);
    assertEquals(new JsonObject().put("text", "hi"), pub.getJsonObject("data"));
    assertEquals(1L, pub.getLong("seq"));
    // A key makes a repeated message a duplicate, as for any publish.
    cli("PUBLISH", "updates:tenant:demo:news:eu", "{\"key\":\"k1\",\"data\":2}");
    cli("PUBLISH", "updates:tenant:demo:news:eu", "{\"key\":\"k1\",\"data\":2}");
    cli("PUBLISH", "updates:tenant:demo:news:eu", "{\"data\":3}");
    List<JsonObject> next = sub.pubs("news:eu", 2);
    assertEquals(List.of(2, 3), next.stream().map(p -> p.getInteger("data")).toList());
    assertEquals("k1", next.get(0).getString("key"));
    assertEquals(List.of(2L, 3L), next.stream().map(p -> p.getLong("seq")).toList());
    // Counted when the ack comes back to the bridge, which may be after the subscriber got the pub.
    awaitBridged("pubsub", "duplicate", 1);
    awaitBridged("pubsub", "published", 3);
    assertEquals(3, bridged("pubsub", "published"));
  }

  @Test
  void aPatchChangesTheChannelsState() {
    WsClient sub = subscriber("table");
    cli("PUBLISH", "updates:tenant:demo:table",
        "{\"patch\":{\"entity\":\"row-1\",\"set\":{\"title\":\"Hi\"},\"inc\":{\"qty\":2}}}");
    JsonObject pub = sub.pubs("table", 1).get(0);
    JsonObject patch = pub.getJsonObject("patch");
    assertNotNull(patch, pub.encode());
    assertEquals("row-1", patch.getString("entity"));
    assertEquals("Hi", patch.getJsonObject("set").getString("title"));
    try (WsClient late = node.demoClient()) {
      JsonObject snapshot = late.subscribe("table").getJsonObject("snapshot");
      assertEquals(2, snapshot.getJsonObject("entities").getJsonObject("row-1").getJsonObject("qty").getInteger("v"),
          snapshot.encode());
    }
  }

  @Test
  void invalidMessagesAreCountedAndLoggedShortlyAndTheBridgeGoesOn() {
    WsClient sub = subscriber("ok");
    String large = "{\"data\":\"" + "x".repeat(100_000);
    cli("PUBLISH", "updates:tenant:demo:ok", "{not json");
    cli("PUBLISH", "updates:tenant:nobody:ok", "{\"data\":1}");
    cli("PUBLISH", "updates:tenant:demo:bad channel!", "{\"data\":1}");
    cli("PUBLISH", "updates:tenant:demo:ok", "{\"data\":1,\"patch\":{\"entity\":\"e\",\"set\":{\"a\":1}}}");
    cli("PUBLISH", "updates:tenant:demo", "{\"data\":1}");
    cli("PUBLISH", "updates:tenant:demo:ok", "[1,2]");
    cli("PUBLISH", "updates:tenant:demo:ok", large);
    // Refused by the channel rather than by the bridge: a patch that changes nothing.
    cli("PUBLISH", "updates:tenant:demo:ok", "{\"patch\":{\"entity\":\"e\"}}");
    cli("PUBLISH", "updates:tenant:demo:ok", "{\"data\":\"after\"}");
    JsonObject pub = sub.pubs("ok", 1).get(0);
    assertEquals("after", pub.getString("data"));
    assertEquals(1L, pub.getLong("seq"), "nothing invalid took a seq");
    awaitBridged("pubsub", "invalid", 8);
    assertEquals(8, bridged("pubsub", "invalid"));
    awaitBridged("pubsub", "published", 1);
    assertEquals(1, bridged("pubsub", "published"));
    List<LogRecord> lines = logs.containing("Redis bridge");
    assertTrue(lines.stream().anyMatch(r -> r.getMessage().contains("refused a pubsub message")),
        LogCapture.describe(lines));
    for (LogRecord r : lines) {
      assertTrue(r.getMessage().length() < 500, "a short line: " + r.getMessage().length() + " characters");
    }
    assertTrue(lines.stream().noneMatch(r -> r.getThrown() != null), "no stack trace");
  }

  @Test
  void streamEntriesArePublishedInOrderAndAcknowledged() {
    WsClient sub = subscriber("orders");
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      ids.add(xadd("orders", "{\"data\":" + i + "}"));
    }
    List<JsonObject> pubs = sub.pubs("orders", 3);
    assertEquals(List.of(1, 2, 3), pubs.stream().map(p -> p.getInteger("data")).toList());
    assertEquals(List.of(1L, 2L, 3L), pubs.stream().map(p -> p.getLong("seq")).toList());
    assertEquals(ids.stream().map(id -> "xs:" + id).toList(), pubs.stream().map(p -> p.getString("key")).toList(),
        "an entry without a key is published with one made from its id");
    String own = xadd("orders", "{\"key\":\"mine\",\"data\":4}");
    assertEquals("mine", sub.pubs("orders", 1).get(0).getString("key"), own);
    awaitNothingPending();
    awaitBridged("stream", "published", 4);
  }

  @Test
  void aRedeliveredEntryIsAppliedOnce() {
    WsClient sub = subscriber("ledger");
    String first = xadd("ledger", "{\"data\":1}");
    assertEquals(1L, sub.pubs("ledger", 1).get(0).getLong("seq"));
    awaitNothingPending();
    // Back to pending, as if a consumer that died had taken it: the bridge takes it over after claimIdleMs,
    // and entries added meanwhile come after it.
    cli("XCLAIM", STREAM, StreamIngest.GROUP, "ghost", "0", first, "FORCE");
    assertEquals(1, pending());
    xadd("ledger", "{\"data\":2}");
    JsonObject second = sub.pubs("ledger", 1).get(0);
    assertEquals(2, second.getInteger("data"), "the redelivered entry was not published again");
    assertEquals(2L, second.getLong("seq"));
    awaitBridged("stream", "duplicate", 1);
    awaitNothingPending();
    assertEquals(1, logs.containing("took over 1 pending entry").size(), LogCapture.describe(logs.containing("bridge")));

    // The whole stream replayed: every entry is a duplicate.
    cli("XGROUP", "SETID", STREAM, StreamIngest.GROUP, "0");
    awaitBridged("stream", "duplicate", 3);
    awaitNothingPending();
    xadd("ledger", "{\"data\":3}");
    JsonObject third = sub.pubs("ledger", 1).get(0);
    assertEquals(3, third.getInteger("data"));
    assertEquals(3L, third.getLong("seq"), "no seq went to a redelivered entry");
    awaitBridged("stream", "published", 3);
    assertEquals(3, bridged("stream", "published"));
  }

  @Test
  void anEntryRefusedForGoodIsAcknowledgedAndCounted() {
    WsClient sub = subscriber("orders");
    xadd("orders", "not json");
    xadd("bad channel!", "{\"data\":1}");
    cli("XADD", STREAM, "*", "channel", "orders", "other", "{\"data\":1}");
    xadd("orders", "{\"key\":\"\",\"data\":1}");
    xadd("orders", "{\"patch\":{\"entity\":\"e\"}}");
    xadd("orders", "{\"data\":\"good\"}");
    JsonObject pub = sub.pubs("orders", 1).get(0);
    assertEquals("good", pub.getString("data"));
    assertEquals(1L, pub.getLong("seq"));
    awaitBridged("stream", "invalid", 5);
    awaitNothingPending();
    assertEquals(5, bridged("stream", "invalid"));
  }

  @Test
  void afterRedisWasFrozenTheBridgeSubscribesAndReadsAgain() throws Exception {
    WsClient sub = subscriber("live");
    cli("PUBLISH", "updates:tenant:demo:live", "{\"data\":\"before\"}");
    assertEquals("before", sub.pubs("live", 1).get(0).getString("data"));
    redis.freeze();
    try {
      awaitLog("lost the subscription");
      awaitLog("lost Redis for the stream reads");
    } finally {
      redis.thaw();
    }
    awaitLog("subscribed to updates:tenant:* again");
    cli("PUBLISH", "updates:tenant:demo:live", "{\"data\":\"after\"}");
    assertEquals("after", sub.pubs("live", 1).get(0).getString("data"));
    xadd("live", "{\"data\":\"streamed\"}");
    assertEquals("streamed", sub.pubs("live", 1).get(0).getString("data"));
    awaitNothingPending();
    assertEquals(1, logs.containing("lost the subscription").size(), "one line when lost");
    assertEquals(1, logs.containing("subscribed to updates:tenant:* again").size(), "one line when back");
  }

  @Test
  void afterRedisRestartedEmptyTheBridgeSubscribesAndMakesItsGroupAgain() throws Exception {
    WsClient sub = subscriber("live");
    redis.stop();
    awaitLog("lost the subscription");
    redis.restartEmpty();
    awaitLog("subscribed to updates:tenant:* again");
    cli("PUBLISH", "updates:tenant:demo:live", "{\"data\":\"after\"}");
    assertEquals("after", sub.pubs("live", 1).get(0).getString("data"));
    Await.until(Duration.ofSeconds(15), "the consumer group made again",
        () -> cli("EXISTS", STREAM).equals("1") && cli("XINFO", "GROUPS", STREAM).contains(StreamIngest.GROUP));
    xadd("live", "{\"data\":\"streamed\"}");
    assertEquals("streamed", sub.pubs("live", 1).get(0).getString("data"));
    awaitNothingPending();
  }

  @Test
  void aDrainingNodeStopsIngesting() {
    node.node.drain().start("test");
    awaitLog("stops ingesting (it drains)");
    awaitLog("stopped ingesting");
    assertEquals("0", cli("PUBSUB", "NUMPAT"), "the subscription is gone");
    String id = xadd("drained", "{\"data\":1}");
    String read = cli("XREADGROUP", "GROUP", StreamIngest.GROUP, "probe", "COUNT", "10", "STREAMS", STREAM, ">");
    assertTrue(read.contains(id), "the entry was left for others: " + read);
    assertEquals(0, bridged("stream", "published"));
  }

  /**
   * The pub/sub reader against a broker that does not answer: it stops reading at its bound, so Redis holds
   * the rest; once the broker answers, everything arrives, in order.
   */
  @Test
  void thePubSubReaderStopsReadingWhenTooManyPublishesWait() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Context context = vertx.getOrCreateContext();
      HeldBroker broker = new HeldBroker(context);
      RedisLink link = new RedisLink(vertx, redis.url(), 2000);
      Await.result(link.start());
      PubSubIngest ingest = new PubSubIngest(vertx, link, new BridgeInput(Set.of("demo")), broker,
          new BridgeCounters(new SimpleMeterRegistry()), 2000);
      context.runOnContext(v -> ingest.start());
      Await.until(Duration.ofSeconds(10), "a second pattern subscriber", () -> subscribers() == 2);
      int total = 30_000;
      String padding = "x".repeat(1000);
      // Held until the end: Vert.x closes a client (and its connections) once nothing refers to it.
      Redis publisherClient = Redis.createClient(vertx, new RedisOptions().setConnectionString(redis.url())
          .setMaxWaitingHandlers(total + 16));
      RedisConnection publisher = Await.result(publisherClient.connect());
      List<Request> publishes = new ArrayList<>();
      for (int i = 0; i < total; i++) {
        publishes.add(Request.cmd(Command.PUBLISH).arg("updates:tenant:demo:bounded")
            .arg("{\"data\":{\"n\":" + i + ",\"p\":\"" + padding + "\"}}"));
      }
      Await.result(publisher.batch(publishes));
      Await.until(Duration.ofSeconds(20), "the bound reached", () -> broker.received() >= PubSubIngest.MAX_IN_FLIGHT,
          () -> broker.received() + " received");
      Await.until(Duration.ofSeconds(5), "the reader paused", () -> Await.result(Future.<Boolean>future(
          p -> context.runOnContext(v -> p.complete(ingest.paused())))));
      Await.until(Duration.ofSeconds(20), "Redis holding output for the paused reader",
          () -> subscriberOutputBytes() > 0, () -> cli("CLIENT", "LIST"));
      int held = broker.received();
      assertTrue(held >= PubSubIngest.MAX_IN_FLIGHT && held < PubSubIngest.MAX_IN_FLIGHT + 2_000,
          "publishes handed to the broker while it answered none: " + held);
      broker.answerAll();
      Await.until(Duration.ofSeconds(30), "every message published", () -> broker.received() == total,
          () -> broker.received() + " of " + total);
      List<Integer> order = broker.numbers();
      for (int i = 0; i < total; i++) {
        assertEquals(i, order.get(i), "in Redis's order");
      }
      Await.result(Future.future(p -> context.runOnContext(v -> ingest.stop().onComplete(p))));
      Await.result(publisherClient.close());
    } finally {
      Await.result(vertx.close());
    }
  }

  /** Clients of the server in pattern-subscribed state. */
  private long subscribers() {
    return cli("CLIENT", "LIST").lines().filter(l -> l.contains(" psub=1 ")).count();
  }

  /** Output bytes Redis holds for its pattern subscribers (the bridge's reader among them). */
  private long subscriberOutputBytes() {
    long total = 0;
    for (String line : cli("CLIENT", "LIST").lines().toList()) {
      if (line.contains(" psub=1 ")) {
        for (String part : line.split(" ")) {
          if (part.startsWith("omem=")) {
            total += Long.parseLong(part.substring(5));
          }
        }
      }
    }
    return total;
  }

  /** A broker that answers no publish until told to, then every one at once (and the later ones as they come). */
  private static final class HeldBroker implements ChannelBroker {
    private final Context context;
    private final List<Promise<PublishAck>> waiting = new ArrayList<>();
    private final List<Integer> numbers = new ArrayList<>();
    private boolean answering;
    private long seq;

    HeldBroker(Context context) {
      this.context = context;
    }

    @Override
    public synchronized Future<PublishAck> publish(ChannelId channel, PublishRequest request) {
      numbers.add(new JsonObject(request.dataJson()).getInteger("n"));
      Promise<PublishAck> p = Promise.promise();
      if (answering) {
        p.complete(new PublishAck("e", ++seq, false));
      } else {
        waiting.add(p);
      }
      return p.future();
    }

    synchronized int received() {
      return numbers.size();
    }

    synchronized List<Integer> numbers() {
      return new ArrayList<>(numbers);
    }

    void answerAll() {
      context.runOnContext(v -> {
        List<Promise<PublishAck>> all;
        synchronized (this) {
          answering = true;
          all = new ArrayList<>(waiting);
          waiting.clear();
        }
        for (Promise<PublishAck> p : all) {
          long n;
          synchronized (this) {
            n = ++seq;
          }
          p.complete(new PublishAck("e", n, false));
        }
      });
    }

    @Override
    public Future<Position> subscribe(ChannelId channel, Since since, PublicationSink sink) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void unsubscribe(ChannelId channel, PublicationSink sink) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Future<List<ChannelInfo>> channels(String tenant) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Future<ChannelDetail> channel(ChannelId channel) {
      throw new UnsupportedOperationException();
    }
  }
}
