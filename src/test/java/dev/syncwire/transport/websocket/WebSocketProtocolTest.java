package dev.syncwire.transport.websocket;

import dev.syncwire.testing.RawWebSocket;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSON protocol over a real WebSocket: commands, replies, pushes and coded errors. */
class WebSocketProtocolTest {
  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void anonymousConnectNamesSessionUserTenantAndNode() {
    try (WsClient c = node.client()) {
      JsonObject r = c.connectAnonymous("demo");
      assertTrue(r.getString("session").startsWith("s_"));
      assertFalse(r.getString("key").isEmpty());
      assertEquals("demo", r.getString("tenant"));
      assertEquals("test-node", r.getString("node"));
      assertTrue(r.getString("user").startsWith("anon-"));
      assertEquals(30000L, r.getLong("heartbeatMs"));
    }
  }

  @Test
  void pingGetsPongWithTheSameId() {
    try (WsClient c = node.demoClient()) {
      c.send(new JsonObject().put("id", 77).put("type", "ping"));
      JsonObject pong = c.next();
      assertEquals("pong", pong.getString("type"));
      assertEquals(77L, pong.getLong("id"));
    }
  }

  @Test
  void sequenceStartsAtOneAndAckFollowsAssignment() {
    try (WsClient c = node.demoClient()) {
      JsonObject sub = c.subscribe("seq-start");
      assertEquals(0L, sub.getLong("seq"));
      assertFalse(sub.getBoolean("recovered"));
      String epoch = sub.getString("epoch");
      for (int i = 1; i <= 3; i++) {
        JsonObject ack = c.publish("seq-start", new JsonObject().put("n", i));
        assertEquals("ack", ack.getString("type"));
        assertEquals((long) i, ack.getLong("seq"));
        assertEquals(epoch, ack.getString("epoch"));
        assertFalse(ack.getBoolean("duplicate"));
        assertEquals("seq-start", ack.getString("channel"));
      }
      List<JsonObject> pubs = c.pubs("seq-start", 3);
      for (int i = 0; i < 3; i++) {
        JsonObject p = pubs.get(i);
        assertEquals(i + 1L, p.getLong("seq"));
        assertEquals(epoch, p.getString("epoch"));
        assertEquals(i + 1, p.getJsonObject("data").getInteger("n"));
        assertNull(p.getValue("id"), "pushes carry no id");
      }
    }
  }

  @Test
  void publisherThatIsSubscribedGetsItsOwnPubWithItsKey() {
    try (WsClient c = node.demoClient()) {
      c.subscribe("own");
      JsonObject ack = c.request(new JsonObject().put("type", "publish").put("channel", "own").put("key", "k-1")
          .put("data", new JsonArray().add(1).add("two")));
      JsonObject pub = c.pubs("own", 1).get(0);
      assertEquals(ack.getLong("seq"), pub.getLong("seq"));
      assertEquals("k-1", pub.getString("key"));
      assertEquals(new JsonArray().add(1).add("two"), pub.getJsonArray("data"));
    }
  }

  @Test
  void dataMayBeAnyJsonValue() {
    try (WsClient c = node.demoClient()) {
      c.subscribe("values");
      Object[] values = {"text", 42, 1.5, true, null, new JsonObject().put("a", new JsonArray())};
      for (Object v : values) {
        c.publish("values", v);
      }
      List<JsonObject> pubs = c.pubs("values", values.length);
      for (int i = 0; i < values.length; i++) {
        assertTrue(pubs.get(i).containsKey("data"));
        assertEquals(values[i], pubs.get(i).getValue("data"));
      }
    }
  }

  @Test
  void everySubscriberGetsEveryPublicationInOrder() {
    try (WsClient a = node.demoClient(); WsClient b = node.demoClient(); WsClient pub = node.demoClient()) {
      a.subscribe("fan");
      b.subscribe("fan");
      for (int i = 0; i < 50; i++) {
        pub.send(new JsonObject().put("id", i + 1).put("type", "publish").put("channel", "fan").put("data", i));
      }
      for (WsClient c : List.of(a, b)) {
        List<JsonObject> pubs = c.pubs("fan", 50);
        for (int i = 0; i < 50; i++) {
          assertEquals(i + 1L, pubs.get(i).getLong("seq"));
          assertEquals(i, pubs.get(i).getInteger("data"));
        }
      }
    }
  }

  @Test
  void unsubscribeStopsDeliveries() {
    try (WsClient c = node.demoClient(); WsClient pub = node.demoClient()) {
      c.subscribe("unsub");
      JsonObject r = c.request(new JsonObject().put("type", "unsubscribe").put("channel", "unsub"));
      assertEquals("unsubscribed", r.getString("type"));
      assertEquals("unsub", r.getString("channel"));
      pub.publish("unsub", 1);
      c.send(new JsonObject().put("id", 999).put("type", "ping"));
      JsonObject next = c.next();
      assertEquals("pong", next.getString("type"), "no pub may arrive after unsubscribed: " + next);
    }
  }

