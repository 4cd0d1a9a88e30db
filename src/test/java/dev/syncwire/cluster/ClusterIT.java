package dev.syncwire.cluster;

import dev.syncwire.bench.FreePorts;

import dev.syncwire.testing.Await;
import dev.syncwire.testing.ChaosPublisher;
import dev.syncwire.testing.ChaosSubscriber;
import dev.syncwire.testing.DeliveryChecker;
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
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several nodes, each in its own JVM started from the jar with {@code -cluster}, on loopback; real
 * WebSocket clients on every node. Failures are real: {@code kill -9}, SIGTERM, a node joining.
 */
class ClusterIT {
  private static final Vertx CLIENTS = TestNode.clientVertx();
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final List<ChaosSubscriber> subscribers = new ArrayList<>();
  private final List<ChaosPublisher> publishers = new ArrayList<>();
  private final String cluster = "it-" + UUID.randomUUID();
  private final int hazelcastBase = FreePorts.block(4);
  private final String members = "127.0.0.1:" + hazelcastBase + ",127.0.0.1:" + (hazelcastBase + 1) + ",127.0.0.1:"
      + (hazelcastBase + 2) + ",127.0.0.1:" + (hazelcastBase + 3);

  private NodeProcess node(int index, Map<String, String> extra) {
    Map<String, String> settings = new HashMap<>(Map.of("cluster.announceIntervalMs", "500", "cluster.repairDelayMs", "100"));
    settings.putAll(extra);
    NodeProcess n = NodeProcess.start("node" + index, cluster, hazelcastBase + index, members, settings);
    nodes.add(n);
    return n;
  }

