package dev.syncwire.transport;

import dev.syncwire.testing.Http;
import dev.syncwire.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The browser client and the demo page as every node serves them (docs/protocol.md §2.1). */
class ClientFilesTest {
  private static final HttpClient HTTP = Http.client();
  private static TestNode withDemo;
  private static TestNode withoutDemo;

  @BeforeAll
  static void start() {
    JsonObject config = TestNode.baseConfig();
    config.put("demo", new JsonObject().put("enabled", true));
    withDemo = TestNode.start(config);
    withoutDemo = TestNode.start();
  }

  @AfterAll
  static void stop() {
    withDemo.close();
    withoutDemo.close();
  }

  private static HttpResponse<byte[]> get(TestNode node, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
        .timeout(Duration.ofSeconds(10));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }

  @Test
  void theClientModuleIsServedAsItIsInTheRepositoryWithCachingHeaders() throws Exception {
    for (String file : new String[] {"syncwire.js", "syncwire-sw.js"}) {
      HttpResponse<byte[]> r = get(withoutDemo, "/client/" + file);
      assertEquals(200, r.statusCode(), file);
      assertArrayEquals(Files.readAllBytes(Path.of("src", "main", "js", file)), r.body(), file);
      assertEquals("text/javascript; charset=utf-8", header(r, "content-type"), file);
      assertEquals("public, max-age=600", header(r, "cache-control"), file);
      assertEquals("nosniff", header(r, "x-content-type-options"), file);
      assertEquals("*", header(r, "access-control-allow-origin"), file);
      assertTrue(header(r, "etag").matches("\"[A-Za-z0-9_-]{22}\""), header(r, "etag"));
    }
    assertEquals("/", header(get(withoutDemo, "/client/syncwire-sw.js"), "service-worker-allowed"));
    assertEquals(200, get(withoutDemo, "/client/syncwire.d.ts").statusCode());
  }

  @Test
  void aMatchingETagIsANotModifiedAndAnotherIsTheFile() throws Exception {
    String etag = header(get(withoutDemo, "/client/syncwire.js"), "etag");
    HttpResponse<byte[]> same = get(withoutDemo, "/client/syncwire.js", "If-None-Match", etag);
    assertEquals(304, same.statusCode());
    assertEquals(0, same.body().length);
    assertEquals(etag, header(same, "etag"));
    assertEquals(304, get(withoutDemo, "/client/syncwire.js", "If-None-Match", "\"other\", " + etag).statusCode());
    assertEquals(200, get(withoutDemo, "/client/syncwire.js", "If-None-Match", "\"other\"").statusCode());
    assertTrue(!etag.equals(header(get(withoutDemo, "/client/syncwire-sw.js"), "etag")), "one tag per content");
  }

  @Test
  void headAnswersTheLengthWithoutTheBody() throws Exception {
    HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + withoutDemo.port()
        + "/client/syncwire.js")).timeout(Duration.ofSeconds(10)).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.discarding());
    assertEquals(200, r.statusCode());
    assertEquals(String.valueOf(Files.size(Path.of("src", "main", "js", "syncwire.js"))),
        header(r, "content-length"));
  }

  @Test
  void anyOtherNameIsNotFound() throws Exception {
    for (String path : new String[] {"/client/other.js", "/client/..%2Fnode.json", "/client/", "/client/syncwire.JS"}) {
      assertEquals(404, get(withoutDemo, path).statusCode(), path);
    }
  }

  @Test
  void theDemoPageIsServedOnlyWhenEnabled() throws Exception {
    assertEquals(404, get(withoutDemo, "/demo").statusCode());
    HttpResponse<byte[]> r = get(withDemo, "/demo");
    assertEquals(200, r.statusCode());
    assertEquals("text/html; charset=utf-8", header(r, "content-type"));
    assertEquals("no-cache", header(r, "cache-control"));
    assertTrue(header(r, "content-security-policy").contains("default-src 'self'"));
    String page = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(page.contains("from \"/client/syncwire.js\""), "the page uses the served client");
  }

  @Test
  void infoCarriesCorsSoAPageOfAnotherOriginCanReadIt() throws Exception {
    HttpResponse<byte[]> r = get(withoutDemo, "/info", "Origin", "https://app.example");
    assertEquals(200, r.statusCode());
    String allowed = header(r, "access-control-allow-origin");
    assertTrue("*".equals(allowed) || "https://app.example".equals(allowed), "allow-origin " + allowed);
    HttpResponse<Void> preflight = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + withoutDemo.port() + "/info")).timeout(Duration.ofSeconds(10)).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .headers("Origin", "https://app.example", "Access-Control-Request-Method", "GET").build(),
        HttpResponse.BodyHandlers.discarding());
    assertTrue(preflight.statusCode() == 200 || preflight.statusCode() == 204, "preflight " + preflight.statusCode());
    assertTrue(header(preflight, "access-control-allow-methods").contains("GET"));
  }

  @Test
  void aFileMissingFromTheJarStopsTheNodeAtStartWithItsName() {
    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> ClientFiles.load("client/missing.js", "text/javascript"));
    assertTrue(e.getMessage().contains("syncwire/client/missing.js is missing from the jar"), e.getMessage());
  }
}
