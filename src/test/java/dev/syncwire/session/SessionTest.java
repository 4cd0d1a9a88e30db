package dev.syncwire.session;

import dev.syncwire.broker.ChannelBroker;
import dev.syncwire.broker.PublicationSink;
import dev.syncwire.channel.ChannelId;
import dev.syncwire.channel.Position;
import dev.syncwire.channel.Since;
import dev.syncwire.protocol.CloseCode;
import dev.syncwire.protocol.Command;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static dev.syncwire.session.SessionFixture.await;
import static dev.syncwire.session.SessionFixture.ofType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The session's protocol state machine (docs/protocol.md §3, §5.1, §6), driven through fake transports. */
@ExtendWith(VertxExtension.class)
class SessionTest {
  private static final long HIGH_WATER = 64 * 1024;

  private static String connect(long id) {
    return "{\"id\":" + id + ",\"type\":\"connect\",\"tenant\":\"demo\"}";
  }

  private static String subscribe(long id, String channel) {
    return "{\"id\":" + id + ",\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}";
  }

  private static String publish(long id, String channel, String text) {
    return "{\"id\":" + id + ",\"type\":\"publish\",\"channel\":\"" + channel + "\",\"data\":\"" + text + "\"}";
  }

  private static String ping(long id) {
    return "{\"id\":" + id + ",\"type\":\"ping\"}";
  }

  @Test
  void aCommandBeforeConnectIsRefusedUnauthorizedAndTheConnectionClosedWith4001(Vertx vertx) {
    SessionFixture f = SessionFixture.start(vertx, new JsonObject());
    FakeTransport t = FakeTransport.webSocketLike(HIGH_WATER);
    Session s = f.open(t);
    f.send(s, ping(7));
    JsonObject reply = await(t.received(1)).get(0);
    assertEquals("error", reply.getString("type"));
    assertEquals("unauthorized", reply.getString("code"));
    assertEquals(7L, reply.getLong("id"));
    assertEquals(CloseCode.UNAUTHORIZED, await(t.closed()));
    assertTrue(f.onLoop(s::isClosed));
  }

  @Test
  void connectAnswersWithTheSessionItsKeyTheAnonymousUserAndTheNode(Vertx vertx) {
    SessionFixture f = SessionFixture.start(vertx, new JsonObject());
    FakeTransport t = FakeTransport.webSocketLike(HIGH_WATER);
    Session s = f.open(t);
    f.send(s, connect(1), ping(2));
    List<JsonObject> replies = await(t.received(2));
    JsonObject connected = replies.get(0);
    assertEquals("connected", connected.getString("type"));
    assertEquals(1L, connected.getLong("id"));
    assertEquals(s.id(), connected.getString("session"));
    assertTrue(s.id().endsWith("." + SessionFixture.NODE_ID), "the id names the home node: " + s.id());
    assertEquals(s.key(), connected.getString("key"));
    assertEquals("anon-" + s.id(), connected.getString("user"));
    assertEquals("demo", connected.getString("tenant"));
    assertEquals(SessionFixture.NODE_ID, connected.getString("node"));
    assertEquals(new JsonObject().put("id", 2).put("type", "pong"), replies.get(1));
    assertTrue(f.onLoop(s::isConnected));
    assertEquals(1, f.limits.tenantCount("demo"), "a connected session counts against its tenant");
  }

  @Test
  void aSecondConnectIsABadRequestAndTheSessionGoesOn(Vertx vertx) {
    SessionFixture f = SessionFixture.start(vertx, new JsonObject());
    FakeTransport t = FakeTransport.webSocketLike(HIGH_WATER);
    Session s = f.connected(t);
    f.send(s, connect(2), ping(3));
    List<JsonObject> replies = await(t.received(3));
    assertEquals("bad_request", replies.get(1).getString("code"));
    assertEquals(2L, replies.get(1).getLong("id"));
    assertEquals("pong", replies.get(2).getString("type"));
    assertFalse(t.closed().isDone());
  }

  @Test
  void anAnonymousConnectToATenantThatDoesNotAdmitAnonymousUsersIsRefused(Vertx vertx) {
    SessionFixture f = SessionFixture.start(vertx, new JsonObject());
    FakeTransport t = FakeTransport.webSocketLike(HIGH_WATER);
    Session s = f.open(t);
    f.send(s, "{\"id\":1,\"type\":\"connect\",\"tenant\":\"nobody\"}");
    assertEquals("unauthorized", await(t.received(1)).get(0).getString("code"));
    assertEquals(CloseCode.UNAUTHORIZED, await(t.closed()));
    assertEquals(0, f.limits.tenantCount("nobody"));
  }

