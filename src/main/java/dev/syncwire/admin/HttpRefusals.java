package dev.syncwire.admin;

import dev.syncwire.protocol.ErrorCode;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Requests refused for the client's own mistakes, on either HTTP port: each is answered with a JSON error
 * and logged once, at {@code FINE}. vertx-web would log such a refusal (a missing {@code Host}, a query
 * string that does not decode, a refused CORS origin) as an unhandled failure, at {@code SEVERE} with a
 * stack trace, which reads like a fault of the server.
 */
public final class HttpRefusals {
  private static final Logger LOG = Logger.getLogger(HttpRefusals.class.getName());

  private HttpRefusals() {
  }

  /**
   * Answers {@code 400} to an HTTP/1.1 request without a valid {@code Host} header, which HTTP/1.1 and
   * the WebSocket handshake require; returns whether it did.
   */
  public static boolean refusedWithoutHost(HttpServerRequest request) {
    if (request.version() == HttpVersion.HTTP_1_0 || request.authority() != null) {
      return false;
    }
    refuse(request, 400, ErrorCode.BAD_REQUEST, "a valid Host header is required");
    return true;
  }

  /** Answers the failures a router leaves unhandled with a status a client causes (400, 403). */
  public static void install(Router router) {
    router.errorHandler(400, rc -> refuse(rc, ErrorCode.BAD_REQUEST, "bad request"));
    router.errorHandler(403, rc -> refuse(rc, ErrorCode.FORBIDDEN, "forbidden"));
  }

  /** Answers a failed routing context with its status, {@code code} and {@code message}. */
  public static void refuse(RoutingContext rc, ErrorCode code, String message) {
    refuse(rc, rc.statusCode() > 0 ? rc.statusCode() : 400, code, message);
  }

  /** Answers a failed routing context with {@code status}, {@code code} and {@code message}. */
  public static void refuse(RoutingContext rc, int status, ErrorCode code, String message) {
    answer(rc.request(), status, code, message, rc.failure());
  }

  /** Answers {@code request} with {@code status} and a JSON error, unless it was answered already. */
  public static void refuse(HttpServerRequest request, int status, ErrorCode code, String message) {
    answer(request, status, code, message, null);
  }

  private static void answer(HttpServerRequest request, int status, ErrorCode code, String message, Throwable cause) {
    // The cause's class alone: a query that does not decode is quoted in its message, and may hold a session key.
    LOG.log(Level.FINE, () -> request.method() + " " + request.path() + " refused with " + status + ": " + message
        + (cause == null ? "" : " (" + cause.getClass().getName() + ")"));
    HttpServerResponse response = request.response();
    if (response.ended() || response.closed()) {
      return;
    }
    // The reason phrase too: vertx-web may have set its own words there.
    response.setStatusCode(status).setStatusMessage(HttpResponseStatus.valueOf(status).reasonPhrase())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(new JsonObject().put("code", code.wireName()).put("message", message).encode());
  }
}
