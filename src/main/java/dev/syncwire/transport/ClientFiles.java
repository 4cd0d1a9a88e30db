package dev.syncwire.transport;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The files every node serves on its client port (docs/protocol.md §13): the browser client under
 * {@code /client/} and, when {@code demo.enabled}, the demo page at {@code /demo}. They are read from the
 * jar once, at start, and served from memory with an {@code ETag}, so a browser revalidates them with a
 * {@code 304} rather than downloading them again.
 */
public final class ClientFiles {
  /** Resources of the jar, under this folder. */
  private static final String ROOT = "syncwire/";
  /** Long enough to spare a request per page view, short enough that a node upgrade reaches clients soon. */
  static final String CLIENT_CACHE_CONTROL = "public, max-age=600";

  private final Map<String, File> client = new LinkedHashMap<>();
  private final File demo;

  record File(Buffer body, String contentType, String etag) {
  }

  public ClientFiles(boolean demoEnabled) {
    client.put("syncwire.js", load("client/syncwire.js", "text/javascript; charset=utf-8"));
    client.put("syncwire-sw.js", load("client/syncwire-sw.js", "text/javascript; charset=utf-8"));
    client.put("syncwire.d.ts", load("client/syncwire.d.ts", "text/plain; charset=utf-8"));
    client.put("syncwire-sw.d.ts", load("client/syncwire-sw.d.ts", "text/plain; charset=utf-8"));
    demo = demoEnabled ? load("demo/index.html", "text/html; charset=utf-8") : null;
  }

  public void mount(Router router) {
    router.route("/client/:file").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(this::clientFile);
    if (demo != null) {
      router.route("/demo").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(rc -> {
        rc.response().putHeader("Content-Security-Policy", "default-src 'self'; connect-src 'self' ws: wss:; "
            + "style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'");
        // The page is small and changes with the node: always revalidated.
        serve(rc, demo, "no-cache");
      });
    }
  }

  private void clientFile(RoutingContext rc) {
    File file = client.get(rc.pathParam("file"));
    if (file == null) {
      rc.response().setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
          .end("no such file; there are " + String.join(", ", client.keySet()) + "\n");
      return;
    }
    HttpServerResponse response = rc.response();
    // Module scripts from another origin need CORS; the files are public, the same for everyone.
    response.putHeader("Access-Control-Allow-Origin", "*");
    if (rc.pathParam("file").equals("syncwire-sw.js")) {
      // Lets a page register a worker that imports this file with the site's whole scope.
      response.putHeader("Service-Worker-Allowed", "/");
    }
    serve(rc, file, CLIENT_CACHE_CONTROL);
  }

  private static void serve(RoutingContext rc, File file, String cacheControl) {
    HttpServerResponse response = rc.response()
        .putHeader(HttpHeaders.CACHE_CONTROL, cacheControl)
        .putHeader(HttpHeaders.ETAG, file.etag())
        .putHeader("X-Content-Type-Options", "nosniff");
    if (matches(rc.request().getHeader(HttpHeaders.IF_NONE_MATCH), file.etag())) {
      response.setStatusCode(304).end();
      return;
    }
    response.putHeader(HttpHeaders.CONTENT_TYPE, file.contentType());
    if (rc.request().method() == HttpMethod.HEAD) {
      response.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(file.body().length())).end();
    } else {
      response.end(file.body());
    }
  }

  /** {@code If-None-Match}: a list of entity tags, or {@code *}. */
  private static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    for (String tag : ifNoneMatch.split(",")) {
      String t = tag.trim();
      if (t.equals("*") || t.equals(etag) || t.equals("W/" + etag)) {
        return true;
      }
    }
    return false;
  }

  static File load(String name, String contentType) {
    try (InputStream in = ClientFiles.class.getClassLoader().getResourceAsStream(ROOT + name)) {
      if (in == null) {
        throw new IllegalStateException(ROOT + name + " is missing from the jar");
      }
      byte[] bytes = in.readAllBytes();
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      String etag = "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 22) + "\"";
      return new File(Buffer.buffer(bytes), contentType, etag);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + ROOT + name, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