  @Test
  void aSessionThatDoesNotConnectInTimeIsClosedWith4001(Vertx vertx) {
    SessionFixture f = SessionFixture.start(vertx, new JsonObject().put("limits",
        new JsonObject().put("connectTimeoutMs", 50)));
    FakeTransport t = FakeTransport.webSocketLike(HIGH_WATER);
    Session s = f.open(t);
    assertEquals(CloseCode.UNAUTHORIZED, await(t.closed()));
    assertTrue(f.onLoop(s::isClosed));
    assertEquals(0, f.onLoop(f.hub::sessionCount));
  }

  @Test
  void aConnectedSessionOutlivesTheConnectTimeout(Vertx vertx) {
    SessionFixture f = SessionFixture.start(vertx, new JsonObject().put("limits",
        new JsonObject().put("connectTimeoutMs", 50)));
    FakeTransport connected = FakeTransport.webSocketLike(HIGH_WATER);
    Session s = f.connected(connected);
    // A session opened after it times out; by then the connected one's timer has long fired too.
    FakeTransport late = FakeTransport.webSocketLike(HIGH_WATER);
    f.open(late);
    await(late.closed());
    assertFalse(connected.closed().isDone());
    assertTrue(f.onLoop(s::isConnected));
  }

  @Test
  void aFrameThatIsNotAJsonObjectClosesWith4400(Vertx vertx) {
    SessionFixture f = SessionFixture.start(vertx, new JsonObject());
    FakeTransport t = FakeTransport.webSocketLike(HIGH_WATER);
    Session s = f.connected(t);
    f.send(s, "[1,2]");
    assertEquals(CloseCode.MALFORMED_FRAME, await(t.closed()));
  }

  @Test
  void anInvalidCommandAfterConnectIsABadRequestWithItsIdAndTheSessionGoesOn(Vertx vertx) {
    SessionFixture f = SessionFixture.start(vertx, new JsonObject());
    FakeTransport t = FakeTransport.webSocketLike(HIGH_WATER);
    Session s = f.connected(t);
    f.send(s, "{\"id\":5,\"type\":\"subscribe\"}", "{\"id\":6,\"type\":\"nonsense\"}", ping(7));
    List<JsonObject> replies = await(t.received(4));
    assertEquals(List.of("bad_request", "bad_request"),
        List.of(replies.get(1).getString("code"), replies.get(2).getString("code")));
    assertEquals(List.of(5L, 6L, 7L),
        List.of(replies.get(1).getLong("id"), replies.get(2).getLong("id"), replies.get(3).getLong("id")));
    assertFalse(t.closed().isDone());
  }

  @Test
  void aSubscribeWaitingForTheChannelsOwnerHoldsBackNoReplyOfLaterCommands(Vertx vertx) {
    // docs/protocol.md §3.5: replies leave as commands complete; clients match them by id.
    HeldSubscribes held = new HeldSubscribes();
    SessionFixture f = SessionFixture.start(vertx, new JsonObject(), held::around);
    FakeTransport t = FakeTransport.webSocketLike(HIGH_WATER);
    Session s = f.connected(t);
    f.send(s, subscribe(2, "orders"), ping(3), "{\"id\":4,\"type\":\"unsubscribe\",\"channel\":\"other\"}",
        publish(5, "news", "n"));
    List<JsonObject> before = await(t.received(4)).subList(1, 4);
    assertEquals(List.of(3L, 4L, 5L), before.stream().map(r -> r.getLong("id")).sorted().toList());
    assertEquals(List.of("ack", "pong", "unsubscribed"), before.stream().map(r -> r.getString("type")).sorted().toList());

    await(held.held(1));
    f.run(held::releaseAll);
    JsonObject subscribed = await(t.received(5)).get(4);
    assertEquals("subscribed", subscribed.getString("type"));
    assertEquals(2L, subscribed.getLong("id"));
    f.send(s, ping(6));
    assertEquals(6L, await(t.received(6)).get(5).getLong("id"), "one reply per command, no more");
  }

