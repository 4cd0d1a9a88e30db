package dev.syncwire.telemetry;

import dev.syncwire.Syncwire;
import dev.syncwire.testing.Http;
import dev.syncwire.testing.HttpSessionClient;
import dev.syncwire.testing.NodeProcess;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.Tokens;
import dev.syncwire.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged node with {@code log.format = json}: the real launcher installs the formatter, so every line
 * it writes, from the first to the last, is a JSON object; and traffic full of secrets (tokens, session keys,
 * the admin key) leaves none of them in the log, with the node's own lines at FINE.
 */
class JsonLogsIT {
  /** The HMAC secret of tenant acme in conf/node.json, which NodeProcess nodes start with. */
  private static final String ACME_SECRET = "acme-example-secret-change-me-0123456789";
  private static final String WRONG_ADMIN_KEY = "wrong-admin-key-0123456789";

  @TempDir
  Path dir;

  @Test
  void everyLineIsAJsonObjectAndNoSecretShows() throws Exception {
    Path logging = Files.writeString(dir.resolve("logging.properties"), String.join("\n",
        "handlers=java.util.logging.ConsoleHandler", ".level=INFO", "dev.syncwire.level=FINE",
        "java.util.logging.ConsoleHandler.level=FINE", ""));
    NodeProcess.Options options = NodeProcess.Options.forTests()
        .withJvmOptions(List.of("-Djava.util.logging.config.file=" + logging));
    List<String> secrets = new ArrayList<>(List.of(TestNode.ADMIN_KEY, WRONG_ADMIN_KEY, ACME_SECRET));
    NodeProcess node = NodeProcess.alone(options, "json-logs", Map.of("log.format", "json"));
    try (node) {
      node.awaitReady();
      Vertx vertx = TestNode.clientVertx();

      String token = Tokens.hs256(ACME_SECRET, Tokens.claims("acme", "alice"));
      secrets.add(token);
      try (WsClient alice = WsClient.open(vertx, node.port)) {
        JsonObject connected = alice.connectToken(token);
        assertEquals("connected", connected.getString("type"), connected.encode());
        secrets.add(connected.getString("key"));
        // A frame the node refuses: it closes a connected session, which it logs with the session's tenant.
        alice.sendText("not json");
        assertEquals((short) 4400, alice.awaitClose());
      }
      String badToken = Tokens.hs256("not-the-acme-secret-0123456789", Tokens.claims("acme", "mallory"));
      secrets.add(badToken);
      try (WsClient mallory = WsClient.open(vertx, node.port)) {
        assertEquals("error", mallory.connectToken(badToken).getString("type"));
        assertEquals((short) 4001, mallory.awaitClose());
      }

      try (HttpSessionClient http = new HttpSessionClient(vertx, node.port)) {
        http.connect("demo");
        secrets.add(http.key);
        assertEquals("subscribed", http.command(new JsonObject().put("type", "subscribe").put("channel", "logs"))
            .getString("type"));
        assertEquals(200, node.adminPost("/api/v1/publish",
            new JsonObject().put("tenant", "demo").put("channel", "logs").put("data", "one").encode()).statusCode());
        assertEquals(1, http.poll(0).json().getJsonArray("messages").size());
        HttpSessionClient.SseReader sse = http.sse(0, false);
        assertEquals("one", sse.await(1).get(0).data().getString("data"));
        sse.close();
        // A key that does not decode: the refusal's log line must not quote the query.
        assertEquals(400, http.call(HttpMethod.GET, "/poll?session=" + http.session + "&key=" + http.key
            + "%zz&cursor=0", null, Map.of()).status());
        assertEquals(404, http.call(HttpMethod.GET, "/sse?session=" + http.session + "&key=not-" + http.key,
            null, Map.of()).status());
      }

      assertTrue(node.admin("/api/v1/nodes").contains("json-logs"));
      HttpResponse<String> refused = Http.send(Http.request(node.adminPort, "/api/v1/nodes")
          .header("Authorization", "Bearer " + WRONG_ADMIN_KEY).GET());
      assertEquals(401, refused.statusCode());
      node.stop();
      assertFalse(node.alive());
    }

    String log = node.logText();
    List<JsonObject> lines = new ArrayList<>();
    for (String line : log.lines().filter(l -> !l.isBlank()).toList()) {
      JsonObject json;
      try {
        json = new JsonObject(line);
      } catch (RuntimeException e) {
        throw new AssertionError("not a JSON object: " + line, e);
      }
      for (String field : List.of("time", "level", "logger", "message", "node")) {
        assertTrue(json.getValue(field) instanceof String, field + " missing: " + line);
      }
      Instant.parse(json.getString("time"));
      assertEquals("json-logs", json.getString("node"), line);
      lines.add(json);
    }
    assertTrue(lines.stream().anyMatch(l -> l.getString("message").contains("serving clients on")), log);
    assertTrue(lines.stream().anyMatch(l -> "acme".equals(l.getString("tenant"))
        && l.getString("message").contains("closed with 4400")), "the close of a connected session:\n" + log);
    assertTrue(lines.stream().anyMatch(l -> l.getString("session") != null
        && l.getString("message").contains("closed with 4001")), "the refused connect:\n" + log);
    for (String secret : secrets) {
      assertFalse(log.contains(secret), "the log shows the secret " + secret + ":\n" + log);
    }
  }

  @Test
  void aConfigurationTheNodeRefusesIsOneJsonLineAndExitStatus78() throws Exception {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "not a certificate\n");
    NodeProcess node = NodeProcess.alone(NodeProcess.Options.forTests(), "json-refused",
        Map.of("log.format", "json", "http.tls.certPath", cert.toString()));
    try (node) {
      NodeProcess.ExitedDuringStartup exited = assertThrows(NodeProcess.ExitedDuringStartup.class, node::awaitReady);
      assertEquals(Syncwire.EXIT_BAD_CONFIG, exited.exitValue);
    }
    List<String> lines = node.logText().lines().filter(l -> !l.isBlank()).toList();
    assertEquals(1, lines.size(), node.logText());
    JsonObject json = new JsonObject(lines.get(0));
    assertEquals("SEVERE", json.getString("level"));
    assertTrue(json.getString("message").contains("config key 'http.tls.keyPath' must be set when http.tls.certPath is"),
        lines.get(0));
  }
}
