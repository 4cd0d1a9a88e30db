package dev.syncwire.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonCodecTest {

  @Test
  void decodesEveryCommand() {
    assertEquals(new Command.Connect(1, "t.o.k", null, "browser/1.0"),
        JsonCodec.decode("{\"id\":1,\"type\":\"connect\",\"token\":\"t.o.k\",\"client\":\"browser/1.0\"}"));
    assertEquals(new Command.Connect(1, null, "demo", null), JsonCodec.decode("{\"id\":1,\"type\":\"connect\",\"tenant\":\"demo\"}"));
    assertEquals(new Command.Subscribe(2, "orders", null), JsonCodec.decode("{\"id\":2,\"type\":\"subscribe\",\"channel\":\"orders\"}"));
    assertEquals(new Command.Subscribe(3, "orders", new Command.Since("k3x9", 41)),
        JsonCodec.decode("{\"id\":3,\"type\":\"subscribe\",\"channel\":\"orders\",\"since\":{\"epoch\":\"k3x9\",\"seq\":41}}"));
    assertEquals(new Command.Unsubscribe(4, "orders"), JsonCodec.decode("{\"id\":4,\"type\":\"unsubscribe\",\"channel\":\"orders\"}"));
    assertEquals(new Command.Publish(5, "orders", "c7f1-0001", "{\"any\":\"json\"}", null),
        JsonCodec.decode("{\"id\":5,\"type\":\"publish\",\"channel\":\"orders\",\"key\":\"c7f1-0001\",\"data\":{\"any\":\"json\"}}"));
    Command.Publish patch = (Command.Publish) JsonCodec.decode(
        "{\"id\":6,\"type\":\"publish\",\"channel\":\"doc:42\",\"patch\":{\"entity\":\"row-7\",\"set\":{\"qty\":3}}}");
    assertNull(patch.dataJson());
    assertEquals(new JsonObject().put("entity", "row-7").put("set", new JsonObject().put("qty", 3)), new JsonObject(patch.patchJson()));
    assertEquals(new Command.Ping(7), JsonCodec.decode("{\"id\":7,\"type\":\"ping\"}"));
    assertEquals(new Command.Ping(9007199254740993L), JsonCodec.decode("{\"id\":9007199254740993,\"type\":\"ping\"}"));
  }

  @Test
  void nullDataIsAValue() {
    Command.Publish p = (Command.Publish) JsonCodec.decode("{\"id\":1,\"type\":\"publish\",\"channel\":\"c\",\"data\":null}");
    assertEquals("null", p.dataJson());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "nope", "{", "[1]", "\"s\"", "42", "null", "{\"type\":\"ping\"}", "{\"id\":\"1\",\"type\":\"ping\"}",
      "{\"id\":1.5,\"type\":\"ping\"}", "{\"id\":null,\"type\":\"ping\"}"})
  void malformedFramesAreNotCommands(String text) {
    assertThrows(MalformedFrameException.class, () -> JsonCodec.decode(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"id\":1}", "{\"id\":1,\"type\":5}", "{\"id\":1,\"type\":\"jump\"}",
      "{\"id\":1,\"type\":\"subscribe\"}", "{\"id\":1,\"type\":\"subscribe\",\"channel\":\"a b\"}",
      "{\"id\":1,\"type\":\"subscribe\",\"channel\":\"c\",\"since\":5}",
      "{\"id\":1,\"type\":\"subscribe\",\"channel\":\"c\",\"since\":{\"seq\":1}}",
      "{\"id\":1,\"type\":\"subscribe\",\"channel\":\"c\",\"since\":{\"epoch\":\"e\",\"seq\":\"1\"}}",
      "{\"id\":1,\"type\":\"publish\",\"channel\":\"c\"}", "{\"id\":1,\"type\":\"publish\",\"channel\":\"c\",\"patch\":[]}",
      "{\"id\":1,\"type\":\"publish\",\"channel\":\"c\",\"key\":7,\"data\":1}",
      "{\"id\":1,\"type\":\"connect\",\"token\":42}"})
  void invalidCommandsAreBadRequestsCarryingTheirId(String text) {
    ProtocolException e = assertThrows(ProtocolException.class, () -> JsonCodec.decode(text));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertEquals(1L, e.commandId());
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"id\":1,\"type\":\"publish\",\"channel\":\"c\",\"data\":1e400}",
      "{\"type\":\"publish\",\"channel\":\"c\",\"data\":12345678901234567890123,\"id\":1}",
      "{\"id\":1,\"type\":\"publish\",\"channel\":\"c\",\"data\":\"\\ud800\"}",
      "{\"id\":1,\"type\":\"ping\" /* why not */}", "{\"id\":1,\"type\":\"ping\"} // trailing"})
  void jsonTheServerCannotCarryIsABadRequestWhenTheCommandHasAnId(String text) {
    ProtocolException e = assertThrows(ProtocolException.class, () -> JsonCodec.decode(text));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertEquals(1L, e.commandId());
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"type\":\"ping\",\"n\":1e400}", "/* hi */ [1]", "{\"id\":1e400,\"type\":\"ping\"}"})
  void jsonTheServerCannotCarryWithoutAnIdIsMalformed(String text) {
    assertThrows(MalformedFrameException.class, () -> JsonCodec.decode(text));
  }

  @Test
  void publishedNumbersArePassedOnAsSent() {
    String data = "[9223372036854775807,-9223372036854775808,0.1,1.5E+300,-2.5,1.0,0.30000000000000004,8.17E+21]";
    Command.Publish p = (Command.Publish) JsonCodec.decode("{\"id\":1,\"type\":\"publish\",\"channel\":\"c\",\"data\":"
        + data + "}");
    assertEquals(data, p.dataJson());
  }

  @Test
  void encodesRepliesAndPushesAsTheProtocolShowsThem() {
    assertEquals("{\"id\":1,\"type\":\"connected\",\"session\":\"s_1\",\"key\":\"k\",\"user\":\"u1\",\"tenant\":\"acme\",\"node\":\"n1\",\"heartbeatMs\":30000}",
        JsonCodec.toJson(new ServerFrame.Connected(1, "s_1", "k", "u1", "acme", "n1", 30000)));
    assertEquals("{\"id\":5,\"type\":\"ack\",\"channel\":\"orders\",\"seq\":46,\"epoch\":\"k3x9\",\"duplicate\":false}",
        JsonCodec.toJson(new ServerFrame.Ack(5, "orders", 46, "k3x9", false)));
    assertEquals("{\"type\":\"pub\",\"channel\":\"orders\",\"epoch\":\"k3x9\",\"seq\":46,\"key\":\"c7f1-0001\",\"data\":{\"any\":\"json\"}}",
        JsonCodec.toJson(new ServerFrame.Pub("orders", "k3x9", 46, 0, "c7f1-0001", "{\"any\":\"json\"}", null)));
    assertEquals("{\"type\":\"pub\",\"channel\":\"d\",\"epoch\":\"e\",\"seq\":60,\"from\":48,\"patch\":{}}",
        JsonCodec.toJson(new ServerFrame.Pub("d", "e", 60, 48, null, null, "{}")));
    assertEquals("{\"id\":2,\"type\":\"subscribed\",\"channel\":\"o\",\"epoch\":\"e\",\"seq\":45,\"recovered\":true,\"pubs\":[{\"type\":\"pub\",\"channel\":\"o\",\"epoch\":\"e\",\"seq\":45,\"data\":1}]}",
        JsonCodec.toJson(new ServerFrame.Subscribed(2, "o", "e", 45, true,
            List.of(new ServerFrame.Pub("o", "e", 45, 0, null, "1", null)), null)));
    assertEquals("{\"id\":4,\"type\":\"unsubscribed\",\"channel\":\"orders\"}", JsonCodec.toJson(new ServerFrame.Unsubscribed(4, "orders")));
    assertEquals("{\"id\":7,\"type\":\"pong\"}", JsonCodec.toJson(new ServerFrame.Pong(7)));
    assertEquals("{\"type\":\"reset\",\"channel\":\"doc:42\",\"reason\":\"epoch_changed\"}",
        JsonCodec.toJson(new ServerFrame.Reset("doc:42", "epoch_changed")));
    assertEquals("{\"type\":\"reconnect\",\"delayMs\":2300,\"reason\":\"draining\"}",
        JsonCodec.toJson(new ServerFrame.Reconnect(2300, "draining")));
    assertEquals("{\"id\":6,\"type\":\"error\",\"code\":\"rate_limited\",\"message\":\"slow down\",\"retry\":true,\"retryAfterMs\":250}",
        JsonCodec.toJson(new ServerFrame.Error(6L, ErrorCode.RATE_LIMITED, "slow down", true, 250L, null)));
    assertEquals("{\"type\":\"error\",\"code\":\"bad_request\",\"message\":\"m\",\"retry\":false}",
        JsonCodec.toJson(ServerFrame.Error.of(null, ErrorCode.BAD_REQUEST, "m")));
  }

  @Test
  void stringsAreEscaped() {
    String channel = "c";
    String tricky = "quote\" backslash\\ newline\n tab\t unicode é \u0001";
    JsonObject decoded = new JsonObject(JsonCodec.toJson(new ServerFrame.Pub(channel, tricky, 1, 0, tricky, "1", null)));
    assertEquals(tricky, decoded.getString("epoch"));
    assertEquals(tricky, decoded.getString("key"));
    assertEquals("\"a\\\"b\"", JsonCodec.quote("a\"b"));
  }

  @Test
  void roundTripOfPublishedDataIsExact() {
    JsonObject data = new JsonObject().put("n", 1).put("s", "x").put("a", new JsonArray().add(true).addNull());
    Command.Publish p = (Command.Publish) JsonCodec.decode(new JsonObject().put("id", 1).put("type", "publish")
        .put("channel", "c").put("data", data).encode());
    JsonObject pub = new JsonObject(JsonCodec.toJson(new ServerFrame.Pub("c", "e", 1, 0, null, p.dataJson(), null)));
    assertEquals(data, pub.getJsonObject("data"));
  }

  @Test
  void channelNameRules() {
    assertEquals("Az09_-.:@", ChannelNames.require("Az09_-.:@"));
    assertInstanceOf(ProtocolException.class, assertThrows(ProtocolException.class, () -> ChannelNames.require("a*b")));
    assertThrows(ProtocolException.class, () -> ChannelNames.require("x".repeat(129)));
    assertEquals(128, ChannelNames.require("x".repeat(128)).length());
  }
}