  @Test
  void aSubscribeOvertakenByAnUnsubscribeOrAResubscribeStillGetsItsReplyAndTheUnsubscribeFollowsIt(Vertx vertx) {
    // docs/protocol.md §3.1: one reply per command, never none, even when a later command ends the
    // subscription before the channel's owner answered; "unsubscribed" never comes before its "subscribed".
    HeldSubscribes held = new HeldSubscribes();
    SessionFixture f = SessionFixture.start(vertx, new JsonObject(), held::around);
    FakeTransport t = FakeTransport.webSocketLike(HIGH_WATER);
    Session s = f.connected(t);
    f.send(s, subscribe(2, "orders"), "{\"id\":3,\"type\":\"unsubscribe\",\"channel\":\"orders\"}");
    await(held.held(1));
    f.send(s, subscribe(4, "news"), subscribe(5, "news"));
    await(held.held(3));
    assertEquals(1, t.receivedNow().size(), "nothing but connected while the owner has not answered");
    f.run(held::releaseAll);
    List<JsonObject> replies = await(t.received(5)).subList(1, 5);
    List<String> orders = replies.stream().filter(r -> r.getLong("id") <= 3)
        .map(r -> r.getLong("id") + " " + r.getString("type")).toList();
    assertEquals(List.of("2 subscribed", "3 unsubscribed"), orders);
    assertEquals(List.of("4 subscribed", "5 subscribed"), replies.stream().filter(r -> r.getLong("id") >= 4)
        .map(r -> r.getLong("id") + " " + r.getString("type")).sorted().toList());
    assertEquals(1, f.onLoop(s::subscriptionCount), "only the last subscribe of news is live");
    f.send(s, ping(6));
    assertEquals(6L, await(t.received(6)).get(5).getLong("id"), "one reply per command, no more");
  }

  @Test
  void aSubscriptionHoldsPublicationsUntilItsAnswerSendsSubscribedFirstAndSkipsWhatTheAnswerCovers(Vertx vertx) {
    HeldSubscribes held = new HeldSubscribes();
    SessionFixture f = SessionFixture.start(vertx, new JsonObject(), held::around);
    // Another subscriber on the same loop, so that publications reach the loop's hub from the start.
    FakeTransport witness = FakeTransport.webSocketLike(HIGH_WATER);
    Session w = f.connected(witness);
    f.send(w, subscribe(2, "c"));
    await(held.held(1));
    f.run(held::releaseAll);
    await(witness.received(2));
    FakeTransport pub = FakeTransport.webSocketLike(HIGH_WATER);
    Session p = f.connected(pub);
    FakeTransport t = FakeTransport.webSocketLike(HIGH_WATER);
    Session s = f.connected(t);

    // The owner takes publications 1 and 2, then the subscribe: it answers at position 2.
    f.run(() -> {
      p.onText(publish(2, "c", "one"));
      p.onText(publish(3, "c", "two"));
      s.onText(subscribe(2, "c"));
    });
    f.send(p, publish(4, "c", "three"));
    await(pub.received(4));
    await(witness.received(5));
    await(held.held(1));
    assertEquals(1, t.receivedNow().size(), "no frame before the subscribe's answer");

    f.run(held::releaseAll);
    List<JsonObject> frames = await(t.received(3)).subList(1, 3);
    assertEquals("subscribed", frames.get(0).getString("type"));
    assertEquals(2L, frames.get(0).getLong("seq"));
    assertEquals("pub", frames.get(1).getString("type"));
    assertEquals(3L, frames.get(1).getLong("seq"));
    assertEquals("three", frames.get(1).getString("data"));
    f.send(s, ping(9));
    assertEquals("pong", await(t.received(4)).get(3).getString("type"), "nothing else came before the pong");
  }

