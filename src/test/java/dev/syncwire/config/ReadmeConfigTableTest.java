package dev.syncwire.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's configuration table names every key the node accepts. */
class ReadmeConfigTableTest {

  @Test
  void everyConfigKeyIsDocumented() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    for (ConfigKey key : SyncwireConfig.KEYS) {
      assertTrue(readme.contains("| `" + key.path() + "` |"), "README.md does not document " + key.path());
    }
  }
}
