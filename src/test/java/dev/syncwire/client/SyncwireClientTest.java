package dev.syncwire.client;

import dev.syncwire.testing.Http;
import dev.syncwire.testing.Await;
import dev.syncwire.testing.FreePorts;
import dev.syncwire.testing.TcpProxy;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.Tokens;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client against a real node in this JVM: transports, resume after a cut, state, the outbox, refusals. */
class SyncwireClientTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static TestNode node;
  private final List<SyncwireClient> clients = new ArrayList<>();
  private final List<AutoCloseable> others = new ArrayList<>();

  @BeforeAll
  static void startNode() {
    node = TestNode.start();
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  @AfterEach
  void closeClients() throws Exception {
    for (SyncwireClient c : clients) {
      Await.result(c.close());
    }
    for (AutoCloseable c : others) {
      c.close();
    }
  }

  private String url() {
    return "http://127.0.0.1:" + node.port();
  }

  private SyncwireClient client(String url, UnaryOperator<SyncwireClient.Builder> options) {
    SyncwireClient c = options.apply(SyncwireClient.builder(url).tenant("demo").baseDelayMs(50).jitterMs(50)
        .maxDelayMs(500)).build();
    clients.add(c);
    return c;
  }

  private SyncwireClient client(String transport) {
    return client(url(), b -> b.transports(List.of(transport)));
  }

  private static List<Long> seqs(Queue<Publication> got) {
    return got.stream().map(Publication::seq).toList();
  }

  private static List<Long> range(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(i);
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"websocket", "sse", "longpoll"})
  void publishesArriveInOrderOnEachTransport(String transport) {
    SyncwireClient subscriber = client(transport);
    SyncwireClient publisher = client(transport);
    Queue<StateEvent> states = new ConcurrentLinkedQueue<>();
    subscriber.onState(states::add);
    Await.result(subscriber.connect());
    assertEquals(transport, subscriber.transport());
    assertEquals(List.of("connecting", "connected"), states.stream().map(StateEvent::state).toList());
    assertEquals(transport, states.stream().reduce((a, b) -> b).orElseThrow().transport());
    Queue<Publication> got = new ConcurrentLinkedQueue<>();
    String channel = "order-" + transport;
    Subscription sub = subscriber.subscribe(channel, got::add);
    Await.result(sub.ready());
    Await.result(publisher.connect());
    List<Future<Ack>> acks = new ArrayList<>();
    for (int i = 1; i <= 200; i++) {
      acks.add(publisher.publish(channel, new JsonObject().put("n", i)));
    }
    long lastSeq = 0;
    for (Future<Ack> f : acks) {
      Ack ack = Await.result(f);
      assertFalse(ack.duplicate());
      assertEquals(lastSeq + 1, ack.seq(), "acks in publish order");
      lastSeq = ack.seq();
    }
    Await.until(WAIT, "200 publications", () -> got.size() >= 200);
    assertEquals(range(1, 200), seqs(got));
    int n = 1;
    for (Publication p : got) {
      assertEquals(n++, ((JsonObject) p.data()).getInteger("n"));
    }
    assertEquals(0, publisher.pending());
    assertEquals(new Position(lastAck(acks).epoch(), 200), sub.position());
  }

  private static Ack lastAck(List<Future<Ack>> acks) {
    return acks.get(acks.size() - 1).result();
  }

  @ParameterizedTest
  @ValueSource(strings = {"websocket", "sse", "longpoll"})
  void aCutConnectionResumesWithSinceAndMissesNothing(String transport) {
    TcpProxy proxy = TcpProxy.start(node.port());
    others.add(proxy);
    SyncwireClient subscriber = client("http://127.0.0.1:" + proxy.port(), b -> b.transports(List.of(transport)));
    SyncwireClient publisher = client("websocket");
    Queue<StateEvent> states = new ConcurrentLinkedQueue<>();
    Queue<Reset> resets = new ConcurrentLinkedQueue<>();
    subscriber.onState(states::add);
    Await.result(subscriber.connect());
    Queue<Publication> got = new ConcurrentLinkedQueue<>();
    String channel = "cut-" + transport;
    Subscription sub = subscriber.subscribe(channel, got::add).onReset(resets::add);
    Await.result(sub.ready());
    Await.result(publisher.connect());
    for (int i = 1; i <= 20; i++) {
      Await.result(publisher.publish(channel, i));
    }
    Await.until(WAIT, "the first 20", () -> got.size() >= 20);
    proxy.refuse(true);
    proxy.cut();
    Await.until(WAIT, "the loss noticed", () -> !"connected".equals(subscriber.state()));
    for (int i = 21; i <= 40; i++) {
      Await.result(publisher.publish(channel, i)); // published while the subscriber is away
    }
    proxy.refuse(false);
    Await.until(WAIT, "all 40 after the reconnect", () -> got.size() >= 40, () -> seqs(got).toString());
    assertEquals(range(1, 40), seqs(got));
    assertTrue(got.stream().filter(p -> p.seq() > 20).allMatch(Publication::recovered), "21-40 came with the recovery");
    assertEquals(List.of(), List.copyOf(resets), "nothing was lost, so no reset");
    assertTrue(states.stream().anyMatch(e -> e.state().equals("connecting") && e.reason() != null), states.toString());
    assertEquals("connected", subscriber.state());
    assertEquals("reconnected", states.stream().reduce((a, b) -> b).orElseThrow().reason());
  }

  @Test
  void whereWebSocketsAreBlockedItFallsBackAndUpgradesOnceTheyPass() {
    TcpProxy proxy = TcpProxy.start(node.port());
    others.add(proxy);
    proxy.blockWebSockets(true);
    SyncwireClient subscriber = client("http://127.0.0.1:" + proxy.port(), b -> b.upgradeRetryMs(300));
    SyncwireClient publisher = client("websocket");
    Queue<StateEvent> states = new ConcurrentLinkedQueue<>();
    subscriber.onState(states::add);
    Await.result(subscriber.connect());
    assertEquals("sse", subscriber.transport(), "the first transport that opens");
    Queue<Publication> got = new ConcurrentLinkedQueue<>();
    String channel = "upgrade";
    Await.result(subscriber.subscribe(channel, got::add).ready());
    Await.result(publisher.connect());
    for (int i = 1; i <= 10; i++) {
      Await.result(publisher.publish(channel, i));
    }
    proxy.blockWebSockets(false);
    Await.until(WAIT, "the upgrade", () -> "websocket".equals(subscriber.transport()), states::toString);
    for (int i = 11; i <= 20; i++) {
      Await.result(publisher.publish(channel, i));
    }
    Await.until(WAIT, "all 20", () -> got.size() >= 20, () -> seqs(got).toString());
    assertEquals(range(1, 20), seqs(got), "nothing lost or repeated across the change of transport");
    StateEvent last = states.stream().reduce((a, b) -> b).orElseThrow();
    assertEquals(new StateEvent("connected", "websocket", "transport_changed"), last);
    assertEquals(List.of("connecting", "connected", "connected"), states.stream().map(StateEvent::state).toList());
  }

  @Test
  void aRefusedTokenIsTriedOnceMoreWithAFreshOneFromTheSupplier() {
    AtomicInteger calls = new AtomicInteger();
    SyncwireClient c = client(url(), b -> b.tenant(null).tokenSupplier(() -> calls.getAndIncrement() == 0
        ? Tokens.hs256("not-the-secret-of-acme-0123456789", Tokens.claims("acme", "u"))
        : Tokens.hs256(TestNode.ACME_SECRET, Tokens.claims("acme", "u"))));
    Await.result(c.connect());
    assertEquals(2, calls.get());

    SyncwireClient never = client(url(), b -> b.tenant(null)
        .tokenSupplier(() -> Tokens.hs256("not-the-secret-of-acme-0123456789", Tokens.claims("acme", "u"))));
    assertEquals("unauthorized", failure(never.connect()).code(), "a second refusal is final");
    assertEquals("disconnected", never.state());
  }

  @Test
  void aStateChannelKeepsAReplicaWithPerEntityChanges() {
    SyncwireClient a = client("websocket");
    Await.result(a.connect());
    String channel = "doc:replica";
    Queue<EntityChange> all = new ConcurrentLinkedQueue<>();
    Queue<EntityChange> onlyE1 = new ConcurrentLinkedQueue<>();
    Subscription sub = a.subscribe(channel, p -> { }).onChange(all::add).onChange("e1", onlyE1::add);
    Await.result(sub.ready());
    Await.result(a.patch(channel, new JsonObject().put("entity", "e1")
        .put("set", new JsonObject().put("title", "x").put("draft", true)).put("inc", new JsonObject().put("n", 2))));
    Await.result(a.patch(channel, new JsonObject().put("entity", "e2").put("set", new JsonObject().put("v", 1))));
    Ack third = Await.result(a.patch(channel, new JsonObject().put("entity", "e1")
        .put("unset", new JsonArray().add("draft")).put("inc", new JsonObject().put("n", 3))));
    Await.until(WAIT, "three changes", () -> all.size() >= 3);
    assertEquals(List.of("e1", "e2", "e1"), all.stream().map(EntityChange::entity).toList());
    assertEquals(2, onlyE1.size());
    assertEquals(new JsonObject().put("title", "x").put("n", 5), sub.state().entity("e1"));
    assertEquals(third.seq(), sub.state().version("e1", "n"));
    Ack data = Await.result(a.publish(channel, "data moves the channel on too"));
    Await.until(WAIT, "the replica at the data's position", () -> sub.state().seq() == data.seq());

    // A conditional write on a stale version is refused with the current versions; nothing applies.
    SyncwireException conflict = failure(a.patch(channel, new JsonObject().put("entity", "e1")
        .put("set", new JsonObject().put("title", "y")).put("if", new JsonObject().put("title", 999))));
    assertEquals("conflict", conflict.code());
    assertNotNull(conflict.current());

    // A later subscriber starts from the snapshot and holds the same replica.
    SyncwireClient b = client("sse");
    Await.result(b.connect());
    Queue<java.util.Set<String>> loaded = new ConcurrentLinkedQueue<>();
    Subscription late = b.subscribe(channel, p -> { }).onState((entities, changed) -> loaded.add(changed));
    Await.result(late.ready());
    assertEquals(sub.state().entities(), late.state().entities());
    // The listener came before the snapshot or after it (and then catches up): either way it hears it once.
    Await.until(WAIT, "the snapshot's state", () -> !loaded.isEmpty());
    assertEquals(java.util.Set.of("e1", "e2"), loaded.peek());
    assertEquals(1, loaded.size(), "heard once: " + loaded);
  }

  @Test
  void listenersAddedOnceTheReplicaHasStateCatchUpWithItThenHearEachChangeOnce() {
    SyncwireClient a = client("websocket");
    Await.result(a.connect());
    String channel = "doc:late";
    Await.result(a.patch(channel, new JsonObject().put("entity", "e1").put("set", new JsonObject().put("v", 1))));
    Await.result(a.patch(channel, new JsonObject().put("entity", "e2").put("set", new JsonObject().put("v", 2))));
    Subscription sub = a.subscribe(channel, p -> { });
    Await.result(sub.ready());
    Await.until(WAIT, "the snapshot in the replica", () -> sub.state().entities().size() == 2);

    List<java.util.Set<String>> states = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<String> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<JsonObject> e1 = new java.util.concurrent.CopyOnWriteArrayList<>();
    sub.onState((entities, changed) -> states.add(changed)).onChange(c -> changes.add(c.entity()))
        .onChange("e1", c -> e1.add(c.fields()));
    // A second handle of the channel, made after the first loaded the replica, catches up too.
    List<String> other = new java.util.concurrent.CopyOnWriteArrayList<>();
    a.subscribe(channel, p -> { }).onChange(c -> other.add(c.entity()));
    Await.until(WAIT, "the catch-up", () -> !states.isEmpty() && changes.size() >= 2 && !e1.isEmpty()
        && other.size() >= 2);
    assertEquals(List.of(java.util.Set.of("e1", "e2")), states);
    assertEquals(java.util.Set.of("e1", "e2"), java.util.Set.copyOf(changes));
    assertEquals(2, changes.size(), changes.toString());
    assertEquals(List.of(new JsonObject().put("v", 1)), e1);
    assertEquals(java.util.Set.of("e1", "e2"), java.util.Set.copyOf(other));
    assertEquals(2, other.size(), other.toString());

    // A listener added while a change is being handed out catches up after it, not in the middle of it:
    // it hears that change in its catch-up, once.
    List<String> nested = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicBoolean added = new java.util.concurrent.atomic.AtomicBoolean();
    // State listeners are called before change listeners, so this one adds a change listener right before
    // the change it reacts to is handed to change listeners.
    sub.onState((entities, changed) -> {
      JsonObject first = entities.get("e1");
      if (first != null && first.getInteger("v") == 3 && added.compareAndSet(false, true)) {
        sub.onChange(n -> nested.add(n.entity() + "=" + n.fields().getInteger("v")));
      }
    });
    Await.result(a.patch(channel, new JsonObject().put("entity", "e1").put("set", new JsonObject().put("v", 3))));
    Await.until(WAIT, "the next change", () -> states.size() >= 2 && changes.size() >= 3 && e1.size() >= 2
        && other.size() >= 3 && nested.size() >= 2);
    assertEquals(java.util.Set.of("e1"), states.get(1));
    assertEquals(List.of("e1"), changes.subList(2, changes.size()));
    assertEquals(List.of(new JsonObject().put("v", 1), new JsonObject().put("v", 3)), e1);
    assertEquals(List.of("e1"), other.subList(2, other.size()));
    Await.result(a.patch(channel, new JsonObject().put("entity", "e2").put("set", new JsonObject().put("v", 4))));
    Await.until(WAIT, "the change after that", () -> nested.size() >= 3 && other.size() >= 4);
    assertEquals(java.util.Set.of("e1=3", "e2=2"), java.util.Set.copyOf(nested.subList(0, 2)));
    assertEquals(List.of("e2=4"), nested.subList(2, nested.size()), "each change once: " + nested);
    assertEquals(List.of("e1", "e2"), changes.subList(2, changes.size()));
  }

  @Test
  void aResubscribeThatCannotRecoverIsReportedWithTheSnapshot() {
    SyncwireClient a = client("websocket");
    Await.result(a.connect());
    String channel = "doc:reset";
    Await.result(a.patch(channel, new JsonObject().put("entity", "e").put("set", new JsonObject().put("k", 1))));
    Queue<Reset> resets = new ConcurrentLinkedQueue<>();
    Subscription sub = a.subscribe(channel, new Position("not-this-epoch", 3), p -> { }).onReset(resets::add);
    Await.result(sub.ready());
    // A reset that beat the listener is handed to it on the client's context, maybe after ready().
    Await.until(WAIT, "the reset", () -> !resets.isEmpty());
    assertEquals(1, resets.size());
    Reset reset = resets.peek();
    assertEquals("not_recovered", reset.reason());
    assertFalse(reset.recovered());
    assertNotNull(reset.snapshot());
    assertEquals(1, sub.state().entity("e").getInteger("k"));
  }

  @Test
  void publishesHandedOverBeforeConnectingAreSentInOrderWithTheirKeys() {
    SyncwireClient subscriber = client("websocket");
    Await.result(subscriber.connect());
    Queue<Publication> got = new ConcurrentLinkedQueue<>();
    String channel = "queued";
    Await.result(subscriber.subscribe(channel, got::add).ready());

    SyncwireClient offline = client(url(), b -> b.transports(List.of("longpoll")).maxInFlight(8));
    List<Future<Ack>> acks = new ArrayList<>();
    for (int i = 1; i <= 30; i++) {
      acks.add(offline.publish(channel, i, "q-" + i));
    }
    assertEquals(30, offline.pending());
    Await.result(offline.connect());
    for (int i = 0; i < 30; i++) {
      assertEquals(i + 1, Await.result(acks.get(i)).seq());
    }
    assertEquals(0, offline.pending());
    Await.until(WAIT, "30 publications", () -> got.size() >= 30);
    assertEquals(range(1, 30), seqs(got));
    assertEquals(List.of("q-1", "q-2", "q-3"), got.stream().limit(3).map(Publication::key).toList());
  }

  @Test
  void aDurableOutboxLeftByOneClientIsSentByTheNext(@TempDir Path dir) {
    Path store = dir.resolve("outbox.db");
    String channel = "durable-handover";
    TcpProxy proxy = TcpProxy.start(node.port());
    others.add(proxy);
    String url = "http://127.0.0.1:" + proxy.port();
    // The way to the node is closed: the first client never connects, and its entries stay stored.
    proxy.refuse(true);
    SyncwireClient first = SyncwireClient.builder(url).tenant("demo")
        .offlineStore(store).baseDelayMs(20).jitterMs(0).maxAttempts(1).build();
    List<Future<Ack>> acks = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      acks.add(first.publish(channel, i, "d-" + i));
    }
    Future<Void> connecting = first.connect();
    Await.result(first.flush());
    assertEquals(10, first.pending());
    assertEquals("gave_up", failure(connecting).code());
    Await.result(first.close());
    for (Future<Ack> f : acks) {
      assertEquals("closed", failure(f).code());
    }

    // The outbox belongs to (URL, tenant, user): the next client of that scope sends what it holds.
    proxy.refuse(false);
    Queue<OutboxEvent> events = new ConcurrentLinkedQueue<>();
    SyncwireClient second = client(url, b -> b.offlineStore(store));
    second.onOutbox(events::add);
    Await.result(second.connect());
    Await.until(WAIT, "ten outbox events", () -> events.size() >= 10, events::toString);
    assertTrue(events.stream().allMatch(e -> e.status().equals("acked")), events.toString());
    assertEquals(List.of("d-1", "d-2", "d-3", "d-4", "d-5", "d-6", "d-7", "d-8", "d-9", "d-10"),
        events.stream().map(OutboxEvent::key).toList());
    assertEquals(0, second.pending());
  }

  @Test
  void anEntryOlderThanItsTimeToLiveIsReportedExpiredNotSent() {
    SyncwireClient c = client(url(), b -> b.offlineTtlMs(1));
    Future<Ack> stale = c.publish("ttl", "too late");
    long handedOver = System.currentTimeMillis();
    Await.until(WAIT, "the entry's time to live passed", () -> System.currentTimeMillis() > handedOver + 5);
    Await.result(c.connect());
    assertEquals("expired", failure(stale).code());
    assertEquals(0, c.pending());
  }

  @Test
  void aFinalRefusalFailsThatPublishAndTheOutboxMovesOn() {
    SyncwireClient c = client("websocket");
    Await.result(c.connect());
    Future<Ack> refused = c.patch("doc:refusal", new JsonObject().put("entity", "e")
        .put("set", new JsonObject().put("a", 1)).put("if", new JsonObject().put("a", 7)));
    Future<Ack> next = c.publish("doc:refusal", "after");
    assertEquals("conflict", failure(refused).code());
    assertEquals(1, Await.result(next).seq());
  }

  @Test
  void afterMaxAttemptsTheClientGivesUpUntilConnectIsCalledAgain() {
    SyncwireClient c = client("http://127.0.0.1:" + FreePorts.port(), b -> b.maxAttempts(2).baseDelayMs(10).jitterMs(0));
    Queue<StateEvent> states = new ConcurrentLinkedQueue<>();
    c.onState(states::add);
    assertEquals("gave_up", failure(c.connect()).code());
    assertEquals("disconnected", c.state());
    StateEvent last = states.stream().reduce((a, b) -> b).orElseThrow();
    assertEquals("gave_up", last.reason());
    assertEquals(List.of("connecting", "disconnected"), states.stream().map(StateEvent::state).toList(),
        "one event per change, however many attempts");
    assertEquals("gave_up", failure(c.connect()).code(), "connect() starts over");
  }

  @Test
  void anAdminDisconnectStopsReconnection() throws Exception {
    JsonObject claims = Tokens.claims("acme", "disconnect-me");
    SyncwireClient c = client(url(), b -> b.tenant(null).token(Tokens.hs256(TestNode.ACME_SECRET, claims)));
    Queue<StateEvent> states = new ConcurrentLinkedQueue<>();
    c.onState(states::add);
    Await.result(c.connect());
    HttpResponse<String> r = Http.send(Http.request(node.adminPort(), "/api/v1/disconnect")
        .header("Authorization", "Bearer " + TestNode.ADMIN_KEY)
        .POST(HttpRequest.BodyPublishers.ofString("{\"tenant\":\"acme\",\"user\":\"disconnect-me\"}")));
    assertEquals(200, r.statusCode(), r.body());
    Await.until(WAIT, "disconnected", () -> "disconnected".equals(c.state()));
    assertEquals("closed_4003", states.stream().reduce((a, b) -> b).orElseThrow().reason());
  }

  @Test
  void aTokenSupplierRefreshesTheSessionBeforeItsTokenExpires() {
    AtomicInteger tokens = new AtomicInteger();
    long firstExp = System.currentTimeMillis() / 1000 + 4;
    SyncwireClient c = client(url(), b -> b.tenant(null).refreshBeforeMs(3_000).tokenSupplier(() -> {
      JsonObject claims = Tokens.claims("acme", "refresher");
      // The first token expires in about 4 s; the ones after it in an hour.
      claims.put("exp", tokens.getAndIncrement() == 0 ? firstExp : System.currentTimeMillis() / 1000 + 3600);
      return Tokens.hs256(TestNode.ACME_SECRET, claims);
    }));
    Queue<StateEvent> states = new ConcurrentLinkedQueue<>();
    c.onState(states::add);
    Await.result(c.connect());
    Await.until(WAIT, "the first token's expiry passed", () -> System.currentTimeMillis() > firstExp * 1000 + 1_000);
    assertEquals(2, tokens.get(), "one token to connect, one to refresh");
    assertEquals(List.of("connecting", "connected"), states.stream().map(StateEvent::state).toList(),
        "the session outlived its first token");
    assertEquals(1, Await.result(c.publish("refreshed", "still here")).seq());
  }

  @Test
  void listenersAndFuturesRunOnTheContextTheCallerGave() {
    Vertx vertx = TestNode.clientVertx();
    Context context = vertx.getOrCreateContext();
    SyncwireClient c = client(url(), b -> b.context(context));
    record Ran(String what, Context on) {
    }
    List<Ran> ran = Collections.synchronizedList(new ArrayList<>());
    c.onState(e -> ran.add(new Ran("state " + e.state(), Vertx.currentContext())));
    Future<Void> connected = c.connect().onComplete(ar -> ran.add(new Ran("connect", Vertx.currentContext())));
    Await.result(connected);
    Subscription sub = c.subscribe("on-context", p -> ran.add(new Ran("publication", Vertx.currentContext())));
    Await.result(sub.ready());
    Future<Ack> published = c.publish("on-context", 1)
        .onComplete(ar -> ran.add(new Ran("ack", Vertx.currentContext())));
    Await.result(published);
    Future<Ack> refused = c.publish("not a channel", 1);
    Await.until(WAIT, "the refusal", refused::isComplete);
    Future<Void> flushed = c.flush();
    Await.result(flushed);
    Await.until(WAIT, "the publication", () -> ran.stream().anyMatch(r -> r.what().equals("publication")));
    // Listeners added from this thread once the futures are complete run on the context too.
    List<Future<?>> complete = List.of(connected, sub.ready(), published, refused, flushed);
    for (Future<?> done : complete) {
      done.onComplete(ar -> ran.add(new Ran("late listener", Vertx.currentContext())));
    }
    Await.until(WAIT, "the late listeners",
        () -> ran.stream().filter(r -> r.what().equals("late listener")).count() == complete.size());
    List<String> elsewhere;
    synchronized (ran) {
      assertEquals(10, ran.size(), ran.toString());
      elsewhere = ran.stream().filter(r -> r.on() != context).map(r -> r.what() + " on " + r.on()).toList();
    }
    assertEquals(List.of(), elsewhere, "each of these ran off the client's context");
  }

  @Test
  void handlesOfOneChannelShareOneSubscription() {
    SyncwireClient c = client("websocket");
    Await.result(c.connect());
    Queue<Publication> first = new ConcurrentLinkedQueue<>();
    Queue<Publication> second = new ConcurrentLinkedQueue<>();
    Subscription a = c.subscribe("shared", first::add);
    Subscription b = c.subscribe("shared", second::add);
    Await.result(a.ready());
    Await.result(b.ready());
    Await.result(c.publish("shared", 1));
    Await.until(WAIT, "both handles", () -> first.size() == 1 && second.size() == 1);
    Await.result(a.unsubscribe());
    assertEquals("unsubscribed", a.status());
    Await.result(c.publish("shared", 2));
    Await.until(WAIT, "the remaining handle", () -> second.size() == 2);
    assertEquals(1, first.size());
    Await.result(b.unsubscribe());
    // The last handle left: a new subscribe starts a stream of its own, and only it gets what follows.
    Queue<Publication> third = new ConcurrentLinkedQueue<>();
    Await.result(c.subscribe("shared", third::add).ready());
    Await.result(c.publish("shared", 3));
    Await.until(WAIT, "the new handle", () -> third.size() == 1);
    assertEquals(3, third.peek().seq());
    assertEquals(1, first.size());
    assertEquals(2, second.size());
  }

  private static SyncwireException failure(Future<?> f) {
    try {
      f.toCompletionStage().toCompletableFuture().get(15, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof SyncwireException) {
        return (SyncwireException) e.getCause();
      }
      throw new AssertionError("failed with something else: " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError("did not complete: " + e, e);
    }
    throw new AssertionError("succeeded, but should have failed");
  }
}
