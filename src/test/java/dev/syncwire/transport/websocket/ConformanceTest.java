package dev.syncwire.transport.websocket;

import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WireCodec;
import dev.syncwire.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.syncwire.transport.websocket.WebSocketProtocolTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The protocol's conformance cases, each run over both encodings: JSON text frames and protobuf binary
 * frames. Channel names carry the codec so the two runs never share a channel.
 */
class ConformanceTest {
  private static final AtomicInteger CHANNELS = new AtomicInteger();
  private static TestNode node;

  @BeforeAll
  static void start() {
    JsonObject config = TestNode.baseConfig();
    config.getJsonArray("tenants").add(new JsonObject().put("id", "short").put("anonymous", true)
        .put("clientPublish", true).put("history", new JsonObject().put("size", 2)));
    config.put("state", new JsonObject().put("maxValueBytes", 4096));
    node = TestNode.start(config);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static String channel(WireCodec codec, String name) {
    return name + "-" + codec.name().toLowerCase() + "-" + CHANNELS.incrementAndGet();
  }

  private static JsonObject publish(WsClient c, String channel, String key, Object data) {
    JsonObject cmd = new JsonObject().put("type", "publish").put("channel", channel).put("data", data);
    if (key != null) {
      cmd.put("key", key);
    }
    return c.request(cmd);
  }

  private static JsonObject patch(WsClient c, String channel, JsonObject patch) {
    return c.request(new JsonObject().put("type", "publish").put("channel", channel).put("patch", patch));
  }

  private static JsonObject subscribeSince(WsClient c, String channel, String epoch, long seq) {
    return c.request(new JsonObject().put("type", "subscribe").put("channel", channel)
        .put("since", new JsonObject().put("epoch", epoch).put("seq", seq)));
  }

  @ParameterizedTest
  @EnumSource(WireCodec.class)
  void connectPingAndTheBasicFlow(WireCodec codec) {
    String ch = channel(codec, "basic");
    try (WsClient c = node.client(codec)) {
      assertEquals(codec, c.codec());
      JsonObject connected = c.connectAnonymous("demo");
      assertEquals("test-node", connected.getString("node"));
      assertEquals("pong", c.request(new JsonObject().put("type", "ping")).getString("type"));
      JsonObject sub = c.subscribe(ch);
      assertEquals(0L, sub.getLong("seq"));
      JsonObject ack = publish(c, ch, "k1", new JsonObject().put("a", 1));
      assertEquals("ack", ack.getString("type"));
      assertEquals(1L, ack.getLong("seq"));
      JsonObject pub = c.pubs(ch, 1).get(0);
      assertEquals(new JsonObject().put("type", "pub").put("channel", ch).put("epoch", sub.getString("epoch"))
          .put("seq", 1L).put("key", "k1").put("data", new JsonObject().put("a", 1)), pub);
      JsonObject unsub = c.request(new JsonObject().put("type", "unsubscribe").put("channel", ch));
      assertEquals("unsubscribed", unsub.getString("type"));
    }
  }

  @ParameterizedTest
  @EnumSource(WireCodec.class)
  void badInputGetsCodedErrors(WireCodec codec) {
    try (WsClient c = node.demoClient(codec); WsClient ro = node.client(codec)) {
      assertError(c.request(new JsonObject().put("type", "subscribe").put("channel", "no spaces")), "bad_request");
      assertError(c.request(new JsonObject().put("type", "publish").put("channel", "ok").put("key", "")
          .put("data", 1)), "bad_request");
      ro.connectAnonymous("readonly");
      assertError(publish(ro, "news", null, 1), "forbidden");
    }
  }

  @ParameterizedTest
  @EnumSource(WireCodec.class)
  void recoveryAfterARealDisconnectReplaysExactlyWhatWasMissed(WireCodec codec) {
    String ch = channel(codec, "recover");
    try (WsClient publisher = node.demoClient(codec)) {
      String epoch;
      long last;
      try (WsClient c = node.demoClient(codec)) {
        epoch = c.subscribe(ch).getString("epoch");
        for (int i = 1; i <= 3; i++) {
          publish(publisher, ch, null, i);
        }
        List<JsonObject> got = c.pubs(ch, 3);
        last = got.get(2).getLong("seq");
      }
      for (int i = 4; i <= 8; i++) {
        publish(publisher, ch, "m" + i, i);
      }
      try (WsClient c = node.demoClient(codec)) {
        JsonObject r = subscribeSince(c, ch, epoch, last);
        assertTrue(r.getBoolean("recovered"), r.encode());
        assertEquals(8L, r.getLong("seq"));
        JsonArray pubs = r.getJsonArray("pubs");
        assertEquals(5, pubs.size());
        for (int i = 0; i < 5; i++) {
          JsonObject p = pubs.getJsonObject(i);
          assertEquals(4L + i, p.getLong("seq"));
          assertEquals(4 + i, p.getInteger("data"));
          assertEquals("m" + (4 + i), p.getString("key"));
          assertEquals(epoch, p.getString("epoch"));
          assertEquals(ch, p.getString("channel"));
        }
        publish(publisher, ch, null, 9);
        JsonObject live = c.pubs(ch, 1).get(0);
        assertEquals(9L, live.getLong("seq"), "live delivery continues right after the replay");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(WireCodec.class)
  void staleEpochFallingOutOfHistoryOrAheadIsNotRecovered(WireCodec codec) {
    String ch = channel(codec, "norecover");
    try (WsClient c = node.client(codec)) {
      c.connectAnonymous("short");
      String epoch = c.subscribe(ch).getString("epoch");
      for (int i = 1; i <= 5; i++) {
        publish(c, ch, null, i);
      }
      assertFalse(subscribeSince(c, ch, "some-old-epoch", 5).getBoolean("recovered"));
      assertFalse(subscribeSince(c, ch, epoch, 2).getBoolean("recovered"), "tenant history keeps only 2");
      assertTrue(subscribeSince(c, ch, epoch, 3).getBoolean("recovered"));
      JsonObject ahead = subscribeSince(c, ch, epoch, 6);
      assertFalse(ahead.getBoolean("recovered"));
      assertNull(ahead.getJsonArray("pubs"), "never a partial replay");
    }
  }

  @ParameterizedTest
  @EnumSource(WireCodec.class)
  void duplicatePublishAcrossAReconnectIsAppliedOnce(WireCodec codec) {
    String ch = channel(codec, "dedup");
    try (WsClient subscriber = node.demoClient(codec)) {
      subscriber.subscribe(ch);
      long seq;
      try (WsClient publisher = node.demoClient(codec)) {
        seq = publish(publisher, ch, "order-42", new JsonObject().put("qty", 1)).getLong("seq");
      }
      try (WsClient again = node.demoClient(codec)) {
        JsonObject ack = publish(again, ch, "order-42", new JsonObject().put("qty", 1));
        assertEquals(seq, ack.getLong("seq"));
        assertTrue(ack.getBoolean("duplicate"));
        assertEquals(seq + 1, publish(again, ch, "order-43", 2).getLong("seq"));
      }
      List<JsonObject> pubs = subscriber.pubs(ch, 2);
      assertEquals(List.of("order-42", "order-43"), pubs.stream().map(p -> p.getString("key")).toList());
    }
  }

  @ParameterizedTest
  @EnumSource(WireCodec.class)
  void stateChannelPatchesSnapshotsAndVersions(WireCodec codec) {
    String ch = channel(codec, "doc");
    try (WsClient a = node.demoClient(codec); WsClient late = node.demoClient(codec)) {
      JsonObject first = a.subscribe(ch);
      assertNull(first.getJsonObject("snapshot"), "no state yet");
      JsonObject ack = patch(a, ch, new JsonObject().put("entity", "row-7")
          .put("set", new JsonObject().put("title", "Hi").put("qty", 3).put("draft", true)));
      assertEquals(1L, ack.getLong("seq"));
      ack = patch(a, ch, new JsonObject().put("entity", "row-7").put("unset", new JsonArray().add("draft"))
          .put("inc", new JsonObject().put("qty", 2)).put("if", new JsonObject().put("title", 1)));
      assertEquals(2L, ack.getLong("seq"));
      List<JsonObject> pubs = a.pubs(ch, 2);
      assertEquals(new JsonObject().put("entity", "row-7").put("set", new JsonObject().put("title", "Hi").put("qty", 3).put("draft", true))
          .put("versions", new JsonObject().put("title", 1).put("qty", 1).put("draft", 1)), pubs.get(0).getJsonObject("patch"));
      assertEquals(new JsonObject().put("entity", "row-7").put("unset", new JsonArray().add("draft"))
          .put("inc", new JsonObject().put("qty", 2)).put("versions", new JsonObject().put("qty", 2)), pubs.get(1).getJsonObject("patch"));

      JsonObject sub = late.subscribe(ch);
      assertFalse(sub.getBoolean("recovered"));
      assertEquals(new JsonObject("{\"seq\":2,\"entities\":{\"row-7\":{\"title\":{\"v\":\"Hi\",\"seq\":1},\"qty\":{\"v\":5,\"seq\":2}}}}"),
          sub.getJsonObject("snapshot"));
      patch(a, ch, new JsonObject().put("entity", "row-7").put("unset", new JsonArray().add("title").add("qty")));
      assertEquals(new JsonObject(), late.subscribe(ch).getJsonObject("snapshot").getJsonObject("entities"),
          "an entity whose last field is unset disappears");
    }
  }

  @ParameterizedTest
  @EnumSource(WireCodec.class)
  void conflictingWritersOneWinsTheOtherGetsTheCurrentVersion(WireCodec codec) {
    String ch = channel(codec, "race");
    try (WsClient alice = node.demoClient(codec); WsClient bob = node.demoClient(codec)) {
      patch(alice, ch, new JsonObject().put("entity", "doc").put("set", new JsonObject().put("title", "v1")));
      long version = new JsonObject(bob.subscribe(ch).getJsonObject("snapshot").encode()).getJsonObject("entities")
          .getJsonObject("doc").getJsonObject("title").getLong("seq");
      JsonObject won = patch(alice, ch, new JsonObject().put("entity", "doc")
          .put("set", new JsonObject().put("title", "alice")).put("if", new JsonObject().put("title", version)));
      assertEquals("ack", won.getString("type"));
      JsonObject lost = patch(bob, ch, new JsonObject().put("entity", "doc")
          .put("set", new JsonObject().put("title", "bob")).put("if", new JsonObject().put("title", version)));
      assertError(lost, "conflict");
      assertFalse(lost.getBoolean("retry"));
      assertEquals(new JsonObject().put("title", new JsonObject().put("v", "alice").put("seq", won.getLong("seq"))),
          lost.getJsonObject("current"));
      try (WsClient check = node.demoClient(codec)) {
        assertEquals("alice", check.subscribe(ch).getJsonObject("snapshot").getJsonObject("entities")
            .getJsonObject("doc").getJsonObject("title").getString("v"), "the losing write changed nothing");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(WireCodec.class)
  void invalidAndOversizedPatchesAreRefused(WireCodec codec) {
    String ch = channel(codec, "bounds");
    try (WsClient c = node.demoClient(codec)) {
      patch(c, ch, new JsonObject().put("entity", "e").put("set", new JsonObject().put("name", "text")));
      assertError(patch(c, ch, new JsonObject().put("entity", "e").put("inc", new JsonObject().put("name", 1))), "bad_request");
      assertError(patch(c, ch, new JsonObject().put("entity", "e").put("set", new JsonObject().put("big", "x".repeat(5000)))), "too_large");
      assertError(patch(c, ch, new JsonObject().put("entity", "e")), "bad_request");
      assertEquals(2L, patch(c, ch, new JsonObject().put("entity", "e").put("set", new JsonObject().put("n", 1))).getLong("seq"),
          "refused patches consume no seq");
    }
  }
}