  @Test
  void subscribingAgainReplacesTheSubscriptionWithoutDuplicates() {
    try (WsClient c = node.demoClient(); WsClient pub = node.demoClient()) {
      c.subscribe("again");
      pub.publish("again", 1);
      c.pubs("again", 1);
      JsonObject second = c.subscribe("again");
      assertEquals(1L, second.getLong("seq"));
      pub.publish("again", 2);
      JsonObject p = c.pubs("again", 1).get(0);
      assertEquals(2L, p.getLong("seq"));
      c.send(new JsonObject().put("id", 999).put("type", "ping"));
      assertEquals("pong", c.next().getString("type"), "exactly one pub per publication");
    }
  }

  @Test
  void sinceAtTheCurrentPositionIsRecoveredWithNothingMissing() {
    try (WsClient c = node.demoClient()) {
      JsonObject first = c.subscribe("since-current");
      c.publish("since-current", "x");
      JsonObject r = c.request(new JsonObject().put("type", "subscribe").put("channel", "since-current")
          .put("since", new JsonObject().put("epoch", first.getString("epoch")).put("seq", 1)));
      assertTrue(r.getBoolean("recovered"));
      assertEquals(new JsonArray(), r.getJsonArray("pubs"));
      JsonObject stale = c.request(new JsonObject().put("type", "subscribe").put("channel", "since-current")
          .put("since", new JsonObject().put("epoch", "not-the-epoch").put("seq", 1)));
      assertFalse(stale.getBoolean("recovered"));
      JsonObject ahead = c.request(new JsonObject().put("type", "subscribe").put("channel", "since-current")
          .put("since", new JsonObject().put("epoch", first.getString("epoch")).put("seq", 99)));
      assertFalse(ahead.getBoolean("recovered"));
    }
  }

  @Test
  void unknownTypeIsBadRequestAndTheSessionGoesOn() {
    try (WsClient c = node.demoClient()) {
      JsonObject r = c.request(new JsonObject().put("type", "teleport"));
      assertError(r, "bad_request");
      assertFalse(r.getBoolean("retry"));
      assertEquals("pong", c.request(new JsonObject().put("type", "ping")).getString("type"));
    }
  }

  @Test
  void unknownFieldsAreIgnored() {
    try (WsClient c = node.demoClient()) {
      JsonObject r = c.request(new JsonObject().put("type", "ping").put("future", new JsonObject().put("x", 1)));
      assertEquals("pong", r.getString("type"));
    }
  }

  @Test
  void invalidCommandsAreBadRequests() {
    try (WsClient c = node.demoClient()) {
      assertError(c.request(new JsonObject().put("type", "subscribe")), "bad_request");
      assertError(c.request(new JsonObject().put("type", "subscribe").put("channel", "")), "bad_request");
      assertError(c.request(new JsonObject().put("type", "subscribe").put("channel", "a/b")), "bad_request");
      assertError(c.request(new JsonObject().put("type", "subscribe").put("channel", "x".repeat(129))), "bad_request");
      assertError(c.request(new JsonObject().put("type", "subscribe").put("channel", "héllo")), "bad_request");
      assertError(c.request(new JsonObject().put("type", "subscribe").put("channel", 5)), "bad_request");
      assertError(c.request(new JsonObject().put("type", "subscribe").put("channel", "ok")
          .put("since", new JsonObject().put("epoch", "e").put("seq", -1))), "bad_request");
      assertError(c.request(new JsonObject().put("type", "publish").put("channel", "ok")), "bad_request");
      assertError(c.request(new JsonObject().put("type", "publish").put("channel", "ok").put("data", 1)
          .put("patch", new JsonObject())), "bad_request");
      assertError(c.request(new JsonObject().put("type", "publish").put("channel", "ok").put("key", "")
          .put("data", 1)), "bad_request");
      assertError(c.request(new JsonObject().put("type", "publish").put("channel", "ok").put("key", "k".repeat(129))
          .put("data", 1)), "bad_request");
      assertError(c.request(new JsonObject().put("type", "connect").put("tenant", "demo")), "bad_request");
      // 128 characters of every allowed kind is a valid name.
      String longest = "Az09_-.:@".repeat(15).substring(0, 128);
      assertEquals("subscribed", c.request(new JsonObject().put("type", "subscribe").put("channel", longest))
          .getString("type"));
    }
  }

  @Test
  void jsonTheServerCannotCarryIsABadRequestAndNothingIsPublished() {
    try (WsClient c = node.demoClient()) {
      c.subscribe("exact");
      List<String> frames = List.of(
          "{\"id\":101,\"type\":\"publish\",\"channel\":\"exact\",\"data\":1e400}",
          "{\"id\":102,\"type\":\"publish\",\"channel\":\"exact\",\"data\":[12345678901234567890123]}",
          "{\"id\":103,\"type\":\"publish\",\"channel\":\"exact\",\"data\":{\"x\":0.10000000000000000000001}}",
          "{\"id\":104,\"type\":\"publish\",\"channel\":\"exact\",\"data\":\"\\ud800\"}",
          "{\"id\":105,\"type\":\"publish\",\"channel\":\"exact\",\"data\":{\"\\udc00\":1}}",
          "{\"id\":106,\"type\":\"publish\",\"channel\":\"exact\",\"data\":1 /* one */}",
          "{\"id\":107,\"type\":\"publish\",\"channel\":\"exact\",\"data\":1} // one");
      for (int i = 0; i < frames.size(); i++) {
        c.sendText(frames.get(i));
        long id = 101 + i;
        JsonObject r = c.awaitFrame(f -> Long.valueOf(id).equals(f.getLong("id")));
        assertError(r, "bad_request");
      }
      assertEquals("pong", c.request(new JsonObject().put("type", "ping")).getString("type"));
      assertEquals(1L, c.publish("exact", 1).getLong("seq"), "none of the refused publishes took a seq");
    }
  }

