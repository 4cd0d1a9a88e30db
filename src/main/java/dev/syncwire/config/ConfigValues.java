package dev.syncwire.config;

import io.vertx.core.json.JsonArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The checked value of every key, read through the typed keys: what the records' factories see. */
final class ConfigValues {
  private final Map<String, Object> values;

  ConfigValues(Map<String, Object> values) {
    this.values = values;
  }

  // Safe: fromJson stores under each key only what that key's check returned, which is a T.
  @SuppressWarnings("unchecked")
  <T> T get(ConfigKey<T> key) {
    return (T) values.get(key.path());
  }

  /** An integer key whose range fits an int. */
  int integer(ConfigKey<Long> key) {
    return (int) (long) get(key);
  }

  long number(ConfigKey<Long> key) {
    return get(key);
  }

  List<String> strings(ConfigKey<JsonArray> key) {
    List<String> out = new ArrayList<>();
    get(key).forEach(o -> out.add((String) o));
    return List.copyOf(out);
  }
}
