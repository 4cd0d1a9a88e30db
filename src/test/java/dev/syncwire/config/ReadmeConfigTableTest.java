package dev.syncwire.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's configuration table: one row per key the node accepts, with its built-in default and the
 * value the embedded {@code conf/node.json} gives it.
 */
class ReadmeConfigTableTest {
  private static final String HEADER = "| key | default | `conf/node.json` | meaning |";

  private static Map<String, List<String>> rows;
  private static Map<String, Object> embedded;

  @BeforeAll
  static void read() throws Exception {
    rows = tableRows(Files.readString(Path.of("README.md")));
    embedded = new LinkedHashMap<>();
    flatten("", new JsonObject(Files.readString(Path.of("conf/node.json"))), embedded);
  }

  @Test
  void everyConfigKeyIsDocumented() {
    for (ConfigKey<?> key : SyncwireConfig.KEYS) {
      assertTrue(rows.containsKey(key.path()), "README.md does not document " + key.path());
    }
    Set<String> known = SyncwireConfig.KEYS.stream().map(ConfigKey::path).collect(Collectors.toSet());
    for (String documented : rows.keySet()) {
      assertTrue(known.contains(documented), "README.md documents " + documented + ", which is no config key");
    }
  }

  @Test
  void theDefaultColumnShowsEachKeysDefault() {
    for (ConfigKey<?> key : SyncwireConfig.KEYS) {
      String cell = rows.get(key.path()).get(0);
      if (cell.startsWith("`")) {
        assertEquals(code(key.defaultValue()), cell, key.path());
      } else {
        // A word ("empty", "random", "CPUs") stands only for a default that means "none" or "automatic".
        assertTrue("".equals(key.defaultValue()) || Long.valueOf(0).equals(key.defaultValue()),
            key.path() + ": '" + cell + "' is not its default " + key.defaultValue());
      }
    }
  }

  @Test
  void theConfNodeJsonColumnShowsWhatTheEmbeddedConfigurationSets() {
    for (ConfigKey<?> key : SyncwireConfig.KEYS) {
      String cell = rows.get(key.path()).get(1);
      Object value = embedded.get(key.path());
      if (value == null) {
        assertEquals("", cell, key.path() + " is not set in conf/node.json, so its cell stays blank");
      } else if (key.type() == ConfigKey.Type.TENANTS) {
        for (Object tenant : (JsonArray) value) {
          String id = ((JsonObject) tenant).getString("id");
          assertTrue(cell.contains("`" + id + "`"), key.path() + ": tenant " + id + " is missing from '" + cell + "'");
        }
      } else {
        assertEquals(code(value), cell, key.path());
      }
    }
    assertTrue(embedded.keySet().stream().allMatch(rows::containsKey), "conf/node.json sets keys the table lacks");
  }

  private static String code(Object value) {
    return "`" + (value instanceof JsonArray ? ((JsonArray) value).encode() : String.valueOf(value)) + "`";
  }

  /** The configuration table's rows by key: each row's cells after the key. */
  private static Map<String, List<String>> tableRows(String readme) {
    int start = readme.indexOf(HEADER);
    assertTrue(start >= 0, "README.md has no table headed " + HEADER);
    Map<String, List<String>> out = new LinkedHashMap<>();
    List<String> lines = readme.substring(start).lines().skip(2).takeWhile(l -> l.startsWith("|")).toList();
    for (String line : lines) {
      // Cells split at '|' except an escaped "\|" inside one.
      String[] cells = line.substring(1, line.length() - 1).split("(?<!\\\\)\\|", -1);
      assertEquals(4, cells.length, "a row of four cells: " + line);
      String key = cells[0].trim();
      assertTrue(key.startsWith("`") && key.endsWith("`"), "a key in backticks: " + line);
      List<String> previous = out.put(key.substring(1, key.length() - 1),
          List.of(cells[1].trim(), cells[2].trim(), cells[3].trim()));
      assertNull(previous, "one row per key: " + key);
    }
    return out;
  }

  // Nested objects down to the keys, as SyncwireConfig reads them.
  private static void flatten(String prefix, JsonObject json, Map<String, Object> out) {
    for (String field : json.fieldNames()) {
      String path = prefix + field;
      Object value = json.getValue(field);
      boolean isKey = SyncwireConfig.KEYS.stream().anyMatch(k -> k.path().equals(path));
      if (value instanceof JsonObject && !isKey) {
        flatten(path + ".", (JsonObject) value, out);
      } else {
        out.put(path, value);
      }
    }
  }
}
