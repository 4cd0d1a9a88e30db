package dev.syncwire.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One configuration key: its dotted path, its type, its default and its allowed range. {@code T} is the
 * Java type of its checked value: {@code Long} for integers, {@code JsonArray} for lists and tenants.
 */
public record ConfigKey<T>(String path, Type type, T defaultValue, long min, long max, String doc) {

  public enum Type { INT, BOOL, STRING, STRING_LIST, TENANTS }

  static ConfigKey<Long> integer(String path, long def, long min, long max, String doc) {
    return new ConfigKey<>(path, Type.INT, def, min, max, doc);
  }

  static ConfigKey<Boolean> bool(String path, boolean def, String doc) {
    return new ConfigKey<>(path, Type.BOOL, def, 0, 0, doc);
  }

  static ConfigKey<String> string(String path, String def, String doc) {
    return new ConfigKey<>(path, Type.STRING, def, 0, 0, doc);
  }

  static ConfigKey<JsonArray> stringList(String path, String doc) {
    return new ConfigKey<>(path, Type.STRING_LIST, new JsonArray(), 0, 0, doc);
  }

  static ConfigKey<JsonArray> tenants(String path, String doc) {
    return new ConfigKey<>(path, Type.TENANTS, new JsonArray(), 0, 0, doc);
  }

  /** The environment variable that overrides this key: {@code SYNCWIRE_} + path, dots to underscores, upper case. */
  public String envName() {
    return "SYNCWIRE_" + path.replace('.', '_').toUpperCase(java.util.Locale.ROOT);
  }

  /** The system property that overrides this key. */
  public String propertyName() {
    return "syncwire." + path;
  }

  /** Checks a JSON value against this key, returning it normalised (numbers as Long). */
  Object check(Object value) {
    switch (type) {
      case INT: {
        if (!(value instanceof Integer || value instanceof Long)) {
          throw new ConfigException(path, "must be an integer" + range(), value);
        }
        long v = ((Number) value).longValue();
        if (v < min || v > max) {
          throw new ConfigException(path, "must be an integer" + range(), value);
        }
        return v;
      }
      case BOOL:
        if (!(value instanceof Boolean)) {
          throw new ConfigException(path, "must be true or false", value);
        }
        return value;
      case STRING:
        if (!(value instanceof String)) {
          throw new ConfigException(path, "must be a string", value);
        }
        return value;
      case STRING_LIST:
        if (!(value instanceof JsonArray)) {
          throw new ConfigException(path, "must be an array of strings", value);
        }
        for (Object item : (JsonArray) value) {
          if (!(item instanceof String)) {
            throw new ConfigException(path, "must be an array of strings", value);
          }
        }
        return value;
      case TENANTS:
        if (!(value instanceof JsonArray)) {
          throw new ConfigException(path, "must be an array of tenant objects", value);
        }
        return value;
      default:
        throw new IllegalStateException();
    }
  }

  /** Parses an override given as text (system property or environment variable). */
  Object parse(String text) {
    String t = text.trim();
    switch (type) {
      case INT:
        try {
          return check(Long.parseLong(t));
        } catch (NumberFormatException e) {
          throw new ConfigException(path, "must be an integer" + range(), text);
        }
      case BOOL:
        if (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false")) {
          return Boolean.parseBoolean(t);
        }
        throw new ConfigException(path, "must be true or false", text);
      case STRING:
        return text;
      case STRING_LIST:
        if (t.startsWith("[")) {
          return check(parseJsonArray(t));
        }
        JsonArray list = new JsonArray();
        for (String part : t.split(",")) {
          if (!part.isBlank()) {
            list.add(part.trim());
          }
        }
        return list;
      case TENANTS:
        return check(parseJsonArray(t));
      default:
        throw new IllegalStateException();
    }
  }

  private JsonArray parseJsonArray(String text) {
    try {
      return new JsonObject("{\"v\":" + text + "}").getJsonArray("v");
    } catch (RuntimeException e) {
      throw new ConfigException(path, "must be a JSON array", text);
    }
  }

  private String range() {
    if (max == Long.MAX_VALUE) {
      return " >= " + min;
    }
    return " from " + min + " to " + max;
  }
}
