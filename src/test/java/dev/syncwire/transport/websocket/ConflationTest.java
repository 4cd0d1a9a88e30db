package dev.syncwire.transport.websocket;

import dev.syncwire.testing.Await;
import dev.syncwire.testing.RawWebSocket;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A subscriber of a state channel that stops reading is not cut off: its queued patches merge, and when
 * it reads again it catches up with far fewer frames and ends in exactly the owner's state.
 */
class ConflationTest {

  @Test
  void slowReaderOfAStateChannelCatchesUpThroughConflation() {
    int patches = 6000;
    String filler = "f".repeat(1000);
    JsonObject config = new JsonObject().put("limits", new JsonObject().put("outboundBufferBytes", 512 * 1024)
        .put("outboundHighWaterBytes", 64 * 1024).put("commandRate", 0));
    try (TestNode node = TestNode.startWith(config);
         RawWebSocket slow = RawWebSocket.connect(node.port(), Map.of(), 4096);
         WsClient publisher = node.demoClient()) {
      slow.sendText("{\"id\":1,\"type\":\"connect\",\"tenant\":\"demo\"}");
      slow.sendText("{\"id\":2,\"type\":\"subscribe\",\"channel\":\"board\"}");
      assertTrue(slow.readUntil(RawWebSocket.TEXT, 5000).text().contains("connected"));
      assertTrue(slow.readUntil(RawWebSocket.TEXT, 5000).text().contains("subscribed"));

      for (int i = 1; i <= patches; i++) {
        JsonObject patch = new JsonObject().put("entity", "card-" + (i % 8))
            .put("set", new JsonObject().put("text", filler + i).put("owner", "u" + (i % 3)))
            .put("inc", new JsonObject().put("edits", 1));
        if (i % 10 == 0) {
          patch.put("unset", new JsonArray().add("owner")).getJsonObject("set").remove("owner");
        }
        JsonObject cmd = new JsonObject().put("type", "publish").put("channel", "board").put("patch", patch);
        if (i % 100 == 0) {
          assertEquals("ack", publisher.request(cmd).getString("type"));
        } else {
          publisher.send(cmd.put("id", 1_000_000 + i));
        }
      }
      assertEquals(2, node.sessions(), "the slow subscriber was not cut off");

      // Reading again: apply every push like a client does (sections 4.2, 5 and 6).
      Map<String, Map<String, Object[]>> state = new java.util.HashMap<>();
      long position = 0;
      int frames = 0;
      int merged = 0;
      while (position < patches) {
        RawWebSocket.Frame f = slow.readUntil(RawWebSocket.TEXT, 10_000);
        assertTrue(f != null && f.opcode() == RawWebSocket.TEXT, "stream ended at " + position);
        JsonObject pub = new JsonObject(f.text());
        assertEquals("pub", pub.getString("type"), pub.encode());
        long from = pub.getLong("from", pub.getLong("seq"));
        assertTrue(from <= position + 1 && pub.getLong("seq") > position, "no gap, never behind: " + pub.encode());
        if (pub.containsKey("from")) {
          merged++;
        }
        ClientState.apply(state, pub.getJsonObject("patch"));
        position = pub.getLong("seq");
        frames++;
      }
      assertTrue(merged > 0, "some pushes were conflated; frames " + frames);
      assertTrue(frames < patches / 2, "caught up with " + frames + " frames for " + patches + " patches");

      try (WsClient check = node.demoClient()) {
        JsonObject snapshot = check.subscribe("board").getJsonObject("snapshot");
        assertEquals(patches, snapshot.getLong("seq"));
        assertEquals(snapshot.getJsonObject("entities"), ClientState.toSnapshotEntities(state));
      }
      Await.until(Duration.ofSeconds(5), "only the checker gone: the slow session is still open", () -> node.sessions() == 2);
    }
  }

  /** A client's copy of a channel's state, built from pushes. */
  static final class ClientState {
    static void apply(Map<String, Map<String, Object[]>> state, JsonObject patch) {
      Map<String, Object[]> fields = state.computeIfAbsent(patch.getString("entity"), k -> new java.util.HashMap<>());
      JsonObject versions = patch.getJsonObject("versions");
      patch.getJsonObject("set", new JsonObject()).forEach(e ->
          fields.put(e.getKey(), new Object[] {e.getValue(), versions.getLong(e.getKey())}));
      patch.getJsonObject("inc", new JsonObject()).forEach(e -> {
        Object[] old = fields.get(e.getKey());
        long base = old == null ? 0 : ((Number) old[0]).longValue();
        fields.put(e.getKey(), new Object[] {base + ((Number) e.getValue()).longValue(), versions.getLong(e.getKey())});
      });
      patch.getJsonArray("unset", new JsonArray()).forEach(fields::remove);
      if (fields.isEmpty()) {
        state.remove(patch.getString("entity"));
      }
    }

    static JsonObject toSnapshotEntities(Map<String, Map<String, Object[]>> state) {
      JsonObject out = new JsonObject();
      state.forEach((entity, fields) -> {
        JsonObject f = new JsonObject();
        fields.forEach((name, v) -> f.put(name, new JsonObject().put("v", v[0]).put("seq", v[1])));
        out.put(entity, f);
      });
      return out;
    }
  }
}
