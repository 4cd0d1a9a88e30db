package dev.syncwire.channel;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The entities of a state channel: each a map of fields, each field a JSON value with the seq of its
 * last write as its version. Patches apply atomically: all checks pass first, then every change is made.
 */
public final class ChannelState {
  /** A field's value and version. */
  public record Field(Object value, long version) {
  }

  /** Why a patch's {@code if} failed: the current version (and value) of each field it named. */
  public record Conflict(String message, JsonObject current) {
  }

  private final StateLimits limits;
  private final Map<String, Map<String, Field>> entities = new HashMap<>();

  public ChannelState(StateLimits limits) {
    this.limits = limits;
  }

  /** The conflict if {@code patch}'s {@code if} versions do not hold, else null. */
  public Conflict check(Patch patch) {
    Map<String, Field> fields = entities.getOrDefault(patch.entity(), Map.of());
    JsonObject current = new JsonObject();
    String first = null;
    for (Map.Entry<String, Long> e : patch.expected().entrySet()) {
      Field f = fields.get(e.getKey());
      long version = f == null ? 0 : f.version();
      if (version != e.getValue() && first == null) {
        first = e.getKey() + (f == null ? " is absent" : " changed at seq " + version);
      }
    }
    if (first == null) {
      return null;
    }
    for (String name : patch.expected().keySet()) {
      Field f = fields.get(name);
      current.put(name, f == null ? new JsonObject().put("seq", 0) : new JsonObject().put("v", f.value()).put("seq", f.version()));
    }
    return new Conflict(first, current);
  }

  /**
   * Validates {@code patch} against the state and the limits without changing anything.
   *
   * @throws PatchException when an {@code inc} targets a non-number or a limit would be passed
   */
  public void validate(Patch patch) {
    Map<String, Field> fields = entities.get(patch.entity());
    for (String name : patch.inc().keySet()) {
      Field f = fields == null ? null : fields.get(name);
      if (f != null && !(f.value() instanceof Number)) {
        throw new PatchException(PatchException.Kind.INVALID, "inc on " + name + ", which is not a number");
      }
    }
    for (Map.Entry<String, Object> e : patch.set().entrySet()) {
      int size = Json.encode(e.getValue()).getBytes(StandardCharsets.UTF_8).length;
      if (size > limits.maxValueBytes()) {
        throw new PatchException(PatchException.Kind.TOO_LARGE,
            "value of " + e.getKey() + " is " + size + " bytes; the limit is " + limits.maxValueBytes());
      }
    }
    int after = fields == null ? 0 : fields.size();
    for (String name : patch.set().keySet()) {
      if (fields == null || !fields.containsKey(name)) {
        after++;
      }
    }
    for (String name : patch.inc().keySet()) {
      if (fields == null || !fields.containsKey(name)) {
        after++;
      }
    }
    for (String name : patch.unset()) {
      if (fields != null && fields.containsKey(name)) {
        after--;
      }
    }
    if (after > limits.maxFields()) {
      throw new PatchException(PatchException.Kind.TOO_LARGE,
          "entity " + patch.entity() + " would have " + after + " fields; the limit is " + limits.maxFields());
    }
    if (fields == null && after > 0 && entities.size() >= limits.maxEntities()) {
      throw new PatchException(PatchException.Kind.TOO_LARGE,
          "the channel already holds " + entities.size() + " entities, the limit");
    }
  }

  /**
   * Applies a validated patch as the write at {@code seq}. Returns the new version of each field it
   * set or incremented.
   */
  public Map<String, Long> apply(Patch patch, long seq) {
    Map<String, Field> fields = entities.computeIfAbsent(patch.entity(), k -> new LinkedHashMap<>());
    Map<String, Long> versions = new LinkedHashMap<>();
    patch.set().forEach((name, value) -> {
      fields.put(name, new Field(value, seq));
      versions.put(name, seq);
    });
    patch.inc().forEach((name, delta) -> {
      Field old = fields.get(name);
      Number base = old == null ? 0L : (Number) old.value();
      fields.put(name, new Field(Numbers.add(base, delta), seq));
      versions.put(name, seq);
    });
    for (String name : patch.unset()) {
      fields.remove(name);
    }
    if (fields.isEmpty()) {
      entities.remove(patch.entity());
    }
    return versions;
  }

  void writeTo(DataOutput out) throws IOException {
    out.writeInt(entities.size());
    for (Map.Entry<String, Map<String, Field>> entity : entities.entrySet()) {
      out.writeUTF(entity.getKey());
      out.writeInt(entity.getValue().size());
      for (Map.Entry<String, Field> f : entity.getValue().entrySet()) {
        out.writeUTF(f.getKey());
        byte[] json = Json.encode(f.getValue().value()).getBytes(StandardCharsets.UTF_8);
        out.writeInt(json.length);
        out.write(json);
        out.writeLong(f.getValue().version());
      }
    }
  }

  static ChannelState readFrom(DataInput in, StateLimits limits) throws IOException {
    ChannelState state = new ChannelState(limits);
    int entities = in.readInt();
    for (int i = 0; i < entities; i++) {
      String id = in.readUTF();
      int n = in.readInt();
      Map<String, Field> fields = new LinkedHashMap<>();
      for (int j = 0; j < n; j++) {
        String name = in.readUTF();
        byte[] json = new byte[in.readInt()];
        in.readFully(json);
        fields.put(name, new Field(Json.decodeValue(new String(json, StandardCharsets.UTF_8)), in.readLong()));
      }
      state.entities.put(id, fields);
    }
    return state;
  }

  /** The state a {@link #snapshot} describes. */
  public static ChannelState fromSnapshot(JsonObject snapshot, StateLimits limits) {
    ChannelState state = new ChannelState(limits);
    snapshot.getJsonObject("entities", new JsonObject()).forEach(entity -> {
      Map<String, Field> fields = new LinkedHashMap<>();
      ((JsonObject) entity.getValue()).forEach(f -> {
        JsonObject field = (JsonObject) f.getValue();
        fields.put(f.getKey(), new Field(field.getValue("v"), field.getLong("seq")));
      });
      state.entities.put(entity.getKey(), fields);
    });
    return state;
  }

  public boolean isEmpty() {
    return entities.isEmpty();
  }

  public int entityCount() {
    return entities.size();
  }

  public Map<String, Field> entity(String id) {
    return entities.get(id);
  }

  /** The whole state at {@code seq} in the form of docs/protocol.md §7.4. */
  public JsonObject snapshot(long seq) {
    JsonObject all = new JsonObject();
    entities.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entity -> {
      JsonObject fields = new JsonObject();
      entity.getValue().forEach((name, f) -> fields.put(name, new JsonObject().put("v", f.value()).put("seq", f.version())));
      all.put(entity.getKey(), fields);
    });
    return new JsonObject().put("seq", seq).put("entities", all);
  }
}
