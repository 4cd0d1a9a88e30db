package dev.syncwire.client;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The local copy of a state channel (docs/protocol.md §7): entity id → fields, and each field's version.
 * It is loaded from a snapshot and moved on by every patch the subscription applies. Reads are safe from
 * any thread; each entity's {@link JsonObject} is replaced on every change, never changed in place.
 */
public final class StateReplica {
  private final Map<String, JsonObject> entities = new LinkedHashMap<>();
  private final Map<String, Map<String, Long>> versions = new HashMap<>();
  private long seq;

  /** Every entity, as an unmodifiable copy of the map. */
  public synchronized Map<String, JsonObject> entities() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(entities));
  }

  /** One entity's fields, or {@code null}. */
  public synchronized JsonObject entity(String id) {
    return entities.get(id);
  }

  /** The version of one field (the seq of its last write), 0 when absent: what a patch's {@code if} names. */
  public synchronized long version(String id, String field) {
    return versions.getOrDefault(id, Map.of()).getOrDefault(field, 0L);
  }

  /** Every field's version of one entity. */
  public synchronized Map<String, Long> versions(String id) {
    return Map.copyOf(versions.getOrDefault(id, Map.of()));
  }

  /** The position the replica reflects. */
  public synchronized long seq() {
    return seq;
  }

  public synchronized int size() {
    return entities.size();
  }

  /** Replaces everything with a snapshot {@code {seq, entities:{id:{field:{v, seq}}}}}; the ids that changed. */
  synchronized Set<String> load(JsonObject snapshot) {
    Set<String> changed = new LinkedHashSet<>(entities.keySet());
    entities.clear();
    versions.clear();
    JsonObject all = snapshot == null ? null : snapshot.getJsonObject("entities");
    if (all != null) {
      for (String id : all.fieldNames()) {
        JsonObject in = all.getJsonObject(id);
        if (in == null || in.isEmpty()) {
          continue;
        }
        JsonObject fields = new JsonObject();
        Map<String, Long> v = new HashMap<>();
        for (String name : in.fieldNames()) {
          JsonObject field = in.getJsonObject(name);
          fields.put(name, field == null ? null : field.getValue("v"));
          v.put(name, field == null ? 0L : field.getLong("seq", 0L));
        }
        entities.put(id, fields);
        versions.put(id, v);
        changed.add(id);
      }
    }
    seq = snapshot == null ? 0 : snapshot.getLong("seq", 0L);
    return changed;
  }

  /** Applies the patch of a pub (merged ones alike); the entity id if it changed, else {@code null}. */
  synchronized String apply(JsonObject patch, long at) {
    String id = patch == null ? null : patch.getString("entity");
    if (id == null) {
      return null;
    }
    JsonObject before = entities.get(id);
    JsonObject fields = before == null ? new JsonObject() : before.copy();
    Map<String, Long> v = new HashMap<>(versions.getOrDefault(id, Map.of()));
    JsonObject given = patch.getJsonObject("versions", new JsonObject());
    boolean changed = false;
    JsonObject set = patch.getJsonObject("set");
    if (set != null) {
      for (String name : set.fieldNames()) {
        long version = given.getLong(name, at);
        if (v.getOrDefault(name, 0L) > version) {
          continue; // an older write than the one held
        }
        fields.put(name, set.getValue(name));
        v.put(name, version);
        changed = true;
      }
    }
    JsonArray unset = patch.getJsonArray("unset");
    if (unset != null) {
      for (Object o : unset) {
        String name = String.valueOf(o);
        if (v.getOrDefault(name, 0L) > at) {
          continue;
        }
        if (fields.containsKey(name)) {
          fields.remove(name);
          v.remove(name);
          changed = true;
        }
      }
    }
    JsonObject inc = patch.getJsonObject("inc");
    if (inc != null) {
      for (String name : inc.fieldNames()) {
        Object current = fields.getValue(name);
        Number by = (Number) inc.getValue(name);
        fields.put(name, add(current instanceof Number ? (Number) current : 0, by));
        v.put(name, given.getLong(name, at));
        changed = true;
      }
    }
    seq = Math.max(seq, at);
    if (!changed) {
      return null;
    }
    if (fields.isEmpty()) {
      entities.remove(id);
      versions.remove(id);
    } else {
      entities.put(id, fields);
      versions.put(id, v);
    }
    return id;
  }

  /** A data publication moved the channel on: the replica reflects that position too. */
  synchronized void advance(long at) {
    seq = Math.max(seq, at);
  }

  /** Integers stay integers while they fit; anything else adds as a double. */
  private static Number add(Number a, Number b) {
    boolean integral = !(a instanceof Double || a instanceof Float || b instanceof Double || b instanceof Float
        || a instanceof java.math.BigDecimal || b instanceof java.math.BigDecimal);
    if (integral) {
      try {
        long sum = Math.addExact(a.longValue(), b.longValue());
        return sum == (int) sum ? (Number) (int) sum : (Number) sum;
      } catch (ArithmeticException overflow) {
        return a.doubleValue() + b.doubleValue();
      }
    }
    return a.doubleValue() + b.doubleValue();
  }

  /** The change events for these ids, in the same order. */
  synchronized List<EntityChange> changes(String channel, Set<String> ids) {
    List<EntityChange> out = new ArrayList<>(ids.size());
    for (String id : ids) {
      out.add(new EntityChange(channel, id, entities.get(id), Map.copyOf(versions.getOrDefault(id, Map.of())), seq));
    }
    return out;
  }
}
