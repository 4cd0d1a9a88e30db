package dev.syncwire.transport.websocket;

import com.google.protobuf.ByteString;
import dev.syncwire.protocol.proto.ClientFrame;
import dev.syncwire.protocol.proto.Publish;
import dev.syncwire.testing.Await;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WireCodec;
import dev.syncwire.testing.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JSON and protobuf clients on one channel see the same publications. */
class MixedCodecsTest {

  @Test
  void jsonAndProtobufSubscribersSeeTheSameStream() {
    try (TestNode node = TestNode.start();
         WsClient json = node.demoClient(WireCodec.JSON);
         WsClient proto = node.demoClient(WireCodec.PROTO)) {
      json.subscribe("shared");
      proto.subscribe("shared");
      json.request(new JsonObject().put("type", "publish").put("channel", "shared").put("key", "j1")
          .put("data", new JsonObject().put("from", "json")));
      proto.request(new JsonObject().put("type", "publish").put("channel", "shared").put("key", "p1")
          .put("data", new JsonObject().put("from", "proto")));
      String big = "x".repeat(3000);
      proto.request(new JsonObject().put("type", "publish").put("channel", "shared")
          .put("patch", new JsonObject().put("entity", "e").put("set", new JsonObject().put("big", big)).put("inc", new JsonObject().put("n", 2))));
      json.request(new JsonObject().put("type", "publish").put("channel", "shared")
          .put("patch", new JsonObject().put("entity", "e").put("set", new JsonObject().put("small", 1))));
      List<JsonObject> viaJson = json.pubs("shared", 4);
      List<JsonObject> viaProto = proto.pubs("shared", 4);
      for (int i = 0; i < 4; i++) {
        assertEquals(viaJson.get(i), WireCodec.comparable(viaProto.get(i)));
      }
      assertTrue(viaProto.get(2).getBoolean("compressed"), "a patch over proto.compressAboveBytes is deflated");
      assertFalse(viaProto.get(3).getBoolean("compressed"), "a small patch is not");
      assertEquals(big, viaProto.get(2).getJsonObject("patch").getJsonObject("set").getString("big"));
      JsonObject snapshotJson = json.subscribe("shared").getJsonObject("snapshot");
      JsonObject snapshotProto = proto.subscribe("shared").getJsonObject("snapshot");
      assertEquals(snapshotJson, snapshotProto);
    }
  }

  @Test
  void jsonFieldsOfBinaryFramesAreCheckedLikeJsonFrames() {
    try (TestNode node = TestNode.start(); WsClient proto = node.demoClient(WireCodec.PROTO)) {
      String[] refused = {"1e400", "[12345678901234567890123]", "\"\\ud800\"", "1 /* one */", "{"};
      for (int i = 0; i < refused.length; i++) {
        long id = 100 + i;
        ClientFrame frame = ClientFrame.newBuilder().setPublish(Publish.newBuilder().setId(id).setChannel("bin")
            .setData(ByteString.copyFromUtf8(refused[i]))).build();
        Await.result(proto.socket().writeBinaryMessage(Buffer.buffer(frame.toByteArray())));
        JsonObject r = proto.awaitFrame(f -> Long.valueOf(id).equals(f.getLong("id")));
        assertEquals("bad_request", r.getString("code"), refused[i] + ": " + r.encode());
      }
      assertEquals("ack", proto.request(new JsonObject().put("type", "publish").put("channel", "bin").put("data", 1))
          .getString("type"));
    }
  }

  @Test
  void aTextFrameOnTheBinarySubprotocolIsMalformed() {
    try (TestNode node = TestNode.start(); WsClient proto = node.client(WireCodec.PROTO)) {
      proto.sendText("{\"id\":1,\"type\":\"ping\"}");
      assertEquals((short) 4400, proto.awaitClose());
    }
  }

  @Test
  void bytesThatAreNotAClientFrameAreMalformed() {
    try (TestNode node = TestNode.start(); WsClient proto = node.client(WireCodec.PROTO)) {
      dev.syncwire.testing.Await.result(proto.socket().writeBinaryMessage(
          io.vertx.core.buffer.Buffer.buffer(new byte[] {(byte) 0xff, 0x01, 0x02})));
      assertEquals((short) 4400, proto.awaitClose());
    }
  }
}