  @Test
  void aPublishIsAcknowledgedAndEverySubscriberGetsThePublicationOnce(Vertx vertx) {
    SessionFixture f = SessionFixture.start(vertx, new JsonObject());
    FakeTransport a = FakeTransport.webSocketLike(HIGH_WATER);
    FakeTransport b = FakeTransport.webSocketLike(HIGH_WATER);
    Session sa = f.connected(a);
    Session sb = f.connected(b);
    f.send(sa, subscribe(2, "room"));
    f.send(sb, subscribe(2, "room"));
    await(a.received(2));
    await(b.received(2));
    f.send(sa, publish(3, "room", "hi"));

    // The pub and the ack travel separately (hub and broker answer), so their order is not fixed.
    List<JsonObject> atPublisher = await(a.received(4)).subList(2, 4);
    JsonObject ack = ofType(atPublisher, "ack").get(0);
    assertEquals(3L, ack.getLong("id"));
    assertEquals(1L, ack.getLong("seq"));
    assertFalse(ack.getBoolean("duplicate"));
    assertEquals(1, ofType(atPublisher, "pub").size(), "the publisher follows the channel too");
    JsonObject pubAtB = await(b.received(3)).get(2);
    assertEquals("pub", pubAtB.getString("type"));
    assertEquals("room", pubAtB.getString("channel"));
    assertEquals(1L, pubAtB.getLong("seq"));
    assertEquals(ack.getString("epoch"), pubAtB.getString("epoch"));
    assertEquals("hi", pubAtB.getString("data"));

    f.send(sa, ping(5));
    f.send(sb, ping(5));
    assertEquals("pong", await(a.received(5)).get(4).getString("type"), "one pub only");
    assertEquals("pong", await(b.received(4)).get(3).getString("type"), "one pub only");
  }

  @Test
  void afterUnsubscribeNoPublicationArrivesWhileOtherSubscribersGoOn(Vertx vertx) {
    SessionFixture f = SessionFixture.start(vertx, new JsonObject());
    FakeTransport leaving = FakeTransport.webSocketLike(HIGH_WATER);
    FakeTransport staying = FakeTransport.webSocketLike(HIGH_WATER);
    Session sl = f.connected(leaving);
    Session ss = f.connected(staying);
    f.send(sl, subscribe(2, "c"));
    f.send(ss, subscribe(2, "c"));
    await(leaving.received(2));
    await(staying.received(2));
    f.send(sl, "{\"id\":3,\"type\":\"unsubscribe\",\"channel\":\"c\"}");
    JsonObject unsubscribed = await(leaving.received(3)).get(2);
    assertEquals(new JsonObject().put("id", 3).put("type", "unsubscribed").put("channel", "c"), unsubscribed);

    f.send(ss, publish(3, "c", "after"));
    await(staying.receivedUntil(fr -> "pub".equals(fr.getString("type"))));
    // The hub hands a publication to all of its subscribers in one go: the staying one has it, so the
    // leaving one would have it by now.
    f.send(sl, ping(4));
    assertEquals("pong", await(leaving.received(4)).get(3).getString("type"));
    assertEquals(List.of(), ofType(leaving.receivedNow(), "pub"));
  }

  @Test
  void unsubscribeFromAChannelNotFollowedIsAnsweredUnsubscribed(Vertx vertx) {
    SessionFixture f = SessionFixture.start(vertx, new JsonObject());
    FakeTransport t = FakeTransport.webSocketLike(HIGH_WATER);
    Session s = f.connected(t);
    f.send(s, "{\"id\":2,\"type\":\"unsubscribe\",\"channel\":\"never\"}");
    assertEquals("unsubscribed", await(t.received(2)).get(1).getString("type"));
  }

  @Test
  void subscribeWithSinceGetsWhatWasMissedInItsSubscribedReply(Vertx vertx) {
    SessionFixture f = SessionFixture.start(vertx, new JsonObject());
    FakeTransport pub = FakeTransport.webSocketLike(HIGH_WATER);
    Session p = f.connected(pub);
    f.send(p, publish(2, "log", "a"), publish(3, "log", "b"), publish(4, "log", "c"));
    String epoch = await(pub.received(4)).get(1).getString("epoch");

    FakeTransport t = FakeTransport.webSocketLike(HIGH_WATER);
    Session s = f.connected(t);
    f.send(s, "{\"id\":2,\"type\":\"subscribe\",\"channel\":\"log\",\"since\":{\"epoch\":\"" + epoch
        + "\",\"seq\":1}}");
    JsonObject subscribed = await(t.received(2)).get(1);
    assertEquals("subscribed", subscribed.getString("type"));
    assertTrue(subscribed.getBoolean("recovered"));
    assertEquals(3L, subscribed.getLong("seq"));
    assertEquals(List.of(2L, 3L), subscribed.getJsonArray("pubs").stream()
        .map(o -> ((JsonObject) o).getLong("seq")).toList());
    assertEquals(List.of("b", "c"), subscribed.getJsonArray("pubs").stream()
        .map(o -> ((JsonObject) o).getString("data")).toList());

    f.send(s, "{\"id\":3,\"type\":\"subscribe\",\"channel\":\"log\",\"since\":{\"epoch\":\"other\",\"seq\":1}}");
    JsonObject stale = await(t.received(3)).get(2);
    assertFalse(stale.getBoolean("recovered"), "another epoch cannot be recovered");
    assertEquals(3L, stale.getLong("seq"));
  }

