package dev.syncwire.bridge.redis;

import dev.syncwire.testing.Await;
import dev.syncwire.testing.ChaosSubscriber;
import dev.syncwire.testing.DeliveryChecker;
import dev.syncwire.testing.NodeGroup;
import dev.syncwire.testing.NodeProcess;
import dev.syncwire.testing.RedisServer;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bridge on a cluster of three node JVMs (started from the jar with {@code -cluster}) and one real Redis:
 * only one node ingests, so a pub/sub message without a key enters its channel once and every subscriber, on
 * every node, gets each once and in order; stream entries added while the ingesting node is killed with
 * {@code kill -9} are each applied once, none missing, and none stays pending.
 */
class RedisBridgeIT {
  private static final Vertx CLIENTS = TestNode.clientVertx();
  private static final String STREAM = "updates:tenant:demo";

  private RedisServer redis;
  private final NodeGroup group = NodeGroup.cluster(NodeProcess.Options.forTests(), "bridge", 3);
  private final List<WsClient> clients = new ArrayList<>();
  private final List<ChaosSubscriber> subscribers = new ArrayList<>();
  /** Held for the whole test: Vert.x closes a client (and its connections) once nothing refers to it. */
  private Redis producerClient;
  private RedisConnection producer;

  @BeforeEach
  void startRedis() throws Exception {
    redis = RedisServer.start();
    producerClient = Redis.createClient(CLIENTS, new RedisOptions().setConnectionString(redis.url())
        .setMaxWaitingHandlers(10_000));
    producer = Await.result(producerClient.connect());
  }

  @AfterEach
  void stopEverything() throws Exception {
    subscribers.forEach(ChaosSubscriber::stop);
    clients.forEach(WsClient::close);
    producer.close();
    producerClient.close();
    group.close();
    redis.close();
  }

