package dev.syncwire.channel;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChannelStateTest {
  private final ChannelState state = new ChannelState(new StateLimits(3, 3, 32));

  private Map<String, Long> apply(String json, long seq) {
    Patch p = Patch.parse(new JsonObject(json));
    assertNull(state.check(p));
    state.validate(p);
    return state.apply(p, seq);
  }

  private Object value(String entity, String field) {
    return state.entity(entity).get(field).value();
  }

  @Test
  void setWritesAndVersionsAreTheSeqOfTheLastWrite() {
    assertEquals(Map.of("a", 5L, "b", 5L), apply("{\"entity\":\"e\",\"set\":{\"a\":1,\"b\":\"x\"}}", 5));
    apply("{\"entity\":\"e\",\"set\":{\"a\":2}}", 9);
    assertEquals(2, value("e", "a"));
    assertEquals(9, state.entity("e").get("a").version());
    assertEquals(5, state.entity("e").get("b").version());
  }

  @Test
  void incAddsAndMissingCountsAsZero() {
    apply("{\"entity\":\"e\",\"inc\":{\"n\":3}}", 1);
    apply("{\"entity\":\"e\",\"inc\":{\"n\":-1}}", 2);
    assertEquals(2L, value("e", "n"));
    apply("{\"entity\":\"e\",\"inc\":{\"n\":0.5}}", 3);
    assertEquals(2.5, value("e", "n"));
  }

  @Test
  void incOverflowBecomesADoubleInsteadOfWrapping() {
    apply("{\"entity\":\"e\",\"set\":{\"n\":9223372036854775807}}", 1);
    apply("{\"entity\":\"e\",\"inc\":{\"n\":1}}", 2);
    assertEquals(9.223372036854775808E18, value("e", "n"));
  }

  @Test
  void incOnANonNumberIsInvalid() {
    apply("{\"entity\":\"e\",\"set\":{\"s\":\"text\"}}", 1);
    PatchException e = assertThrows(PatchException.class, () -> state.validate(Patch.parse(new JsonObject("{\"entity\":\"e\",\"inc\":{\"s\":1}}"))));
    assertEquals(PatchException.Kind.INVALID, e.kind());
  }

  @Test
  void entityWhoseLastFieldIsUnsetDisappears() {
    apply("{\"entity\":\"e\",\"set\":{\"a\":1,\"b\":2}}", 1);
    apply("{\"entity\":\"e\",\"unset\":[\"a\"]}", 2);
    assertNotNull(state.entity("e"));
    apply("{\"entity\":\"e\",\"unset\":[\"b\"]}", 3);
    assertNull(state.entity("e"));
    assertTrue(state.isEmpty());
  }

  @Test
  void ifChecksVersionsWithZeroMeaningAbsent() {
    apply("{\"entity\":\"e\",\"set\":{\"a\":1}}", 4);
    assertNull(state.check(Patch.parse(new JsonObject("{\"entity\":\"e\",\"set\":{\"b\":1},\"if\":{\"a\":4,\"b\":0}}"))));
    ChannelState.Conflict c = state.check(Patch.parse(new JsonObject("{\"entity\":\"e\",\"set\":{\"a\":2},\"if\":{\"a\":3}}")));
    assertNotNull(c);
    assertEquals(new JsonObject("{\"a\":{\"v\":1,\"seq\":4}}"), c.current());
    assertNotNull(state.check(Patch.parse(new JsonObject("{\"entity\":\"new\",\"set\":{\"a\":2},\"if\":{\"a\":4}}"))));
  }

  @Test
  void limitsAreTooLarge() {
    PatchException big = assertThrows(PatchException.class, () -> state.validate(Patch.parse(
        new JsonObject("{\"entity\":\"e\",\"set\":{\"a\":\"" + "x".repeat(40) + "\"}}"))));
    assertEquals(PatchException.Kind.TOO_LARGE, big.kind());
    apply("{\"entity\":\"e\",\"set\":{\"a\":1,\"b\":1,\"c\":1}}", 1);
    assertEquals(PatchException.Kind.TOO_LARGE, assertThrows(PatchException.class, () -> state.validate(
        Patch.parse(new JsonObject("{\"entity\":\"e\",\"set\":{\"d\":1}}")))).kind());
    // Replacing a field while unsetting another keeps the count.
    apply("{\"entity\":\"e\",\"set\":{\"d\":1},\"unset\":[\"a\"]}", 2);
    apply("{\"entity\":\"f\",\"set\":{\"a\":1}}", 3);
    apply("{\"entity\":\"g\",\"set\":{\"a\":1}}", 4);
    assertEquals(PatchException.Kind.TOO_LARGE, assertThrows(PatchException.class, () -> state.validate(
        Patch.parse(new JsonObject("{\"entity\":\"h\",\"set\":{\"a\":1}}")))).kind());
  }

  @Test
  void snapshotHasTheProtocolForm() {
    apply("{\"entity\":\"row-7\",\"set\":{\"title\":\"Hi\"}}", 47);
    apply("{\"entity\":\"row-7\",\"set\":{\"qty\":3}}", 48);
    assertEquals(new JsonObject("{\"seq\":48,\"entities\":{\"row-7\":{\"title\":{\"v\":\"Hi\",\"seq\":47},\"qty\":{\"v\":3,\"seq\":48}}}}"),
        state.snapshot(48));
  }
}