  private List<NodeProcess> startNodes(int count, Map<String, String> extra) {
    List<NodeProcess> started = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      started.add(node(i, extra));
    }
    started.forEach(NodeProcess::awaitReady);
    NodeProcess.awaitBackedUp(started);
    return started;
  }

  private List<Integer> ports(List<NodeProcess> ns) {
    return ns.stream().map(n -> n.port).collect(Collectors.toList());
  }

  @AfterEach
  void stopEverything() {
    publishers.forEach(ChaosPublisher::close);
    subscribers.forEach(ChaosSubscriber::stop);
    nodes.forEach(NodeProcess::close);
  }

  private void awaitSubscribed() {
    Await.until(Duration.ofSeconds(30), "subscribers subscribed", () -> subscribers.stream().allMatch(ChaosSubscriber::subscribed));
  }

  private Map<String, Long> drainAndCollect(Duration wait) {
    publishers.forEach(ChaosPublisher::stopPublishing);
    Await.until(wait, "publishers' pending publishes acknowledged", () -> publishers.stream().allMatch(p -> p.pending() == 0));
    Map<String, Long> acked = new HashMap<>();
    publishers.forEach(p -> {
      assertTrue(p.conflicts().isEmpty(), "a key acknowledged with two seqs: " + p.conflicts());
      acked.putAll(p.acked());
    });
    long last = acked.values().stream().mapToLong(Long::longValue).max().orElse(0);
    Await.until(wait, "subscribers to reach seq " + last, () -> subscribers.stream().allMatch(s -> s.lastSeq() >= last));
    return acked;
  }

  @Test
  void threeNodesGiveEverySubscriberOneSequenceAndCrossTheNetworkOncePerNode() {
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
    List<Thread> threads = new ArrayList<>();
    Map<String, Long> acked = new java.util.concurrent.ConcurrentHashMap<>();
    for (int p = 0; p < pubs.size(); p++) {
      WsClient c = pubs.get(p);
      int pid = p;
      threads.add(new Thread(() -> {
        for (int i = 0; i < perPublisher; i++) {
          String key = "p" + pid + "-" + i;
          JsonObject ack = c.request(new JsonObject().put("type", "publish").put("channel", "orders").put("key", key)
              .put("data", new JsonObject().put("n", i)));
          acked.put(key, ack.getLong("seq"));
        }
      }));
    }
    threads.forEach(Thread::start);
    threads.forEach(t -> {
      try {
        t.join();
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    });
    int total = perPublisher * pubs.size();
    assertEquals(total, acked.values().stream().distinct().count(), "one sequence: every seq given once");
    Await.until(Duration.ofSeconds(30), "all delivered", () -> subscribers.stream().allMatch(s -> s.lastSeq() == total));
    assertEquals(List.of(), DeliveryChecker.check(subscribers, acked));
    for (ChaosSubscriber s : subscribers) {
      List<Long> seqs = s.log().stream().map(ChaosSubscriber.Entry::seq).toList();
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
    ns.get(0).admin("/api/v1/nodes");
    try (WsClient probe = WsClient.open(CLIENTS, ns.get(0).port)) {
      probe.connectAnonymous("demo");
      probe.subscribe(channel);
    }
    String ownerName = ns.get(0).ownerOf(channel);
    NodeProcess owner = ns.stream().filter(n -> n.name.equals(ownerName)).findFirst().orElseThrow();
    List<NodeProcess> survivors = ns.stream().filter(n -> n != owner).toList();
    for (NodeProcess n : ns) {
      for (int i = 0; i < 3; i++) {
        subscribers.add(new ChaosSubscriber(CLIENTS, ports, n.port, channel));
      }
    }
    awaitSubscribed();
    publishers.add(new ChaosPublisher(CLIENTS, ports, survivors.get(0).port, channel, "a", 250));
    publishers.add(new ChaosPublisher(CLIENTS, ports, survivors.get(1).port, channel, "b", 250));
    publishers.add(new ChaosPublisher(CLIENTS, ports, owner.port, channel, "c", 100));
    sleep(2000);
    owner.kill();
    sleep(12_000);
    Map<String, Long> acked = drainAndCollect(Duration.ofSeconds(60));
    assertTrue(acked.size() > 5000, "steady load: " + acked.size());
    assertEquals(List.of(), DeliveryChecker.check(subscribers, acked));
    assertTrue(subscribers.stream().anyMatch(s -> s.reconnects() > 0), "the owner's subscribers moved to other nodes");
    long epochs = subscribers.stream().flatMap(s -> s.log().stream()).map(ChaosSubscriber.Entry::epoch).distinct().count();
    assertEquals(1, epochs, "the channel kept its epoch across the failover");
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
    publishers.add(new ChaosPublisher(CLIENTS, ports, ns.get(0).port, channel, "x", 200));
    publishers.add(new ChaosPublisher(CLIENTS, ports, ns.get(1).port, channel, "y", 200));
    sleep(1500);
    NodeProcess joiner = node(2, Map.of()).awaitReady();
    Await.until(Duration.ofSeconds(60), "3 members", () -> ns.get(0).info().getJsonArray("members").size() == 3);
    sleep(3000);
    ns.get(0).stop();
    sleep(4000);
    Map<String, Long> acked = drainAndCollect(Duration.ofSeconds(60));
    assertTrue(joiner.alive());
    assertTrue(acked.size() > 2000, "steady load: " + acked.size());
    assertEquals(List.of(), DeliveryChecker.check(subscribers, acked));
    assertTrue(subscribers.stream().noneMatch(s -> s.log().stream().anyMatch(e -> e.kind().equals("reset"))),
        "a graceful stop and a join never reset anyone");
  }

  @Test
  void withoutBackupsLosingTheOwnerStartsANewEpochAndSubscribersAreReset() {
    List<NodeProcess> ns = startNodes(3, Map.of("cluster.backups", "0"));
    String channel = "volatile";
    try (WsClient probe = WsClient.open(CLIENTS, ns.get(0).port)) {
      probe.connectAnonymous("demo");
      probe.subscribe(channel);
    }
    String ownerName = ns.get(0).ownerOf(channel);
    NodeProcess owner = ns.stream().filter(n -> n.name.equals(ownerName)).findFirst().orElseThrow();
    NodeProcess other = ns.stream().filter(n -> n != owner).findFirst().orElseThrow();
    try (WsClient sub = WsClient.open(CLIENTS, other.port); WsClient pub = WsClient.open(CLIENTS, other.port)) {
      sub.connectAnonymous("demo");
      pub.connectAnonymous("demo");
      String epoch = sub.subscribe(channel).getString("epoch");
      for (int i = 0; i < 5; i++) {
        pub.publish(channel, i);
      }
      sub.pubs(channel, 5);
      owner.kill();
      JsonObject reset = sub.awaitFrame(f -> "reset".equals(f.getString("type")));
      assertEquals(channel, reset.getString("channel"));
      JsonObject again = sub.request(new JsonObject().put("type", "subscribe").put("channel", channel)
          .put("since", new JsonObject().put("epoch", epoch).put("seq", 5)));
      assertEquals(false, again.getBoolean("recovered"));
      assertTrue(!epoch.equals(again.getString("epoch")), "a new epoch");
      assertEquals(0L, again.getLong("seq"), "its log restarted");
      assertEquals(1L, pub.publish(channel, "after").getLong("seq"));
      assertEquals("after", sub.pubs(channel, 1).get(0).getString("data"));
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
