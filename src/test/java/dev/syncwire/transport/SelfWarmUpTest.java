package dev.syncwire.transport;

import dev.syncwire.NodeVerticle;
import dev.syncwire.protocol.TransportKind;
import dev.syncwire.testing.Await;
import dev.syncwire.testing.FreePorts;
import dev.syncwire.testing.TestNode;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A starting node warms its protocol paths up over real WebSockets to its own port, and only then reports
 * ready; the warm-up leaves no session behind.
 */
class SelfWarmUpTest {
  private static final int SESSIONS = 40;
  private static final int ROUNDS = 2;

  @Test
  void theNodeIsReadyOnlyAfterItsWarmUpAndKeepsNoSession() {
    int port = FreePorts.block(2);
    JsonObject config = TestNode.baseConfig()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", port))
        .put("admin", new JsonObject().put("host", "127.0.0.1").put("port", port + 1).put("key", TestNode.ADMIN_KEY))
        .put("warmup", new JsonObject().put("sessions", SESSIONS).put("rounds", ROUNDS));
    Vertx vertx = Vertx.vertx();
    HttpClient http = TestNode.clientVertx().createHttpClient();
    try {
      NodeVerticle node = new NodeVerticle();
      Future<String> deployed = vertx.deployVerticle(node, new DeploymentOptions().setConfig(config));
      // Poll readiness while the node starts: the first 200 must come after every warm-up session.
      List<Integer> connectionsWhenReady = new ArrayList<>();
      Await.until(Duration.ofSeconds(60), "the node ready", () -> {
        Integer status = Await.result(http.request(HttpMethod.GET, port, "127.0.0.1", "/ready")
            .compose(req -> req.send().map(res -> res.statusCode())).recover(e -> Future.succeededFuture(-1)));
        if (status == 200) {
          connectionsWhenReady.add((int) node.metrics().registry().get("ws.connections")
              .tag("transport", TransportKind.WEBSOCKET.label()).counter().count());
          return true;
        }
        return false;
      });
      Await.result(deployed);
      assertEquals(SESSIONS * ROUNDS, connectionsWhenReady.get(0), "sessions run before ready");
      assertEquals(4.0 * SESSIONS * ROUNDS, node.metrics().registry().get("syncwire.acks").tag("duplicate", "false")
          .counter().count(), "every warm-up publish acknowledged");
      Await.until(Duration.ofSeconds(10), "no session left", () -> node.hubs().sessionCount() == 0);
      assertTrue(node.metrics().activeConnections(TransportKind.WEBSOCKET) == 0);
    } finally {
      http.close();
      vertx.close().await();
    }
  }
}
