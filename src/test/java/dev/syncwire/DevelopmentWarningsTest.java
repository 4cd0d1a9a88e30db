package dev.syncwire;

import dev.syncwire.config.DevelopmentSettings;
import dev.syncwire.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A node started with development settings says so, one warning line for each, and is quiet without them. */
class DevelopmentWarningsTest {
  private static final Logger NODE_LOG = Logger.getLogger(NodeVerticle.class.getName());
  private final List<LogRecord> records = new ArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      synchronized (records) {
        records.add(record);
      }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };

  @BeforeEach
  void listen() {
    NODE_LOG.addHandler(capture);
  }

  @AfterEach
  void stopListening() {
    NODE_LOG.removeHandler(capture);
  }

  @Test
  void theShippedConfigurationWarnsOfEachDevelopmentSetting() throws Exception {
    JsonObject shipped = new JsonObject(Files.readString(Path.of("conf/node.json")));
    assertEquals(DevelopmentSettings.EXAMPLE_ADMIN_KEY, shipped.getJsonObject("admin").getString("key"),
        "the example key the node warns of is the one conf/node.json ships");
    shipped.getJsonObject("http").put("port", 0);
    shipped.getJsonObject("admin").put("port", 0);
    try (TestNode node = TestNode.start(shipped)) {
      List<String> warnings = warnings();
      assertEquals(3, warnings.size(), String.join("\n", warnings));
      assertTrue(warnings.get(0).contains("all interfaces") && warnings.get(0).contains("http.host 0.0.0.0"), warnings.get(0));
      assertTrue(warnings.get(1).contains("admin.key is the published example key"), warnings.get(1));
      assertTrue(warnings.get(2).contains("tenant 'demo' lets anonymous clients publish"), warnings.get(2));
      for (String warning : warnings) {
        assertTrue(warning.startsWith("development setting: ") && !warning.contains("\n"), warning);
        assertTrue(!warning.contains(DevelopmentSettings.EXAMPLE_ADMIN_KEY), "the warning does not repeat the key");
      }
    }
  }

  @Test
  void aProductionConfigurationStartsWithoutWarnings() {
    JsonObject production = new JsonObject()
        .put("node", new JsonObject().put("eventLoops", 1))
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("admin", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("key", "a-secret-of-our-own"))
        .put("tenants", new JsonArray()
            .add(new JsonObject().put("id", "viewers").put("anonymous", true).put("clientPublish", false))
            .add(new JsonObject().put("id", "acme").put("clientPublish", true).put("keys", new JsonArray()
                .add(new JsonObject().put("alg", "HS256").put("secret", TestNode.ACME_SECRET)))));
    try (TestNode node = TestNode.start(production)) {
      assertEquals(List.of(), warnings());
    }
  }

  private List<String> warnings() {
    synchronized (records) {
      return records.stream().filter(r -> r.getLevel() == Level.WARNING).map(LogRecord::getMessage).toList();
    }
  }
}