  @Test
  void numbersAndTextArePassedOnAsSent() {
    String data = "[9223372036854775807,-9223372036854775808,0.1,-2.5,1.0,1.5E+300,8.17E+21,0.30000000000000004,"
        + "-0.0,\"h\u00e9 \ud83d\ude00\"]";
    try (RawWebSocket ws = RawWebSocket.connect(node.port(), java.util.Map.of())) {
      ws.sendText("{\"id\":1,\"type\":\"connect\",\"tenant\":\"demo\"}");
      ws.sendText("{\"id\":2,\"type\":\"subscribe\",\"channel\":\"as-sent\"}");
      ws.sendText("{\"id\":3,\"type\":\"publish\",\"channel\":\"as-sent\",\"data\":" + data + "}");
      String pub = null;
      for (int i = 0; i < 10 && pub == null; i++) {
        RawWebSocket.Frame f = ws.readUntil(RawWebSocket.TEXT, 5000);
        assertNotNull(f, "no pub");
        pub = f.text().contains("\"type\":\"pub\"") ? f.text() : null;
      }
      assertTrue(pub != null && pub.endsWith(",\"data\":" + data + "}"), pub);
    }
  }

  @Test
  void theSameChannelNameInTwoTenantsIsTwoChannels() {
    try (WsClient demo = node.demoClient(); WsClient readonly = node.client()) {
      readonly.connectAnonymous("readonly");
      readonly.subscribe("shared-name");
      demo.subscribe("shared-name");
      demo.publish("shared-name", "demo only");
      demo.pubs("shared-name", 1);
      readonly.send(new JsonObject().put("id", 5).put("type", "ping"));
      assertEquals("pong", readonly.next().getString("type"), "no delivery across tenants");
    }
  }

  @Test
  void tenantWithoutClientPublishRefusesPublishes() {
    try (WsClient c = node.client()) {
      c.connectAnonymous("readonly");
      JsonObject r = c.publish("news", 1);
      assertError(r, "forbidden");
    }
  }

  @Test
  void subscriptionLimitIsEnforced() {
    try (TestNode small = TestNode.startWith(new JsonObject().put("limits", new JsonObject().put("maxSubscriptions", 2)));
         WsClient c = small.demoClient()) {
      c.subscribe("one");
      c.subscribe("two");
      c.subscribe("two"); // replacing an existing subscription does not count twice
      JsonObject r = c.request(new JsonObject().put("type", "subscribe").put("channel", "three"));
      assertError(r, "too_large");
      c.request(new JsonObject().put("type", "unsubscribe").put("channel", "one"));
      c.subscribe("three");
    }
  }

  @Test
  void commandsAboveTheRateAreRateLimitedWithRetryAfter() {
    JsonObject limits = new JsonObject().put("limits", new JsonObject().put("commandRate", 5).put("commandBurst", 5));
    try (TestNode limited = TestNode.startWith(limits); WsClient c = limited.demoClient()) {
      for (int i = 0; i < 20; i++) {
        c.send(new JsonObject().put("id", 100 + i).put("type", "ping"));
      }
      int pongs = 0;
      int limitedCount = 0;
      for (int i = 0; i < 20; i++) {
        JsonObject f = c.next();
        if ("pong".equals(f.getString("type"))) {
          pongs++;
        } else {
          assertError(f, "rate_limited");
          assertTrue(f.getBoolean("retry"));
          assertNotNull(f.getLong("retryAfterMs"));
          limitedCount++;
        }
      }
      assertTrue(pongs >= 4 && pongs <= 6, "burst of 5 (connect used one): " + pongs);
      assertEquals(20 - pongs, limitedCount);
    }
  }

  @Test
  void sessionsHaveDistinctIdsAndKeys() {
    try (WsClient a = node.client(); WsClient b = node.client()) {
      JsonObject ra = a.connectAnonymous("demo");
      JsonObject rb = b.connectAnonymous("demo");
      assertNotEquals(ra.getString("session"), rb.getString("session"));
      assertNotEquals(ra.getString("key"), rb.getString("key"));
    }
  }

  static void assertError(JsonObject reply, String code) {
    assertEquals("error", reply.getString("type"), reply.encode());
    assertEquals(code, reply.getString("code"), reply.encode());
    assertNotNull(reply.getString("message"));
  }
}