  private List<NodeProcess> startNodes() {
    Map<String, String> settings = Map.of("redis.url", redis.url(), "redis.timeoutMs", "1000",
        "redis.bridge.enabled", "true", "redis.bridge.claimIdleMs", "1000", "cluster.announceIntervalMs", "500",
        "cluster.repairDelayMs", "100");
    List<NodeProcess> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      nodes.add(group.start("node" + i, settings));
    }
    nodes.forEach(NodeProcess::awaitReady);
    group.awaitBackedUp();
    return nodes;
  }

  private String cli(String... args) {
    try {
      return redis.cli(args);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Connections of Redis clients subscribed to a pattern: the bridge's, one per ingesting node. */
  private long patternSubscribers() {
    return cli("CLIENT", "LIST").lines().filter(l -> l.contains(" psub=1 ")).count();
  }

  /** {@code syncwire_redis_bridge_messages_total} of one path and outcome on one node. */
  private static long bridged(NodeProcess node, String path, String outcome) {
    Pattern line = Pattern.compile("^syncwire_redis_bridge_messages_total\\{([^}]*)} ([0-9.eE+]+)$",
        Pattern.MULTILINE);
    Matcher m = line.matcher(node.admin("/metrics"));
    while (m.find()) {
      if (m.group(1).contains("path=\"" + path + "\"") && m.group(1).contains("outcome=\"" + outcome + "\"")) {
        return (long) Double.parseDouble(m.group(2));
      }
    }
    return 0;
  }

  @Test
  void pubSubMessagesWithoutKeysReachEverySubscriberOnceAndInOrder() {
    List<NodeProcess> nodes = startNodes();
    Await.until(Duration.ofSeconds(30), "a node to subscribe to Redis", () -> patternSubscribers() >= 1);
    List<String> channels = List.of("feed-a", "feed-b", "feed:c");
    for (NodeProcess n : nodes) {
      WsClient c = WsClient.open(CLIENTS, n.port);
      clients.add(c);
      c.connectAnonymous("demo");
      channels.forEach(c::subscribe);
    }
    int perChannel = 200;
    List<Request> publishes = new ArrayList<>();
    for (int i = 0; i < perChannel; i++) {
      for (String channel : channels) {
        publishes.add(Request.cmd(Command.PUBLISH).arg("updates:tenant:demo:" + channel)
            .arg(new JsonObject().put("data", new JsonObject().put("n", i)).encode()));
      }
    }
    Await.result(producer.batch(publishes));
    for (WsClient c : clients) {
      for (String channel : channels) {
        List<JsonObject> pubs = c.pubs(channel, perChannel);
        for (int i = 0; i < perChannel; i++) {
          assertEquals(i, pubs.get(i).getJsonObject("data").getInteger("n"), channel + " in Redis's order");
          assertEquals(i + 1L, pubs.get(i).getLong("seq"), channel + ": one seq per message");
        }
      }
    }
    for (String channel : channels) {
      JsonObject info = new JsonObject(nodes.get(0).admin("/api/v1/channels/demo/" + channel));
      assertEquals(perChannel, info.getLong("seq"), channel + " took each message once: " + info.encode());
    }
    long published = nodes.stream().mapToLong(n -> bridged(n, "pubsub", "published")).sum();
    assertEquals((long) perChannel * channels.size(), published, "messages published, over all nodes");
    assertEquals(1, nodes.stream().filter(n -> bridged(n, "pubsub", "published") > 0).count(),
        "one node ingests");
    assertEquals(1, patternSubscribers(), "one node subscribed to Redis");
    for (WsClient c : clients) {
      JsonObject ping = c.request(new JsonObject().put("type", "ping"));
      assertEquals("pong", ping.getString("type"));
      assertEquals(List.of(), c.drain().stream().filter(f -> "pub".equals(f.getString("type"))).toList(),
          "no publication beyond the messages sent");
    }
  }

  @Test
  void streamEntriesAddedWhileTheIngestingNodeIsKilledAreAppliedOnceEach() {
    List<NodeProcess> nodes = startNodes();
    // Whichever node publishes this entry ingests: the leader.
    cli("XADD", STREAM, "*", "channel", "warm-up", "body", "{\"data\":0}");
    Await.until(Duration.ofSeconds(30), "the warm-up entry published and acknowledged", () -> nodes.stream()
        .anyMatch(n -> bridged(n, "stream", "published") == 1) && pendingTotal() == 0);
    List<NodeProcess> ingesting = nodes.stream().filter(n -> bridged(n, "stream", "published") > 0).toList();
    assertEquals(1, ingesting.size(), "one node ingests: " + ingesting);
    NodeProcess leader = ingesting.get(0);
    List<NodeProcess> survivors = nodes.stream().filter(n -> n != leader).toList();
    List<Integer> ports = survivors.stream().map(n -> n.port).toList();
    List<String> channels = List.of("s-0", "s-1", "s-2");
    Map<String, List<ChaosSubscriber>> byChannel = new LinkedHashMap<>();
    for (String channel : channels) {
      for (NodeProcess n : survivors) {
        ChaosSubscriber s = new ChaosSubscriber(CLIENTS, ports, n.port, channel);
        subscribers.add(s);
        byChannel.computeIfAbsent(channel, k -> new ArrayList<>()).add(s);
      }
    }
    Await.until(Duration.ofSeconds(30), "subscribers subscribed", () -> subscribers.stream()
        .allMatch(ChaosSubscriber::subscribed));

    Producer entries = new Producer(channels);
    entries.startAt(200);
    Await.until(Duration.ofSeconds(60), "entries flowing through the leader", () -> subscribers.stream()
        .allMatch(s -> s.lastSeq() >= 20));
    // Frozen first, so that Redis hands it entries it will never acknowledge; then kill -9.
    freezeHoldingEntries(leader);
    leader.kill();
    Await.until(Duration.ofSeconds(60), "another node to take over", () -> survivors.stream()
        .anyMatch(n -> bridged(n, "stream", "published") > 0));
    int created = entries.created();
    Await.until(Duration.ofSeconds(60), "more entries after the takeover", () -> entries.created() >= created + 100);
    entries.stop();
    Await.until(Duration.ofSeconds(30), "every XADD answered", entries::settled);
    assertEquals(List.of(), entries.failures(), "XADD failures");

    Map<String, List<String>> ids = entries.ids();
    try {
      Await.until(Duration.ofSeconds(120), "every entry delivered on the surviving nodes", () -> channels.stream()
          .allMatch(c -> byChannel.get(c).stream().allMatch(s -> s.lastSeq() == ids.get(c).size())),
          () -> subscribers.stream().map(s -> s.lastSeq() + "").collect(Collectors.joining(",")) + " of "
              + channels.stream().map(c -> ids.get(c).size() + "").collect(Collectors.joining(",")));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; pending: " + cli("XPENDING", STREAM, StreamIngest.GROUP), e);
    }
    for (String channel : channels) {
      List<ChaosSubscriber> followers = byChannel.get(channel);
      String epoch = followers.get(0).epoch();
      Map<String, DeliveryChecker.Ack> applied = new HashMap<>();
      List<String> channelIds = ids.get(channel);
      for (int i = 0; i < channelIds.size(); i++) {
        applied.put("xs:" + channelIds.get(i), new DeliveryChecker.Ack(epoch, i + 1));
      }
      DeliveryChecker.Report report = DeliveryChecker.analyse(followers, applied);
      assertEquals(List.of(), report.problems(), channel + ": each entry once, in order, at the seq of its place");
      assertEquals(Set.of(epoch), report.epochs(), channel + " kept its epoch");
      for (ChaosSubscriber s : followers) {
        Map<Long, String> keyAt = new TreeMap<>();
        s.log().stream().filter(e -> e.kind() == ChaosSubscriber.Kind.PUB).forEach(e -> keyAt.put(e.seq(), e.key()));
        assertEquals(channelIds.stream().map(id -> "xs:" + id).toList(), new ArrayList<>(keyAt.values()),
            channel + ": the entries in stream order, each with its seq");
      }
    }
    Await.until(Duration.ofSeconds(30), "no entry pending", () -> pendingTotal() == 0,
        () -> cli("XPENDING", STREAM, StreamIngest.GROUP));
    assertTrue(leader.logText().contains("Redis bridge: this node ingests"), "the killed node had ingested");
  }

  /**
   * Freezes {@code node} (SIGSTOP) at a moment it holds entries it has not acknowledged: its blocking read was
   * under way, and Redis gave it the next entries. Frozen in the few microseconds between two reads, it holds
   * none: then it goes on and is frozen again.
   */
  private void freezeHoldingEntries(NodeProcess node) {
    for (int attempt = 1; ; attempt++) {
      node.pause();
      try {
        Await.until(Duration.ofSeconds(2), "entries pending with the frozen " + node.name,
            () -> pendingOf(node.name) > 0, () -> cli("XPENDING", STREAM, StreamIngest.GROUP));
        return;
      } catch (AssertionError e) {
        if (attempt == 5) {
          throw e;
        }
        node.resume();
        Await.until(Duration.ofSeconds(10), "the resumed leader reading again", () -> pendingTotal() == 0);
      }
    }
  }

  /** Entries pending with the consumer {@code name}. */
  private long pendingOf(String name) {
    List<String> lines = cli("XPENDING", STREAM, StreamIngest.GROUP).lines().toList();
    for (int i = 0; i + 1 < lines.size(); i++) {
      if (lines.get(i).equals(name)) {
        return Long.parseLong(lines.get(i + 1).trim());
      }
    }
    return 0;
  }

  private long pendingTotal() {
    return Long.parseLong(cli("XPENDING", STREAM, StreamIngest.GROUP).lines().findFirst().orElseThrow().trim());
  }

  /**
   * Adds entries to the demo stream at a steady pace, round-robin over the channels, each {@code {"data":i}},
   * and records each entry's id per channel in the order Redis gave them. Runs on the clients' event loop.
   */
  private final class Producer {
    private final List<String> channels;
    private final Map<String, List<String>> ids = new HashMap<>();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private int created;
    private int answered;
    private long timer = -1;

    Producer(List<String> channels) {
      this.channels = channels;
      channels.forEach(c -> ids.put(c, new ArrayList<>()));
    }

    void startAt(int perSecond) {
      CLIENTS.runOnContext(v -> timer = CLIENTS.setPeriodic(Math.max(1, 1000 / perSecond), t -> add()));
    }

    private void add() {
      int i;
      String channel;
      synchronized (this) {
        i = created++;
        channel = channels.get(i % channels.size());
      }
      producer.send(Request.cmd(Command.XADD).arg(STREAM).arg("*").arg("channel").arg(channel).arg("body")
          .arg("{\"data\":" + i + "}")).onComplete(ar -> {
            synchronized (this) {
              answered++;
              if (ar.succeeded()) {
                ids.get(channel).add(ar.result().toString());
              } else {
                failures.add(String.valueOf(ar.cause()));
              }
            }
          });
    }

    void stop() {
      CLIENTS.runOnContext(v -> CLIENTS.cancelTimer(timer));
      Await.result(io.vertx.core.Future.<Void>future(p -> CLIENTS.runOnContext(v -> p.complete())));
    }

    synchronized int created() {
      return created;
    }

    synchronized boolean settled() {
      return answered == created;
    }

    synchronized Map<String, List<String>> ids() {
      Map<String, List<String>> copy = new HashMap<>();
      ids.forEach((c, list) -> copy.put(c, List.copyOf(list)));
      return copy;
    }

    List<String> failures() {
      return List.copyOf(failures);
    }
  }
}
