package dev.syncwire.client;

import dev.syncwire.protocol.Command;
import dev.syncwire.protocol.ErrorCode;
import dev.syncwire.protocol.FrameCodec;
import dev.syncwire.protocol.JsonCodec;
import dev.syncwire.protocol.ProtoCodec;
import dev.syncwire.protocol.ServerFrame;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The client's codecs against the server's: what the client encodes the server decodes to the same command
 * in both encodings, and every server frame reads back to the same JSON form from both.
 */
class ClientCodecTest {
  private static final FrameCodec SERVER_JSON = JsonCodec.INSTANCE;
  private static final FrameCodec SERVER_PROTO = new ProtoCodec(64);

  private static final List<JsonObject> COMMANDS = List.of(
      new JsonObject().put("id", 1).put("type", "connect").put("token", "t.o.k").put("client", "java/x"),
      new JsonObject().put("id", 2).put("type", "connect").put("tenant", "demo"),
      new JsonObject().put("id", 3).put("type", "subscribe").put("channel", "orders"),
      new JsonObject().put("id", 4).put("type", "subscribe").put("channel", "orders")
          .put("since", new JsonObject().put("epoch", "k3x9").put("seq", 41)),
      new JsonObject().put("id", 5).put("type", "unsubscribe").put("channel", "orders"),
      new JsonObject().put("id", 6).put("type", "publish").put("channel", "orders").put("key", "k-1")
          .put("data", new JsonObject().put("text", "héllo \"quoted\"\n").put("n", 12345678901L).put("f", 1.5)),
      new JsonObject().put("id", 7).put("type", "publish").put("channel", "orders").put("data", "just a string"),
      new JsonObject().put("id", 8).put("type", "publish").put("channel", "doc:42").put("key", "k-2")
          .put("patch", new JsonObject().put("entity", "row-7").put("set", new JsonObject().put("title", "Hi").put("qty", 3))
              .put("unset", new JsonArray().add("draft")).put("inc", new JsonObject().put("likes", 1))
              .put("if", new JsonObject().put("title", 45))),
      new JsonObject().put("id", 9).put("type", "ping"),
      new JsonObject().put("id", 10).put("type", "refresh").put("token", "a.b.c"));

  @Test
  void theServerReadsEveryCommandAlikeInBothEncodings() {
    for (JsonObject command : COMMANDS) {
      Command fromJson = SERVER_JSON.decodeText(ClientCodec.JSON.encode(command).toString());
      Command fromProto = SERVER_PROTO.decode(ClientCodec.PROTO.encode(command).getBytes());
      assertEquals(normal(fromJson), normal(fromProto), command.encode());
      assertEquals(command.getLong("id"), idOf(fromJson));
    }
  }

  /** Publish carries JSON text, whose spelling may differ between encodings; compare it parsed. */
  private static Object normal(Command c) {
    if (c instanceof Command.Publish p) {
      return List.of(p.id(), p.channel(), String.valueOf(p.key()),
          p.dataJson() == null ? "-" : io.vertx.core.json.Json.decodeValue(p.dataJson()),
          p.patchJson() == null ? "-" : new JsonObject(p.patchJson()));
    }
    return c;
  }

  private static long idOf(Command c) {
    if (c instanceof Command.Publish p) {
      return p.id();
    }
    if (c instanceof Command.Subscribe s) {
      return s.id();
    }
    if (c instanceof Command.Connect s) {
      return s.id();
    }
    if (c instanceof Command.Unsubscribe s) {
      return s.id();
    }
    if (c instanceof Command.Ping s) {
      return s.id();
    }
    return ((Command.Refresh) c).id();
  }

  private static final String PATCH = "{\"entity\":\"row-7\",\"set\":{\"title\":\"Hi\",\"body\":\""
      + "x".repeat(200) + "\"},\"inc\":{\"n\":2},\"unset\":[\"draft\"],\"versions\":{\"title\":47,\"body\":47,\"n\":47}}";

  private static final List<ServerFrame> FRAMES = List.of(
      new ServerFrame.Connected(1, "s_abc.n1", "key", "u1", "acme", "n1", 30_000),
      new ServerFrame.Subscribed(2, "orders", "k3x9", 45, true, List.of(
          new ServerFrame.Pub("orders", "k3x9", 44, 0, "c-1", "{\"a\":[1,2,{\"b\":null}]}", null),
          new ServerFrame.Pub("orders", "k3x9", 45, 0, null, "\"text\"", null)), null),
      new ServerFrame.Subscribed(3, "doc:42", "k3x9", 45, false, List.of(),
          "{\"seq\":45,\"entities\":{\"row-7\":{\"title\":{\"v\":\"Hi\",\"seq\":47}}}}"),
      new ServerFrame.Unsubscribed(4, "orders"),
      new ServerFrame.Ack(5, "orders", 46, "k3x9", true),
      new ServerFrame.Pong(7),
      new ServerFrame.Refreshed(8, 1767225600000L),
      new ServerFrame.Refreshed(9, null),
      new ServerFrame.Error(6L, ErrorCode.CONFLICT, "title changed", false, null, "{\"title\":{\"v\":\"Hey\",\"seq\":47}}"),
      new ServerFrame.Error(null, ErrorCode.OVERLOADED, "busy", true, 250L, null),
      new ServerFrame.Pub("orders", "k3x9", 46, 0, "c-1", "{\"any\":\"json\",\"big\":12345678901234,\"d\":0.25}", null),
      new ServerFrame.Pub("doc:42", "k3x9", 47, 0, "c-2", null, PATCH),
      new ServerFrame.Pub("doc:42", "k3x9", 60, 48, null, null, PATCH),
      new ServerFrame.Reset("doc:42", "epoch_changed"),
      new ServerFrame.Reconnect(2300, "draining"));

  @Test
  void everyServerFrameReadsTheSameFromBothEncodings() {
    for (ServerFrame frame : FRAMES) {
      JsonObject json = ClientCodec.JSON.decode(Buffer.buffer(SERVER_JSON.encode(frame)));
      JsonObject proto = ClientCodec.PROTO.decode(Buffer.buffer(SERVER_PROTO.encode(frame)));
      assertEquals(json, proto, frame.toString());
    }
  }

  @Test
  void aCompressedPatchIsInflated() {
    ServerFrame pub = new ServerFrame.Pub("doc:42", "e", 47, 0, null, null, PATCH);
    JsonObject proto = ClientCodec.PROTO.decode(Buffer.buffer(new ProtoCodec(16).encode(pub)));
    assertEquals("x".repeat(200), proto.getJsonObject("patch").getJsonObject("set").getString("body"));
  }

  @Test
  void bytesThatAreNoFrameAreRefusedCleanly() {
    assertThrows(IllegalArgumentException.class, () -> ClientCodec.JSON.decode(Buffer.buffer("[1,2]")));
    assertThrows(IllegalArgumentException.class, () -> ClientCodec.JSON.decode(Buffer.buffer("{nope")));
    assertThrows(IllegalArgumentException.class, () -> ClientCodec.PROTO.decode(Buffer.buffer(new byte[] {(byte) 0xff, 1, 2})));
    assertThrows(IllegalArgumentException.class, () -> ClientCodec.named("xml"));
  }
}
