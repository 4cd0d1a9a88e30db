package dev.syncwire;

import dev.syncwire.config.SyncwireConfig;
import dev.syncwire.testing.Await;
import dev.syncwire.testing.TestNode;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Port 0 means any free port, chosen once so that every gateway of the node listens on it. */
class NodeVerticlePortsTest {

  @Test
  void portZeroFromAnOverrideIsResolvedToTheOnePortTheNodeServesOn() {
    JsonObject config = SyncwireConfig.applyOverrides(TestNode.baseConfig().put("http",
        new JsonObject().put("host", "127.0.0.1").put("port", 8080)),
        Map.of("syncwire.http.port", "0"), Map.of());
    assertInstanceOf(Long.class, config.getJsonObject("http").getValue("port"), "what an override puts there");
    HttpClient http = TestNode.clientVertx().createHttpClient();
    try (TestNode node = TestNode.start(config)) {
      assertNotEquals(0, node.port(), "the node knows (and logs) its port");
      assertEquals(200, (int) Await.result(http.request(HttpMethod.GET, node.port(), "127.0.0.1", "/info")
          .compose(r -> r.send().map(response -> response.statusCode()))));
    } finally {
      http.close();
    }
  }
}
