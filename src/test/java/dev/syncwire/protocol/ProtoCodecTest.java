package dev.syncwire.protocol;

import com.google.protobuf.ByteString;
import dev.syncwire.protocol.proto.ClientFrame;
import dev.syncwire.protocol.proto.Patch;
import dev.syncwire.protocol.proto.Publish;
import dev.syncwire.protocol.proto.StateDelta;
import dev.syncwire.protocol.proto.Subscribe;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.Inflater;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The binary subprotocol's codec without I/O: the same commands and frames as the JSON codec. */
class ProtoCodecTest {
  private static final int COMPRESS_ABOVE = 64;
  private final ProtoCodec codec = new ProtoCodec(COMPRESS_ABOVE);

  @Test
  void decodesCommandsLikeTheirJsonForm() {
    byte[] subscribe = ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder().setId(3).setChannel("orders")
        .setSince(dev.syncwire.protocol.proto.Since.newBuilder().setEpoch("k3x9").setSeq(41))).build().toByteArray();
    assertEquals(JsonCodec.decode("{\"id\":3,\"type\":\"subscribe\",\"channel\":\"orders\",\"since\":{\"epoch\":\"k3x9\",\"seq\":41}}"),
        codec.decode(subscribe));

    byte[] publish = ClientFrame.newBuilder().setPublish(Publish.newBuilder().setId(5).setChannel("orders").setKey("c7f1-0001")
        .setData(utf8("{\"any\":\"json\"}"))).build().toByteArray();
    assertEquals(JsonCodec.decode("{\"id\":5,\"type\":\"publish\",\"channel\":\"orders\",\"key\":\"c7f1-0001\",\"data\":{\"any\":\"json\"}}"),
        codec.decode(publish));
  }

  @Test
  void aPatchBecomesTheSameJsonPatch() {
    byte[] frame = ClientFrame.newBuilder().setPublish(Publish.newBuilder().setId(6).setChannel("doc:42")
        .setPatch(Patch.newBuilder().setEntity("row-7").putSet("qty", utf8("3")).putSet("note", utf8("\"hi\""))
            .addUnset("old").putInc("views", utf8("1")).putIf("qty", 12))).build().toByteArray();
    Command.Publish p = (Command.Publish) codec.decode(frame);
    assertEquals(new JsonObject("{\"entity\":\"row-7\",\"set\":{\"qty\":3,\"note\":\"hi\"},\"unset\":[\"old\"],"
        + "\"inc\":{\"views\":1},\"if\":{\"qty\":12}}"), new JsonObject(p.patchJson()));
    assertEquals(null, p.dataJson());
  }

  @Test
  void bytesThatAreNoClientFrameAreMalformed() {
    assertThrows(MalformedFrameException.class, () -> codec.decode(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}));
    assertThrows(MalformedFrameException.class, () -> codec.decode(new byte[0]), "a frame without a command");
    assertThrows(MalformedFrameException.class, () -> codec.decodeText("{\"id\":1,\"type\":\"ping\"}"));
  }

  @Test
  void invalidFieldsAreBadRequestsCarryingTheirId() {
    byte[] badChannel = ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder().setId(9).setChannel("a b"))
        .build().toByteArray();
    ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decode(badChannel));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertEquals(9L, e.commandId());

    byte[] notJson = ClientFrame.newBuilder().setPublish(Publish.newBuilder().setId(10).setChannel("c").setData(utf8("{nope")))
        .build().toByteArray();
    e = assertThrows(ProtocolException.class, () -> codec.decode(notJson));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertEquals(10L, e.commandId());
  }

  @Test
  void aDataPubCarriesItsJsonAsBytes() throws Exception {
    var frame = parse(codec.encode(new ServerFrame.Pub("orders", "k3x9", 46, 0, "c7f1-0001", "{\"any\":\"json\"}", null)));
    assertTrue(frame.hasPub());
    var pub = frame.getPub();
    assertEquals("orders", pub.getChannel());
    assertEquals("k3x9", pub.getEpoch());
    assertEquals(46, pub.getSeq());
    assertEquals("c7f1-0001", pub.getKey());
    assertEquals("{\"any\":\"json\"}", pub.getData().toStringUtf8());
    assertFalse(pub.hasPatch());
  }

  @Test
  void aSmallPatchPubIsAPlainStateDelta() throws Exception {
    String patch = "{\"entity\":\"row-7\",\"set\":{\"qty\":3},\"unset\":[\"old\"],\"versions\":{\"qty\":60}}";
    StateDelta delta = parse(codec.encode(new ServerFrame.Pub("d", "e", 60, 48, null, null, patch))).getPub().getPatch();
    assertEquals(60, delta.getSeq());
    assertEquals("row-7", delta.getEntity());
    assertEquals(Map.of("qty", 60L), delta.getVersionsMap());
    assertFalse(delta.getCompressed());
    assertEquals(new JsonObject("{\"set\":{\"qty\":3},\"unset\":[\"old\"]}"), new JsonObject(delta.getPatch().toStringUtf8()));
  }

  @Test
  void aPatchPubOverTheThresholdIsDeflated() throws Exception {
    String longText = "x".repeat(COMPRESS_ABOVE * 4);
    String patch = "{\"entity\":\"row-7\",\"set\":{\"text\":\"" + longText + "\"},\"versions\":{\"text\":61}}";
    StateDelta delta = parse(codec.encode(new ServerFrame.Pub("d", "e", 61, 0, null, null, patch))).getPub().getPatch();
    assertTrue(delta.getCompressed());
    assertTrue(delta.getPatch().size() < longText.length(), "deflated: " + delta.getPatch().size() + " bytes");
    assertEquals(new JsonObject().put("set", new JsonObject().put("text", longText)),
        new JsonObject(inflate(delta.getPatch().toByteArray())));
  }

  @Test
  void repliesKeepTheirFields() throws Exception {
    var conflict = parse(codec.encode(new ServerFrame.Error(8L, ErrorCode.CONFLICT, "version mismatch", false, null,
        "{\"qty\":{\"v\":3,\"seq\":12}}"))).getError();
    assertEquals(8, conflict.getId());
    assertEquals("conflict", conflict.getCode());
    assertEquals(new JsonObject("{\"qty\":{\"v\":3,\"seq\":12}}"), new JsonObject(conflict.getCurrent().toStringUtf8()));

    var subscribed = parse(codec.encode(new ServerFrame.Subscribed(2, "o", "e", 45, true,
        List.of(new ServerFrame.Pub("o", "e", 45, 0, null, "1", null)), null))).getSubscribed();
    assertTrue(subscribed.getRecovered());
    assertEquals(1, subscribed.getPubsCount());
    assertEquals("1", subscribed.getPubs(0).getData().toStringUtf8());
    assertFalse(subscribed.hasSnapshot());

    var ack = parse(codec.encode(new ServerFrame.Ack(5, "orders", 46, "k3x9", true))).getAck();
    assertEquals(46, ack.getSeq());
    assertTrue(ack.getDuplicate());

    var refreshed = parse(codec.encode(new ServerFrame.Refreshed(9, 1767225600000L))).getRefreshed();
    assertEquals(9, refreshed.getId());
    assertEquals(1767225600000L, refreshed.getExpiresAt());
    assertFalse(parse(codec.encode(new ServerFrame.Refreshed(9, null))).getRefreshed().hasExpiresAt());
  }

  @Test
  void aRefreshIsTheSameCommandAsItsJsonFormAndNeedsAToken() {
    byte[] refresh = ClientFrame.newBuilder().setRefresh(dev.syncwire.protocol.proto.Refresh.newBuilder().setId(8)
        .setToken("a.b.c")).build().toByteArray();
    assertEquals(JsonCodec.decode("{\"id\":8,\"type\":\"refresh\",\"token\":\"a.b.c\"}"), codec.decode(refresh));
    byte[] empty = ClientFrame.newBuilder().setRefresh(dev.syncwire.protocol.proto.Refresh.newBuilder().setId(8))
        .build().toByteArray();
    ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decode(empty));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertEquals(8L, e.commandId());
  }

  private static dev.syncwire.protocol.proto.ServerFrame parse(byte[] bytes) throws Exception {
    return dev.syncwire.protocol.proto.ServerFrame.parseFrom(bytes);
  }

  private static ByteString utf8(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static String inflate(byte[] deflated) throws Exception {
    Inflater inflater = new Inflater();
    inflater.setInput(deflated);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[1024];
    while (!inflater.finished()) {
      out.write(buf, 0, inflater.inflate(buf));
    }
    inflater.end();
    return out.toString(StandardCharsets.UTF_8);
  }
}