  @Test
  void aSessionMayFollowAtMostMaxSubscriptionsChannels(Vertx vertx) {
    SessionFixture f = SessionFixture.start(vertx, new JsonObject().put("limits",
        new JsonObject().put("maxSubscriptions", 2)));
    FakeTransport t = FakeTransport.webSocketLike(HIGH_WATER);
    Session s = f.connected(t);
    f.send(s, subscribe(2, "a"), subscribe(3, "b"));
    await(t.received(3));
    f.send(s, subscribe(4, "c"), subscribe(5, "a"));
    List<JsonObject> replies = await(t.received(5)).subList(3, 5);
    assertEquals("too_large", replies.get(0).getString("code"));
    assertEquals(4L, replies.get(0).getLong("id"));
    assertEquals("subscribed", replies.get(1).getString("type"), "subscribing again takes no new slot");
    assertEquals(5L, replies.get(1).getLong("id"));
  }

  @Test
  void aSubscriberThatDoesNotReadIsClosedWith4009OnceItsOutboundBytesPassTheLimit(Vertx vertx) {
    SessionFixture f = SessionFixture.start(vertx, new JsonObject().put("limits",
        new JsonObject().put("outboundBufferBytes", 4096)));
    FakeTransport slow = FakeTransport.webSocketLike(1024);
    FakeTransport publisher = FakeTransport.webSocketLike(HIGH_WATER);
    Session s = f.connected(slow);
    Session p = f.connected(publisher);
    f.send(s, subscribe(2, "c"));
    await(slow.received(2));
    slow.stallPeer();
    String text = "x".repeat(500);
    for (int i = 0; i < 6; i++) {
      f.send(p, publish(10 + i, "c", text));
    }
    await(publisher.received(7));
    assertFalse(slow.closed().isDone(), "about 3.6 KB held: within the 4 KiB limit");
    assertTrue(f.onLoop(s::queuedBytes) > 3000);

    f.send(p, publish(20, "c", text), publish(21, "c", text));
    assertEquals(CloseCode.SLOW_CONSUMER, await(slow.closed()));
    assertEquals(0L, f.onLoop(s::queuedBytes), "a closed session holds nothing");
    assertEquals(1, f.onLoop(f.hub::sessionCount));
    assertEquals(1, f.limits.tenantCount("demo"), "only the publisher counts against the tenant now");
    f.send(p, publish(22, "c", "on"));
    assertEquals("ack", await(publisher.received(10)).get(9).getString("type"), "the publisher goes on");
  }

  @Test
  void aSubscriberThatReadsAgainGetsEveryHeldPublicationInOrder(Vertx vertx) {
    SessionFixture f = SessionFixture.start(vertx, new JsonObject().put("limits",
        new JsonObject().put("outboundBufferBytes", 64 * 1024)));
    FakeTransport slow = FakeTransport.webSocketLike(1024);
    FakeTransport publisher = FakeTransport.webSocketLike(HIGH_WATER);
    Session s = f.connected(slow);
    Session p = f.connected(publisher);
    f.send(s, subscribe(2, "c"));
    await(slow.received(2));
    slow.stallPeer();
    for (int i = 1; i <= 40; i++) {
      f.send(p, publish(10 + i, "c", i + "-" + "y".repeat(200)));
    }
    await(publisher.received(41));
    assertTrue(f.onLoop(s::queuedBytes) > 1024, "more than the transport's own buffer waits");
    slow.resumePeer();
    List<JsonObject> pubs = ofType(await(slow.received(42)), "pub");
    List<Long> seqs = new ArrayList<>();
    for (int i = 1; i <= 40; i++) {
      seqs.add((long) i);
    }
    assertEquals(seqs, pubs.stream().map(fr -> fr.getLong("seq")).toList());
    assertTrue(pubs.get(39).getString("data").startsWith("40-"));
    assertEquals(0L, f.onLoop(s::queuedBytes));
    assertFalse(slow.closed().isDone());
  }

