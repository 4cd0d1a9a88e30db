package dev.syncwire.client;

import dev.syncwire.testing.Http;
import dev.syncwire.testing.Await;
import dev.syncwire.testing.HaproxyProcess;
import dev.syncwire.testing.NodeGroup;
import dev.syncwire.testing.NodeProcess;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Java client against three clustered nodes (each its own JVM, {@code cluster.backups} 1) behind a real
 * HAProxy in plain round-robin, on every transport: a subscriber and a publisher, both on HAProxy's URL.
 * Publications arrive in order and once across the cluster; when the subscriber's node is killed mid-stream
 * it reconnects through HAProxy on its own and the application still sees every acknowledged publication
 * once, in order, without a reset. The kill comes last: the tests run in order on one cluster.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JavaClientClusterIT {
  private static final List<String> TRANSPORTS = List.of("websocket", "sse", "longpoll");

  private static NodeGroup group;
  private static HaproxyProcess haproxy;
  private final List<SyncwireClient> clients = new ArrayList<>();

  @BeforeAll
  static void startCluster() {
    assumeTrue(HaproxyProcess.installed(), "haproxy is not installed (.ci/run installs it)");
    group = NodeGroup.startCluster(NodeProcess.Options.forTests(), "client", 3, Map.of("cluster.backups", "1"));
    haproxy = HaproxyProcess.start(group.nodes());
  }

  @AfterAll
  static void stopCluster() {
    if (haproxy != null) {
      haproxy.close();
    }
    if (group != null) {
      group.close();
    }
  }

  @AfterEach
  void closeClients() {
    clients.forEach(c -> Await.result(c.close()));
  }

  @Test
  @Order(1)
  void publicationsArriveInOrderAndOnceAcrossTheClusterOnEveryTransport() {
    List<Feed> feeds = new ArrayList<>();
    for (String transport : TRANSPORTS) {
      SyncwireClient subscriber = connectedTo(transport, node -> true);
      String home = node(subscriber);
      // The publisher's session lives on another node: every publication crosses the cluster.
      SyncwireClient publisher = connectedTo(transport, node -> !node.equals(home));
      feeds.add(new Feed(transport, subscriber, publisher, "order-" + transport, 200));
    }
    feeds.forEach(f -> Await.result(f.subscribe(f.channel).ready()));
    feeds.forEach(f -> {
      for (int i = 0; i < f.total; i++) {
        f.publishNext();
      }
    });
    for (Feed f : feeds) {
      f.awaitAcked(Duration.ofSeconds(60));
      f.assertEveryAckedPublicationOnceInOrder();
    }
  }

  @Test
  @Order(2)
  void aSubscriberWhoseNodeIsKilledMidStreamReconnectsThroughHaproxyAndMissesNothing() {
    group.awaitBackedUp();
    // Every transport's subscriber on one node, which also owns their channels: the kill takes the session
    // and the channel's primary copy at once, and the channel goes on from its backup.
    SyncwireClient first = connectedTo(TRANSPORTS.get(0), node -> true);
    String victim = node(first);
    List<Feed> feeds = new ArrayList<>();
    for (String transport : TRANSPORTS) {
      SyncwireClient subscriber = transport.equals(TRANSPORTS.get(0)) ? first
          : connectedTo(transport, victim::equals);
      SyncwireClient publisher = connectedTo(transport, node -> !node.equals(victim));
      Feed f = new Feed(transport, subscriber, publisher, null, 600);
      f.subscribeToAChannelOwnedBy(victim, "kill-" + transport);
      feeds.add(f);
    }
    // Each publisher hands over one publication every 10 ms, whatever happens to the cluster meanwhile.
    feeds.forEach(f -> f.publisher.vertx().setPeriodic(10, timer -> {
      if (!f.publishNext()) {
        f.publisher.vertx().cancelTimer(timer);
      }
    }));
    // The kill comes with two thirds still to be handed over, once publications flow on every transport.
    Await.until(Duration.ofSeconds(60), "a third handed over and 50 acknowledged on every transport",
        () -> feeds.stream().allMatch(f -> f.handedOver.get() >= f.total / 3 && f.acked.get() >= 50), feeds::toString);
    group.node(victim).kill();

    for (Feed f : feeds) {
      f.awaitAcked(Duration.ofSeconds(90));
      f.assertEveryAckedPublicationOnceInOrder();
      String now = node(f.subscriber);
      assertNotEquals(victim, now, f.transport + ": reconnected to a live node");
      assertTrue(group.live().stream().anyMatch(n -> n.name.equals(now)), f.transport + ": on " + now);
      List<StateEvent> events = List.copyOf(f.states);
      assertTrue(events.stream().anyMatch(e -> e.state().equals("connecting")), f.transport + ": lost its node: " + events);
      StateEvent last = events.get(events.size() - 1);
      assertEquals(List.of("connected", f.transport), List.of(last.state(), last.transport()),
          f.transport + ": connected again: " + events);
    }
  }

  /** A subscriber and a publisher of one channel on one transport, and what each has seen so far. */
  private static final class Feed {
    final String transport;
    final SyncwireClient subscriber;
    final SyncwireClient publisher;
    final int total;
    final Queue<Publication> got = new ConcurrentLinkedQueue<>();
    final Queue<Reset> resets = new ConcurrentLinkedQueue<>();
    final Queue<StateEvent> states = new ConcurrentLinkedQueue<>();
    final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    final AtomicReferenceArray<Future<Ack>> acks;
    final AtomicInteger handedOver = new AtomicInteger();
    final AtomicInteger acked = new AtomicInteger();
    String channel;
    Subscription subscription;

    Feed(String transport, SyncwireClient subscriber, SyncwireClient publisher, String channel, int total) {
      this.transport = transport;
      this.subscriber = subscriber;
      this.publisher = publisher;
      this.channel = channel;
      this.total = total;
      this.acks = new AtomicReferenceArray<>(total);
      subscriber.onState(states::add);
    }

    Subscription subscribe(String name) {
      channel = name;
      subscription = subscriber.subscribe(name, got::add).onReset(resets::add);
      return subscription;
    }

    /** Subscribes to the first of {@code prefix}-0, -1, ... that {@code owner} owns (subscribing creates it). */
    void subscribeToAChannelOwnedBy(String owner, String prefix) {
      for (int i = 0; i < 30; i++) {
        Subscription s = subscribe(prefix + "-" + i);
        Await.result(s.ready());
        if (owner.equals(group.live().get(0).ownerOf(channel))) {
          return;
        }
        Await.result(s.unsubscribe());
      }
      throw new AssertionError("none of 30 channels " + prefix + "-* is owned by " + owner);
    }

    /** Hands the next publication to the publisher; false once all were. */
    boolean publishNext() {
      int n = handedOver.getAndIncrement();
      if (n >= total) {
        return false;
      }
      Future<Ack> ack = publisher.publish(channel, new JsonObject().put("n", n), key(n));
      ack.onSuccess(a -> acked.incrementAndGet()).onFailure(failures::add);
      acks.set(n, ack);
      return true;
    }

    String key(int n) {
      return transport + "-" + n;
    }

    void awaitAcked(Duration timeout) {
      Await.until(timeout, transport + ": every publication acknowledged",
          () -> acked.get() == total || !failures.isEmpty(), this::toString);
      assertEquals(List.of(), List.copyOf(failures), transport + ": publishes that failed");
    }

    /**
     * Every publication was acknowledged at the next position of one epoch, in publish order; one more
     * publication marks the end, and once it arrived the subscriber must have had each of them exactly
     * once, in order, and no reset.
     */
    void assertEveryAckedPublicationOnceInOrder() {
      String epoch = acks.get(0).result().epoch();
      for (int n = 0; n < total; n++) {
        Ack ack = acks.get(n).result();
        assertEquals(n + 1L, ack.seq(), transport + ": the position of publication " + n);
        assertEquals(epoch, ack.epoch(), transport + ": one epoch");
      }
      Ack end = Await.result(publisher.publish(channel, "end", transport + "-end"));
      assertEquals(total + 1L, end.seq(), transport + ": the end marker's position");
      Await.until(Duration.ofSeconds(30), transport + ": the subscriber at the end marker",
          () -> subscription.position() != null && subscription.position().seq() >= end.seq(), this::toString);
      List<Publication> seen = List.copyOf(got);
      assertEquals(List.of(), List.copyOf(resets), transport + ": resets");
      assertEquals(total + 1, seen.size(), transport + ": publications seen");
      for (int n = 0; n <= total; n++) {
        Publication p = seen.get(n);
        assertEquals(n + 1L, p.seq(), transport + ": in order, once");
        assertEquals(epoch, p.epoch(), transport + ": one epoch");
        assertEquals(n < total ? key(n) : transport + "-end", p.key(), transport + ": publication " + (n + 1));
        if (n < total) {
          assertEquals(new JsonObject().put("n", n), p.data(), transport + ": data of publication " + (n + 1));
        }
      }
      assertEquals(new Position(epoch, total + 1L), subscription.position(), transport);
      assertEquals(0, publisher.pending(), transport + ": nothing left in the publisher's outbox");
    }

    @Override
    public String toString() {
      return transport + ": handed over " + Math.min(handedOver.get(), total) + ", acked " + acked.get()
          + ", seen " + got.size() + " up to " + (subscription == null ? null : subscription.position())
          + ", subscriber on " + node(subscriber)
          + ", states " + states + ", resets " + resets + ", failures " + failures;
    }
  }

  /**
   * A client of {@code transport} connected through HAProxy to a node {@code where} accepts. HAProxy picks the
   * node; a client that landed elsewhere is closed and another one tried, after a random number of requests
   * that move HAProxy's rotation on (a fixed count of requests per attempt could keep landing on one node).
   */
  private SyncwireClient connectedTo(String transport, Predicate<String> where) {
    List<String> landed = new ArrayList<>();
    for (int attempt = 0; attempt < 30; attempt++) {
      // The client's default liveness: a long poll that another node relays to a home that then dies is
      // answered session_not_found as soon as the cluster drops that member, not when the relay times out.
      SyncwireClient c = SyncwireClient.builder("http://127.0.0.1:" + haproxy.port).tenant("demo")
          .transports(List.of(transport)).baseDelayMs(200).jitterMs(200).maxDelayMs(2000).maxAttempts(0).build();
      clients.add(c);
      Await.result(c.connect());
      assertEquals(transport, c.transport());
      String node = node(c);
      if (where.test(node)) {
        return c;
      }
      landed.add(node);
      Await.result(c.close());
      clients.remove(c);
      for (int i = ThreadLocalRandom.current().nextInt(3); i > 0; i--) {
        haproxyHealth();
      }
    }
    throw new AssertionError("no " + transport + " client landed on the node wanted; they landed on " + landed);
  }

  private static String node(SyncwireClient c) {
    JsonObject session = c.session();
    return session == null ? null : session.getString("node");
  }

  private static void haproxyHealth() {
    Http.send(Http.request(haproxy.port, "/health").timeout(Duration.ofSeconds(5)));
  }
}
