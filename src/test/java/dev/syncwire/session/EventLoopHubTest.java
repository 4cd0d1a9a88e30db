package dev.syncwire.session;

import dev.syncwire.broker.OutboundPublication;
import dev.syncwire.channel.ChannelId;
import dev.syncwire.channel.Publication;
import dev.syncwire.protocol.CloseCode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

import static dev.syncwire.session.SessionFixture.await;
import static dev.syncwire.session.SessionFixture.ofType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One event loop's sessions: fan-out of publications, flushes, counts, shedding and heartbeats. */
@ExtendWith(VertxExtension.class)
class EventLoopHubTest {
  private static final long HIGH_WATER = 64 * 1024;

  private static String subscribe(String channel) {
    return "{\"id\":2,\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}";
  }

  /** Connects a session and subscribes it to {@code channel}; returns the {@code subscribed} reply. */
  private static JsonObject subscribed(SessionFixture f, Session s, FakeTransport t, String channel) {
    f.send(s, subscribe(channel));
    JsonObject reply = await(t.received(2)).get(1);
    assertEquals("subscribed", reply.getString("type"), reply.encode());
    return reply;
  }

  @Test
  void aPublicationReachesEverySubscriberOfTheLoopOnceAsOneSharedFrame(Vertx vertx) {
    SessionFixture f = SessionFixture.start(vertx, new JsonObject());
    List<FakeTransport> subscribers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      FakeTransport t = FakeTransport.webSocketLike(HIGH_WATER);
      subscribed(f, f.connected(t), t, "news");
      subscribers.add(t);
    }
    FakeTransport publisher = FakeTransport.webSocketLike(HIGH_WATER);
    Session p = f.connected(publisher);
    f.send(p, "{\"id\":2,\"type\":\"publish\",\"channel\":\"news\",\"data\":\"extra\"}");
    assertEquals("ack", await(publisher.received(2)).get(1).getString("type"));

    List<byte[]> frames = new ArrayList<>();
    for (FakeTransport t : subscribers) {
      assertEquals("extra", await(t.received(3)).get(2).getString("data"));
      frames.add(t.receivedBytes().get(2));
    }
    assertSame(frames.get(0), frames.get(1), "encoded once for the loop");
    assertSame(frames.get(0), frames.get(2));
    assertEquals(List.of(), ofType(publisher.receivedNow(), "pub"), "the publisher does not follow the channel");