  @Test
  void overHttpAnOverflowResetsTheHeaviestChannelAndTheSessionGoesOn(Vertx vertx) {
    SessionFixture f = SessionFixture.start(vertx, new JsonObject().put("limits",
        new JsonObject().put("outboundBufferBytes", 4096)));
    FakeTransport http = FakeTransport.httpLike(1024);
    FakeTransport publisher = FakeTransport.webSocketLike(HIGH_WATER);
    Session s = f.connected(http);
    Session p = f.connected(publisher);
    f.send(s, subscribe(2, "big"), subscribe(3, "small"));
    await(http.replies(3));
    http.stallPeer();
    f.send(p, publish(2, "small", "s"));
    for (int i = 0; i < 12; i++) {
      f.send(p, publish(10 + i, "big", "z".repeat(500)));
    }
    await(publisher.received(14));
    f.send(s, ping(4));
    assertEquals("pong", await(http.replies(4)).get(3).getString("type"), "replies still come back");

    http.resumePeer();
    List<JsonObject> pushes = await(http.receivedUntil(fr -> "reset".equals(fr.getString("type"))));
    assertEquals(new JsonObject().put("type", "reset").put("channel", "big").put("reason", "slow_consumer"),
        pushes.get(pushes.size() - 1));
    assertEquals(1, pushes.stream().filter(fr -> "small".equals(fr.getString("channel"))).count(),
        "the small channel keeps its publication");
    assertFalse(http.closed().isDone());

    // Both channels have the one shard: were "big" still followed, "gone" would arrive before "t".
    f.send(p, publish(30, "big", "gone"), publish(31, "small", "t"));
    List<JsonObject> later = await(http.receivedUntil(fr -> "t".equals(fr.getString("data"))));
    assertEquals(0, later.stream().filter(fr -> "gone".equals(fr.getString("data"))).count(),
        "a reset subscription has ended");
  }

  @Test
  void aClosedSessionLeavesItsHubAndFreesItsTenantSlotAndSubscriptions(Vertx vertx) {
    SessionFixture f = SessionFixture.start(vertx, new JsonObject());
    FakeTransport t = FakeTransport.webSocketLike(HIGH_WATER);
    Session s = f.connected(t);
    f.send(s, subscribe(2, "c"));
    await(t.received(2));
    assertEquals(1, f.onLoop(f.hub::sessionCount));
    f.run(s::onTransportClosed);
    assertEquals(0, f.onLoop(f.hub::sessionCount));
    assertEquals(0, f.limits.tenantCount("demo"));
    assertEquals(0, f.onLoop(s::subscriptionCount));
    f.send(s, ping(3));
    assertEquals(2, t.receivedNow().size(), "a closed session answers nothing");
  }

  /** The real broker, except that subscribe answers wait until the test lets them go (on the loop). */
  static final class HeldSubscribes {
    private final List<Runnable> held = new ArrayList<>();
    private final List<CompletableFuture<Void>> waiting = new ArrayList<>();
    private final List<Integer> waitingFor = new ArrayList<>();

    ChannelBroker around(ChannelBroker broker) {
      return new ChannelBroker() {
        @Override
        public Future<PublishAck> publish(ChannelId channel, PublishRequest request) {
          return broker.publish(channel, request);
        }

        @Override
        public Future<Position> subscribe(ChannelId channel, Since since, PublicationSink sink) {
          Promise<Position> answer = Promise.promise();
          broker.subscribe(channel, since, sink).onComplete(ar -> hold(() -> answer.handle(ar)));
          return answer.future();
        }

        @Override
        public void unsubscribe(ChannelId channel, PublicationSink sink) {
          broker.unsubscribe(channel, sink);
        }

        @Override
        public Future<List<ChannelInfo>> channels(String tenant) {
          return broker.channels(tenant);
        }

        @Override
        public Future<ChannelDetail> channel(ChannelId channel) {
          return broker.channel(channel);
        }
      };
    }

    private synchronized void hold(Runnable answer) {
      held.add(answer);
      for (int i = waiting.size() - 1; i >= 0; i--) {
        if (held.size() >= waitingFor.get(i)) {
          waiting.remove(i).complete(null);
          waitingFor.remove(i);
        }
      }
    }

    /** Completes once {@code count} answers are held. */
    synchronized CompletableFuture<Void> held(int count) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      if (held.size() >= count) {
        done.complete(null);
      } else {
        waiting.add(done);
        waitingFor.add(count);
      }
      return done;
    }

    /** Lets every held answer go; run it on the sessions' context. */
    void releaseAll() {
      List<Runnable> now;
      synchronized (this) {
        now = new ArrayList<>(held);
        held.clear();
      }
      now.forEach(Runnable::run);
    }
  }
}
