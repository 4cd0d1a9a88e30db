package dev.syncwire.client;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class StateReplicaTest {

  private static JsonObject snapshot() {
    return new JsonObject("{\"seq\":45,\"entities\":{"
        + "\"row-7\":{\"title\":{\"v\":\"Hi\",\"seq\":44},\"qty\":{\"v\":3,\"seq\":31}},"
        + "\"row-8\":{\"done\":{\"v\":true,\"seq\":40}}}}");
  }

  @Test
  void loadsASnapshotWithVersions() {
    StateReplica r = new StateReplica();
    assertEquals(Set.of("row-7", "row-8"), r.load(snapshot()));
    assertEquals(new JsonObject().put("title", "Hi").put("qty", 3), r.entity("row-7"));
    assertEquals(44, r.version("row-7", "title"));
    assertEquals(0, r.version("row-7", "missing"));
    assertEquals(45, r.seq());
  }

  @Test
  void appliesSetIncAndUnsetWithTheirVersions() {
    StateReplica r = new StateReplica();
    r.load(snapshot());
    JsonObject before = r.entity("row-7");
    assertEquals("row-7", r.apply(new JsonObject().put("entity", "row-7")
        .put("set", new JsonObject().put("title", "Hey")).put("inc", new JsonObject().put("qty", 2))
        .put("versions", new JsonObject().put("title", 46).put("qty", 46)), 46));
    assertEquals(new JsonObject().put("title", "Hey").put("qty", 5), r.entity("row-7"));
    assertEquals(new JsonObject().put("title", "Hi").put("qty", 3), before, "an entity is replaced, never changed in place");
    assertEquals(46, r.version("row-7", "qty"));
    r.apply(new JsonObject().put("entity", "row-7").put("inc", new JsonObject().put("qty", 0.5)), 47);
    assertEquals(5.5, r.entity("row-7").getDouble("qty"));
    r.apply(new JsonObject().put("entity", "row-8").put("unset", new JsonArray().add("done")), 48);
    assertNull(r.entity("row-8"), "an entity whose last field is unset disappears");
    assertEquals(48, r.seq());
  }

  @Test
  void anOlderWriteDoesNotReplaceANewerOne() {
    StateReplica r = new StateReplica();
    r.load(snapshot());
    assertNull(r.apply(new JsonObject().put("entity", "row-7").put("set", new JsonObject().put("title", "old"))
        .put("versions", new JsonObject().put("title", 40)), 40));
    assertEquals("Hi", r.entity("row-7").getString("title"));
  }

  @Test
  void aNewSnapshotReportsRemovedEntitiesToo() {
    StateReplica r = new StateReplica();
    r.load(snapshot());
    Set<String> changed = r.load(new JsonObject("{\"seq\":50,\"entities\":{\"row-9\":{\"a\":{\"v\":1,\"seq\":50}}}}"));
    assertEquals(Set.of("row-7", "row-8", "row-9"), changed);
    assertEquals(1, r.size());
    assertEquals(true, r.changes("c", Set.of("row-7")).get(0).removed());
  }
}
