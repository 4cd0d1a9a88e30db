package dev.syncwire.cluster;

import dev.syncwire.testing.Await;
import dev.syncwire.testing.ChaosPublisher;
import dev.syncwire.testing.ChaosSubscriber;
import dev.syncwire.testing.DeliveryChecker;
import dev.syncwire.testing.NodeGroup;
import dev.syncwire.testing.NodeProcess;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several nodes, each in its own JVM started from the jar with {@code -cluster}, on loopback; real
 * WebSocket clients on every node. Failures are real: {@code kill -9}, SIGTERM, a node joining.
 */
class ClusterIT {
  private static final Vertx CLIENTS = TestNode.clientVertx();
  /** The default {@code history.size}: publications a channel keeps for subscribers that fell behind. */
  private static final int HISTORY_SIZE = 5000;
  /**
   * Publications each publisher still makes after the failure or the stop: the event always falls in
   * the middle of the load, however long a loaded machine takes to get there.
   */
  private static final int TAIL = 100;

  /** Up to four members; node {@code i} is the {@code i}-th started. */
  private final NodeGroup group = NodeGroup.cluster(NodeProcess.Options.forTests(), "it", 4);
  private final List<ChaosSubscriber> subscribers = new ArrayList<>();
  private final List<ChaosPublisher> publishers = new ArrayList<>();

  private NodeProcess node(int index, Map<String, String> extra) {
    Map<String, String> settings = new HashMap<>(Map.of("cluster.announceIntervalMs", "500", "cluster.repairDelayMs", "100",
        "history.size", Integer.toString(HISTORY_SIZE)));
    settings.putAll(extra);
    return group.start("node" + index, settings);
  }

