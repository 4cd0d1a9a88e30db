package dev.syncwire.channel;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A change to one entity of a channel's state (docs/protocol.md §7): fields to {@code set},
 * {@code unset} and {@code inc}rement, applied together only if the {@code if} versions still hold.
 * Immutable. Values are JSON values as Vert.x decodes them.
 */
public final class Patch {
  public static final int MAX_NAME_LENGTH = 128;

  private final String entity;
  private final Map<String, Object> set;
  private final List<String> unset;
  private final Map<String, Number> inc;
  private final Map<String, Long> expected;

  public Patch(String entity, Map<String, Object> set, List<String> unset, Map<String, Number> inc,
               Map<String, Long> expected) {
    this.entity = entity;
    this.set = Collections.unmodifiableMap(new LinkedHashMap<>(set));
    this.unset = List.copyOf(unset);
    this.inc = Collections.unmodifiableMap(new LinkedHashMap<>(inc));
    this.expected = Collections.unmodifiableMap(new LinkedHashMap<>(expected));
  }

  /** Parses and checks a patch object; a field may appear in only one of set, unset and inc. */
  public static Patch parse(JsonObject json) {
    Object entity = json.getValue("entity");
    if (!(entity instanceof String) || !validName((String) entity)) {
      throw invalid("patch.entity must be a string of 1-" + MAX_NAME_LENGTH + " characters");
    }
    Map<String, Object> set = new LinkedHashMap<>();
    Object rawSet = json.getValue("set");
    if (rawSet != null) {
      if (!(rawSet instanceof JsonObject)) {
        throw invalid("patch.set must be an object");
      }
      for (Map.Entry<String, Object> e : (JsonObject) rawSet) {
        set.put(field(e.getKey()), e.getValue());
      }
    }
    List<String> unset = new ArrayList<>();
    Object rawUnset = json.getValue("unset");
    if (rawUnset != null) {
      if (!(rawUnset instanceof JsonArray)) {
        throw invalid("patch.unset must be an array of field names");
      }
      for (Object f : (JsonArray) rawUnset) {
        if (!(f instanceof String)) {
          throw invalid("patch.unset must be an array of field names");
        }
        unset.add(field((String) f));
      }
    }
    Map<String, Number> inc = new LinkedHashMap<>();
    Object rawInc = json.getValue("inc");
    if (rawInc != null) {
      if (!(rawInc instanceof JsonObject)) {
        throw invalid("patch.inc must be an object of numbers");
      }
      for (Map.Entry<String, Object> e : (JsonObject) rawInc) {
        if (!(e.getValue() instanceof Number) || !Numbers.isFinite((Number) e.getValue())) {
          throw invalid("patch.inc." + e.getKey() + " must be a number");
        }
        inc.put(field(e.getKey()), Numbers.normalize((Number) e.getValue()));
      }
    }
    Map<String, Long> expected = new LinkedHashMap<>();
    Object rawIf = json.getValue("if");
    if (rawIf != null) {
      if (!(rawIf instanceof JsonObject)) {
        throw invalid("patch.if must be an object of field versions");
      }
      for (Map.Entry<String, Object> e : (JsonObject) rawIf) {
        Object v = e.getValue();
        if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < 0) {
          throw invalid("patch.if." + e.getKey() + " must be a non-negative integer version");
        }
        expected.put(field(e.getKey()), ((Number) v).longValue());
      }
    }
    if (set.isEmpty() && unset.isEmpty() && inc.isEmpty()) {
      throw invalid("a patch must set, unset or inc at least one field");
    }
    for (String f : unset) {
      if (set.containsKey(f) || inc.containsKey(f)) {
        throw invalid("field " + f + " appears in more than one of set, unset and inc");
      }
    }
    for (String f : inc.keySet()) {
      if (set.containsKey(f)) {
        throw invalid("field " + f + " appears in more than one of set, unset and inc");
      }
    }
    return new Patch((String) entity, set, unset, inc, expected);
  }

  private static String field(String name) {
    if (!validName(name)) {
      throw invalid("field names must be 1-" + MAX_NAME_LENGTH + " characters");
    }
    return name;
  }

  private static boolean validName(String name) {
    return !name.isEmpty() && name.length() <= MAX_NAME_LENGTH;
  }

  private static PatchException invalid(String message) {
    return new PatchException(PatchException.Kind.INVALID, message);
  }

  public String entity() {
    return entity;
  }

  public Map<String, Object> set() {
    return set;
  }

  public List<String> unset() {
    return unset;
  }

  public Map<String, Number> inc() {
    return inc;
  }

  /** The {@code if} condition: field to expected version, 0 meaning "absent". */
  public Map<String, Long> expected() {
    return expected;
  }

  /** The patch as pushed in a {@code pub}: its changes and the new version of each field it wrote. */
  public JsonObject toPubJson(Map<String, Long> versions) {
    JsonObject out = new JsonObject().put("entity", entity);
    if (!set.isEmpty()) {
      out.put("set", new JsonObject(new LinkedHashMap<>(set)));
    }
    if (!unset.isEmpty()) {
      out.put("unset", new JsonArray(new ArrayList<>(unset)));
    }
    if (!inc.isEmpty()) {
      out.put("inc", new JsonObject(new LinkedHashMap<>(inc)));
    }
    out.put("versions", new JsonObject(new LinkedHashMap<>(versions)));
    return out;
  }
}