    FakeTransport witness = FakeTransport.webSocketLike(HIGH_WATER);
    Session w = f.connected(witness);
    f.send(w, "{\"id\":2,\"type\":\"publish\",\"channel\":\"news\",\"data\":\"second\"}");
    for (FakeTransport t : subscribers) {
      assertEquals("second", await(t.received(4)).get(3).getString("data"), "the first came once");
    }
  }

  @Test
  void aBatchOfPublicationsLeavesEachSocketInOneFlush(Vertx vertx) {
    SessionFixture f = SessionFixture.start(vertx, new JsonObject());
    ChannelId channel = new ChannelId("demo", "ticks");
    List<FakeTransport> subscribers = new ArrayList<>();
    String epoch = null;
    for (int i = 0; i < 3; i++) {
      FakeTransport t = FakeTransport.webSocketLike(HIGH_WATER);
      epoch = subscribed(f, f.connected(t), t, channel.name()).getString("epoch");
      subscribers.add(t);
    }
    List<Integer> flushesBefore = subscribers.stream().map(FakeTransport::flushes).toList();

    // The hub is the broker's sink: hand it five publications at once, as the channel's owner would.
    String e = epoch;
    f.run(() -> {
      for (long seq = 1; seq <= 5; seq++) {
        f.hub.deliver(channel, new OutboundPublication(channel, new Publication(e, seq, null, "\"t" + seq + "\"", null),
            null, null));
      }
    });
    for (int i = 0; i < 3; i++) {
      FakeTransport t = subscribers.get(i);
      assertEquals(List.of(1L, 2L, 3L, 4L, 5L), await(t.received(7)).subList(2, 7).stream()
          .map(fr -> fr.getLong("seq")).toList());
      assertEquals(flushesBefore.get(i) + 1, t.flushes(), "five frames, one flush");
    }
  }

  @Test
  void theSessionCountFollowsSessionsOpeningAndEnding(Vertx vertx) {
    SessionFixture f = SessionFixture.start(vertx, new JsonObject());
    assertEquals(0, f.hub.sessionCount());
    Session closedByServer = f.connected(FakeTransport.webSocketLike(HIGH_WATER));
    Session closedByPeer = f.open(FakeTransport.webSocketLike(HIGH_WATER));
    f.connected(FakeTransport.webSocketLike(HIGH_WATER));
    assertEquals(3, f.hub.sessionCount(), "connected or not, every open session counts");
    f.run(() -> closedByServer.close(CloseCode.GOING_AWAY, "test"));
    assertEquals(2, f.hub.sessionCount());
    f.run(closedByPeer::onTransportClosed);
    assertEquals(1, f.hub.sessionCount());
    f.run(closedByPeer::onTransportClosed);
    assertEquals(1, f.hub.sessionCount(), "an ending is counted once");
  }

  @Test
  void theLoopsQueuedBytesAddUpItsSessionsAndSheddingClosesTheLargestFirst(Vertx vertx) {
    SessionFixture f = SessionFixture.start(vertx, new JsonObject());
    FakeTransport publisher = FakeTransport.webSocketLike(HIGH_WATER);
    Session p = f.connected(publisher);
    int[] publications = {8, 2, 4};
    List<Session> slow = new ArrayList<>();
    List<FakeTransport> transports = new ArrayList<>();
    int acks = 1;
    for (int i = 0; i < publications.length; i++) {
      FakeTransport t = FakeTransport.webSocketLike(512);
      Session s = f.connected(t);
      subscribed(f, s, t, "c" + i);
      t.stallPeer();
      for (int n = 0; n < publications[i]; n++) {
        f.send(p, "{\"id\":" + (100 + acks) + ",\"type\":\"publish\",\"channel\":\"c" + i + "\",\"data\":\""
            + "q".repeat(1000) + "\"}");
        acks++;
      }
      slow.add(s);
      transports.add(t);
    }
    await(publisher.received(acks));
    // Each channel's publications reach its subscriber before the ack that follows them.
    List<Long> held = slow.stream().map(s -> f.onLoop(s::queuedBytes)).toList();
    assertTrue(held.get(0) > held.get(2) && held.get(2) > held.get(1), held.toString());
    assertEquals(held.stream().mapToLong(Long::longValue).sum(), f.onLoop(f.hub::measureQueued));
    assertEquals(f.onLoop(f.hub::measureQueued), f.hub.queuedBytes(), "readable from any thread");

    // Just under what the three hold: closing the largest is enough.
    int shed = f.onLoop(() -> f.hub.shedLargest(held.get(1) + held.get(2), "test"));
    assertEquals(1, shed);
    assertEquals(CloseCode.SLOW_CONSUMER, await(transports.get(0).closed()));
    assertFalse(transports.get(1).closed().isDone());
    assertFalse(transports.get(2).closed().isDone());
    assertEquals(held.get(1) + held.get(2), f.onLoop(f.hub::measureQueued));

    assertEquals(1, (int) f.onLoop(() -> f.hub.shedLargest(held.get(1), "test")));
    assertEquals(CloseCode.SLOW_CONSUMER, await(transports.get(2).closed()));
    assertFalse(transports.get(1).closed().isDone());
  }

  @Test
  void aResetReachesEverySubscriberOfTheChannelAndEndsTheirSubscriptions(Vertx vertx) {
    SessionFixture f = SessionFixture.start(vertx, new JsonObject());
    ChannelId channel = new ChannelId("demo", "r");
    FakeTransport a = FakeTransport.webSocketLike(HIGH_WATER);
    FakeTransport b = FakeTransport.webSocketLike(HIGH_WATER);
    subscribed(f, f.connected(a), a, "r");
    subscribed(f, f.connected(b), b, "r");
    FakeTransport other = FakeTransport.webSocketLike(HIGH_WATER);
    Session o = f.connected(other);
    subscribed(f, o, other, "other");

    f.hub.reset(channel, "gap");
    JsonObject expected = new JsonObject().put("type", "reset").put("channel", "r").put("reason", "gap");
    assertEquals(expected, await(a.received(3)).get(2));
    assertEquals(expected, await(b.received(3)).get(2));

    FakeTransport witness = FakeTransport.webSocketLike(HIGH_WATER);
    Session w = f.connected(witness);
    subscribed(f, w, witness, "r");
    f.send(w, "{\"id\":3,\"type\":\"publish\",\"channel\":\"r\",\"data\":\"after\"}");
    await(witness.receivedUntil(fr -> "pub".equals(fr.getString("type"))));
    // The hub hands a publication to all of its subscribers at once: the reset ones would have it now.
    assertEquals(3, a.receivedNow().size());
    assertEquals(3, b.receivedNow().size());
    assertEquals(2, other.receivedNow().size(), "other channels are untouched");
  }

  @Test
  void aHeartbeatPingsEachSessionAndDropsThoseThatMissedTooManyPongs(Vertx vertx) {
    SessionFixture f = SessionFixture.start(vertx, new JsonObject());
    FakeTransport answering = FakeTransport.webSocketLike(HIGH_WATER);
    FakeTransport silent = FakeTransport.webSocketLike(HIGH_WATER);
    FakeTransport http = FakeTransport.httpLike(HIGH_WATER);
    Session a = f.connected(answering);
    f.connected(silent);
    f.connected(http);
    for (int beat = 0; beat < 3; beat++) {
      f.run(() -> {
        f.hub.heartbeat(2);
        a.onPong();
      });
    }
    assertEquals(3, answering.pings());
    assertFalse(answering.closed().isDone());
    assertEquals(2, silent.pings(), "pinged twice, then dropped at the third beat");
    assertTrue(silent.terminated());
    assertNull(await(silent.closed()), "dropped without a close frame");
    assertEquals(0, http.pings(), "HTTP sessions have no heartbeat");
    assertEquals(2, f.hub.sessionCount());
  }
}