  private List<NodeProcess> startNodes(int count, Map<String, String> extra) {
    List<NodeProcess> started = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      started.add(node(i, extra));
    }
    started.forEach(NodeProcess::awaitReady);
    group.awaitBackedUp();
    return started;
  }

  private List<Integer> ports(List<NodeProcess> ns) {
    return ns.stream().map(n -> n.port).collect(Collectors.toList());
  }

  @AfterEach
  void stopEverything() {
    publishers.forEach(ChaosPublisher::close);
    subscribers.forEach(ChaosSubscriber::stop);
    group.close();
  }

  private void awaitSubscribed() {
    Await.until(Duration.ofSeconds(30), "subscribers subscribed", () -> subscribers.stream().allMatch(ChaosSubscriber::subscribed));
  }

  /** The node that owns {@code channel} now (the channel must exist). */
  private static NodeProcess ownerOf(List<NodeProcess> ns, String channel) {
    String ownerName = ns.get(0).ownerOf(channel);
    return ns.stream().filter(n -> n.name.equals(ownerName)).findFirst()
        .orElseThrow(() -> new AssertionError("owner " + ownerName + " of " + channel + " is none of the nodes"));
  }

  /** Creates {@code channel} (a subscribe does) without leaving anyone subscribed. */
  private static void create(NodeProcess on, String channel) {
    try (WsClient probe = WsClient.open(CLIENTS, on.port)) {
      probe.connectAnonymous("demo");
      probe.subscribe(channel);
    }
  }

  /** Waits until every publisher has had at least {@code n} publications acknowledged. */
  private void awaitAcked(int n, String when) {
    Await.until(Duration.ofSeconds(60), "every publisher to have " + n + " publications acknowledged " + when,
        () -> publishers.stream().allMatch(p -> p.acked().size() >= n), publishers::toString);
  }

  /** How many publications each publisher had created at this moment. */
  private Map<ChaosPublisher, Integer> createdNow() {
    Map<ChaosPublisher, Integer> created = new HashMap<>();
    publishers.forEach(p -> created.put(p, p.created()));
    return created;
  }

  /**
   * Waits until each publisher has created its {@code limit} publications and has had each acknowledged,
   * then until every subscriber holds a position at or past the last of them; returns what was
   * acknowledged. Publishers that were refused something, or got one key acknowledged at two positions,
   * fail the test.
   */
  private Map<String, DeliveryChecker.Ack> awaitAllAcknowledgedAndDelivered(Duration wait) {
    Map<String, DeliveryChecker.Ack> acked = ChaosPublisher.awaitEveryAck(publishers, wait);
    Set<String> epochs = acked.values().stream().map(DeliveryChecker.Ack::epoch).collect(Collectors.toSet());
    assertEquals(1, epochs.size(), "acknowledged in one epoch: " + epochs);
    String epoch = epochs.iterator().next();
    long last = acked.values().stream().mapToLong(DeliveryChecker.Ack::seq).max().orElseThrow();
    try {
      Await.until(wait, "every subscriber subscribed at " + epoch + "/" + last + " or past it",
          () -> subscribers.stream().allMatch(s -> s.subscribed() && epoch.equals(s.epoch()) && s.lastSeq() >= last));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; delivery problems: " + DeliveryChecker.check(subscribers, acked), e);
    }
    return acked;
  }

  @Test
  void threeNodesGiveEverySubscriberOneSequenceAndCrossTheNetworkOncePerNode() throws InterruptedException {
    List<NodeProcess> ns = startNodes(3, Map.of());
    List<Integer> ports = ports(ns);
    for (NodeProcess n : ns) {
      for (int i = 0; i < 5; i++) {
        subscribers.add(new ChaosSubscriber(CLIENTS, ports, n.port, "orders"));
      }
    }
    awaitSubscribed();
    int perPublisher = 200;
    List<WsClient> pubs = new ArrayList<>();
    for (NodeProcess n : ns) {
      WsClient c = WsClient.open(CLIENTS, n.port);
      c.connectAnonymous("demo");
      pubs.add(c);
    }
    // Publisher threads only record; the assertions run here once they are done.
    Map<String, JsonObject> replies = new ConcurrentHashMap<>();
    Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < pubs.size(); p++) {
      WsClient c = pubs.get(p);
      int pid = p;
      threads.add(new Thread(() -> {
        try {
          for (int i = 0; i < perPublisher; i++) {
            String key = "p" + pid + "-" + i;
            replies.put(key, c.request(new JsonObject().put("type", "publish").put("channel", "orders").put("key", key)
                .put("data", new JsonObject().put("n", i))));
          }
        } catch (Throwable t) {
          failures.add(t);
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join(120_000);
      assertFalse(t.isAlive(), "a publisher thread still runs after 120 s");
    }
    assertEquals(List.of(), List.copyOf(failures), "publisher threads failed");
    int total = perPublisher * pubs.size();
    assertEquals(total, replies.size());
    Map<String, DeliveryChecker.Ack> acked = new HashMap<>();
    replies.forEach((key, reply) -> {
      assertEquals("ack", reply.getString("type"), key + ": " + reply.encode());
      assertEquals(false, reply.getBoolean("duplicate"), key + ": " + reply.encode());
      acked.put(key, new DeliveryChecker.Ack(reply.getString("epoch"), reply.getLong("seq")));
    });
    assertEquals(total, acked.values().stream().map(DeliveryChecker.Ack::seq).distinct().count(), "one sequence: every seq given once");
    assertEquals(1, acked.values().stream().map(DeliveryChecker.Ack::epoch).distinct().count(), "one epoch");
    Await.until(Duration.ofSeconds(30), "all delivered", () -> subscribers.stream().allMatch(s -> s.lastSeq() == total));
    assertEquals(List.of(), DeliveryChecker.check(subscribers, acked));
    for (ChaosSubscriber s : subscribers) {
      List<Long> seqs = s.log().stream().filter(e -> e.kind() == ChaosSubscriber.Kind.PUB).map(ChaosSubscriber.Entry::seq)
          .toList();
      assertEquals(total, seqs.size());
      for (int i = 0; i < total; i++) {
        assertEquals(i + 1L, seqs.get(i));
      }
    }
    // Cross-node traffic: each publication crossed to each of the two other nodes once, however many
    // subscribers they have (5 each here; per-subscriber sending would be 10 messages per publication).
    JsonArray stats = ns.get(0).nodes();
    long sent = 0;
    for (Object o : stats) {
      JsonObject node = (JsonObject) o;
      sent += node.getLong("fanoutSent");
      assertEquals(2L * perPublisher, node.getLong("fanoutReceived"), "publications of the other two nodes: " + node);
    }
    assertEquals(2L * total, sent, "one message per publication per other node: " + stats);
    pubs.forEach(WsClient::close);
  }

  @Test
  void killMinus9OfTheOwnerUnderLoadLosesNoAcknowledgedPublication() {
    List<NodeProcess> ns = startNodes(3, Map.of("cluster.backups", "1"));
    List<Integer> ports = ports(ns);
    String channel = "payments";
    create(ns.get(0), channel);
    NodeProcess owner = ownerOf(ns, channel);
    List<NodeProcess> survivors = ns.stream().filter(n -> n != owner).toList();
    List<ChaosSubscriber> ownersSubscribers = new ArrayList<>();
    for (NodeProcess n : ns) {
      for (int i = 0; i < 3; i++) {
        ChaosSubscriber s = new ChaosSubscriber(CLIENTS, ports, n.port, channel);
        subscribers.add(s);
        if (n == owner) {
          ownersSubscribers.add(s);
        }
      }
    }
    awaitSubscribed();
    // Load across the failover, capped so that the whole run stays within the channel's history: then
    // any subscriber that fell behind (the owner's, while they move) must recover, never be reset.
    publishers.add(new ChaosPublisher(CLIENTS, ports, survivors.get(0).port, channel, "a", 20));
    publishers.add(new ChaosPublisher(CLIENTS, ports, survivors.get(1).port, channel, "b", 20));
    publishers.add(new ChaosPublisher(CLIENTS, ports, owner.port, channel, "c", 20));
    awaitAcked(20, "before the kill");
    group.awaitBackedUp();
    owner.kill();
    publishers.forEach(p -> p.finishAfter(TAIL));
    int total = publishers.stream().mapToInt(ChaosPublisher::limit).sum();
    assertTrue(total < HISTORY_SIZE, "the run's publications fit in history: " + total);

    Map<String, DeliveryChecker.Ack> acked = awaitAllAcknowledgedAndDelivered(Duration.ofSeconds(120));
    assertEquals(total, acked.size());
    DeliveryChecker.Report report = DeliveryChecker.analyse(subscribers, acked);
    assertEquals(List.of(), report.problems());
    assertEquals(List.of(), report.resetsDespiteHistory(HISTORY_SIZE),
        "subscribers reset although what they missed was still in history");
    assertEquals(Set.of(acked.values().iterator().next().epoch()), report.epochs(),
        "the channel kept its epoch across the failover (epochs of subscribed replies and publications)");
    for (ChaosSubscriber s : ownersSubscribers) {
      assertTrue(s.reconnects() > 0, "the owner's subscriber moved to another node");
      assertTrue(s.log().stream().anyMatch(e -> e.kind() == ChaosSubscriber.Kind.SUBSCRIBED && e.recovered()),
          "the owner's subscriber resubscribed with since and recovered: " + s.log());
    }
  }

  /** {@code POST /api/v1/disconnect} on one node closes the user's sessions on every node, and only theirs. */
  @Test
  void anAdminDisconnectReachesEveryNode() {
    List<NodeProcess> ns = startNodes(2, Map.of());
    // conf/node.json's example tenant.
    String secret = "acme-example-secret-change-me-0123456789";
    try (WsClient aliceOn0 = WsClient.open(CLIENTS, ns.get(0).port);
         WsClient aliceOn1 = WsClient.open(CLIENTS, ns.get(1).port);
         WsClient bobOn1 = WsClient.open(CLIENTS, ns.get(1).port)) {
      aliceOn0.connectToken(dev.syncwire.testing.Tokens.hs256(secret, dev.syncwire.testing.Tokens.claims("acme", "alice")));
      aliceOn1.connectToken(dev.syncwire.testing.Tokens.hs256(secret, dev.syncwire.testing.Tokens.claims("acme", "alice")));
      bobOn1.connectToken(dev.syncwire.testing.Tokens.hs256(secret, dev.syncwire.testing.Tokens.claims("acme", "bob")));
      var answer = ns.get(0).adminPost("/api/v1/disconnect", "{\"tenant\":\"acme\",\"user\":\"alice\"}");
      assertEquals(200, answer.statusCode(), answer.body());
      assertEquals(2, new JsonObject(answer.body()).getInteger("disconnected"));
      assertEquals((short) 4003, aliceOn0.awaitClose());
      assertEquals((short) 4003, aliceOn1.awaitClose());
      assertEquals("pong", bobOn1.request(new JsonObject().put("type", "ping")).getString("type"));
    }
  }

  /**
   * SIGTERM drains a node under load: its clients are told to come back at delays spread over
   * {@code drain.periodMs}, so they reconnect to the other nodes in a trickle, and nothing acknowledged is lost.
   */
  @Test
  void drainingANodeUnderLoadSpreadsItsReconnectsAndLosesNothing() {
    long periodMs = 10_000;
    List<NodeProcess> ns = startNodes(3, Map.of("drain.periodMs", Long.toString(periodMs)));
    List<Integer> ports = new ArrayList<>(ports(ns));
    String channel = "drained";
    int onDrained = 40;
    for (int i = 0; i < onDrained; i++) {
      subscribers.add(new ChaosSubscriber(CLIENTS, ports, ns.get(0).port, channel));
    }
    for (int i = 0; i < 4; i++) {
      subscribers.add(new ChaosSubscriber(CLIENTS, ports, ns.get(1 + i % 2).port, channel));
    }
    awaitSubscribed();
    publishers.add(new ChaosPublisher(CLIENTS, ports, ns.get(1).port, channel, "p", 20));
    publishers.add(new ChaosPublisher(CLIENTS, ports, ns.get(2).port, channel, "q", 20));
    awaitAcked(15, "before the drain");
    long drainStart = System.nanoTime();
    ns.get(0).terminate();
    assertEquals(0, ns.get(0).awaitExit(Duration.ofMillis(periodMs + 5_000 + 5_000)), "the drained node's exit status");
    publishers.forEach(p -> p.finishAfter(TAIL));
    int total = publishers.stream().mapToInt(ChaosPublisher::limit).sum();
    assertTrue(total < HISTORY_SIZE, "the run's publications fit in history: " + total);

    Map<String, DeliveryChecker.Ack> acked = awaitAllAcknowledgedAndDelivered(Duration.ofSeconds(120));
    assertEquals(total, acked.size());
    DeliveryChecker.Report report = DeliveryChecker.analyse(subscribers, acked);
    assertEquals(List.of(), report.problems());
    assertEquals(List.of(), report.resets(), "a drain never resets anyone");
    List<ChaosSubscriber> drained = subscribers.subList(0, onDrained);
    assertTrue(drained.stream().allMatch(s -> !s.reconnectedAt().isEmpty()), "every client of the drained node came back");
    // Reconnects per one-second window since the drain began: none may hold more than 15 %.
    Map<Long, Long> perSecond = drained.stream().map(s -> s.reconnectedAt().get(0))
        .collect(Collectors.groupingBy(t -> (t - drainStart) / 1_000_000_000L, Collectors.counting()));
    long busiest = perSecond.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    assertTrue(busiest <= onDrained * 15 / 100, "reconnects per second: " + new java.util.TreeMap<>(perSecond));
  }

  @Test
  void gracefulStopAndANodeJoiningUnderLoadLoseNothing() {
    List<NodeProcess> ns = startNodes(2, Map.of());
    List<Integer> ports = new ArrayList<>(ports(ns));
    String channel = "inventory";
    for (NodeProcess n : ns) {
      for (int i = 0; i < 3; i++) {
        subscribers.add(new ChaosSubscriber(CLIENTS, ports, n.port, channel));
      }
    }
    awaitSubscribed();
    // Within history, as above: nobody may be reset, whatever the timing.
    publishers.add(new ChaosPublisher(CLIENTS, ports, ns.get(0).port, channel, "x", 15));
    publishers.add(new ChaosPublisher(CLIENTS, ports, ns.get(1).port, channel, "y", 15));
    awaitAcked(15, "before the join");
    Map<ChaosPublisher, Integer> createdBeforeJoin = createdNow();
    NodeProcess joiner = node(2, Map.of()).awaitReady();
    group.awaitBackedUp();
    Map<ChaosPublisher, Integer> createdBeforeStop = createdNow();
    ns.get(0).stop();
    assertFalse(ns.get(0).alive(), "the stopped node exited");
    publishers.forEach(p -> {
      assertTrue(createdBeforeStop.get(p) > createdBeforeJoin.get(p), "publishing went on while the node joined");
      p.finishAfter(TAIL);
    });
    int total = publishers.stream().mapToInt(ChaosPublisher::limit).sum();
    assertTrue(total < HISTORY_SIZE, "the run's publications fit in history: " + total);

    Map<String, DeliveryChecker.Ack> acked = awaitAllAcknowledgedAndDelivered(Duration.ofSeconds(120));
    assertTrue(joiner.alive());
    assertEquals(total, acked.size());
    DeliveryChecker.Report report = DeliveryChecker.analyse(subscribers, acked);
    assertEquals(List.of(), report.problems());
    assertEquals(List.of(), report.resets(), "a graceful stop and a join never reset anyone");
    assertEquals(1, report.epochs().size(), "one epoch: " + report.epochs());
    assertTrue(subscribers.subList(0, 3).stream().allMatch(s -> s.reconnects() > 0),
        "the stopped node's subscribers moved to other nodes");
  }

  @Test
  void withoutBackupsLosingTheOwnerStartsANewEpochAndSubscribersAreReset() {
    List<NodeProcess> ns = startNodes(3, Map.of("cluster.backups", "0"));
    String channel = "volatile";
    create(ns.get(0), channel);
    NodeProcess owner = ownerOf(ns, channel);
    NodeProcess other = ns.stream().filter(n -> n != owner).findFirst().orElseThrow();
    try (WsClient sub = WsClient.open(CLIENTS, other.port); WsClient pub = WsClient.open(CLIENTS, other.port)) {
      sub.connectAnonymous("demo");
      pub.connectAnonymous("demo");
      String epoch = sub.subscribe(channel).getString("epoch");
      for (int i = 0; i < 5; i++) {
        assertEquals(i + 1L, pub.publish(channel, i).getLong("seq"));
      }
      sub.pubs(channel, 5);
      owner.kill();
      // The member is dropped after Hazelcast's heartbeat timeout: wait longer than a client's usual frame wait.
      JsonObject reset = awaitPush(sub, f -> "reset".equals(f.getString("type")), Duration.ofSeconds(60));
      assertEquals(channel, reset.getString("channel"));
      assertEquals("epoch_changed", reset.getString("reason"));
      JsonObject again = sub.request(new JsonObject().put("type", "subscribe").put("channel", channel)
          .put("since", new JsonObject().put("epoch", epoch).put("seq", 5)));
      assertEquals("subscribed", again.getString("type"), again.encode());
      assertEquals(false, again.getBoolean("recovered"));
      assertNotEquals(epoch, again.getString("epoch"), "a new epoch");
      assertEquals(0L, again.getLong("seq"), "its log restarted");
      JsonObject ack = pub.publish(channel, "after");
      assertEquals(1L, ack.getLong("seq"));
      assertEquals(again.getString("epoch"), ack.getString("epoch"), "the publish continued the resubscribed channel");
      // The subscriber's node stopped following the channel at the reset and followed it again at the
      // resubscribe; the removal of its first follow, retried while partitions migrate, can land after
      // the second's subscribe: it must not take the node off the channel's followers.
      assertEquals("after", sub.pubs(channel, 1).get(0).getString("data"));
    }
  }

  /** The first frame matching {@code match} within {@code timeout}; frames before it are dropped. */
  private static JsonObject awaitPush(WsClient client, Predicate<JsonObject> match, Duration timeout) {
    List<JsonObject> skipped = new ArrayList<>();
    JsonObject[] found = new JsonObject[1];
    try {
      Await.until(timeout, "a matching frame", () -> {
        JsonObject f = client.poll(100);
        if (f != null && match.test(f)) {
          found[0] = f;
        } else if (f != null) {
          skipped.add(f);
        }
        return found[0] != null;
      });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; frames received meanwhile: " + skipped, e);
    }
    return found[0];
  }
}
