package dev.syncwire.channel;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PatchTest {

  @Test
  void parsesEveryOperation() {
    Patch p = Patch.parse(new JsonObject("{\"entity\":\"row-7\",\"set\":{\"title\":\"Hi\",\"qty\":3},\"unset\":[\"draft\"],"
        + "\"inc\":{\"likes\":1},\"if\":{\"title\":45}}"));
    assertEquals("row-7", p.entity());
    assertEquals(Map.of("title", "Hi", "qty", 3), p.set());
    assertEquals(List.of("draft"), p.unset());
    assertEquals(Map.of("likes", 1L), p.inc());
    assertEquals(Map.of("title", 45L), p.expected());
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "{\"entity\":5,\"set\":{\"a\":1}}", "{\"entity\":\"\",\"set\":{\"a\":1}}",
      "{\"entity\":\"e\"}", "{\"entity\":\"e\",\"set\":[]}", "{\"entity\":\"e\",\"unset\":\"a\"}",
      "{\"entity\":\"e\",\"unset\":[1]}", "{\"entity\":\"e\",\"inc\":{\"a\":\"1\"}}",
      "{\"entity\":\"e\",\"set\":{\"a\":1},\"if\":{\"a\":-1}}", "{\"entity\":\"e\",\"set\":{\"a\":1},\"if\":{\"a\":1.5}}",
      "{\"entity\":\"e\",\"set\":{\"a\":1},\"unset\":[\"a\"]}", "{\"entity\":\"e\",\"set\":{\"a\":1},\"inc\":{\"a\":1}}",
      "{\"entity\":\"e\",\"inc\":{\"a\":1},\"unset\":[\"a\"]}", "{\"entity\":\"e\",\"set\":{\"\":1}}"})
  void invalidPatchesAreRefused(String json) {
    assertEquals(PatchException.Kind.INVALID, assertThrows(PatchException.class, () -> Patch.parse(new JsonObject(json))).kind());
  }
}
