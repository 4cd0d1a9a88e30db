package dev.syncwire.transport.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** Response conventions shared by the HTTP transports. */
final class HttpTransports {
  private HttpTransports() {
  }

  /** Marks a response that proxies must neither buffer nor cache. */
  static HttpServerResponse noBuffering(HttpServerResponse response) {
    return response.putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .putHeader("X-Accel-Buffering", "no");
  }

  static void json(HttpServerResponse response, int status, String body) {
    noBuffering(response).setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
  }

  static void error(HttpServerResponse response, int status, String code, String message) {
    json(response, status, new JsonObject().put("code", code).put("message", message).encode());
  }
}
