package dev.syncwire.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DevelopmentSettingsTest {

  @Test
  void everySpellingOfAllInterfacesCounts() {
    for (String host : List.of("0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0")) {
      assertEquals(1, warnings(new JsonObject().put("http", new JsonObject().put("host", host))), host);
    }
    for (String host : List.of("127.0.0.1", "10.0.0.7", "::1", "gateway.internal")) {
      assertEquals(0, warnings(new JsonObject().put("http", new JsonObject().put("host", host))), host);
    }
  }

  @Test
  void anAnonymousTenantIsADevelopmentSettingOnlyWhenItMayPublish() {
    JsonArray tenants = new JsonArray()
        .add(new JsonObject().put("id", "a").put("anonymous", true).put("clientPublish", true))
        .add(new JsonObject().put("id", "b").put("anonymous", true).put("clientPublish", false))
        .add(new JsonObject().put("id", "c").put("anonymous", true).put("clientPublish", true));
    List<String> lines = DevelopmentSettings.inForce(SyncwireConfig.fromJson(new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1")).put("tenants", tenants)));
    assertEquals(2, lines.size(), String.join("\n", lines));
  }

  private static int warnings(JsonObject config) {
    return DevelopmentSettings.inForce(SyncwireConfig.fromJson(config)).size();
  }
}
