package dev.syncwire;

import dev.syncwire.config.ConfigKey;
import dev.syncwire.config.SyncwireConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --help}: Syncwire's options and every configuration key with its default. */
class UsageTest {
  private final String help = Usage.text();

  @Test
  void everyConfigurationKeyIsListedOnItsOwnLineWithItsDefault() {
    List<String> lines = help.lines().toList();
    for (ConfigKey key : SyncwireConfig.KEYS) {
      List<String> rows = lines.stream().filter(l -> l.startsWith("  " + key.path() + " ")).toList();
      assertEquals(1, rows.size(), key.path() + " is listed once");
      List<String> columns = List.of(rows.get(0).trim().split(" +"));
      assertEquals(Usage.defaultText(key), columns.get(1), key.path() + "'s default");
    }
  }

  @Test
  void defaultsAreWrittenAsInTheJsonFile() {
    assertTrue(help.contains("  http.port "), help);
    assertEquals("8080", Usage.defaultText(key("http.port")));
    assertEquals("\"0.0.0.0\"", Usage.defaultText(key("http.host")));
    assertEquals("\"\"", Usage.defaultText(key("admin.key")));
    assertEquals("false", Usage.defaultText(key("websocket.compression")));
    assertEquals("[]", Usage.defaultText(key("tenants")));
  }

  @Test
  void itNamesTheOptionsAndWhereOverridesGo() {
    for (String expected : List.of("-conf <file|json>", "-cluster", "--help", "--version",
        "-Dsyncwire.<key>=<value>, which goes before -jar", "SYNCWIRE_<KEY>")) {
      assertTrue(help.contains(expected), expected);
    }
    assertTrue(help.lines().allMatch(l -> l.length() <= 100), "fits 100 columns");
  }

  private static ConfigKey key(String path) {
    return SyncwireConfig.KEYS.stream().filter(k -> k.path().equals(path)).findFirst().orElseThrow();
  }
}
