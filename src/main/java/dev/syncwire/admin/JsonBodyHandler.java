package dev.syncwire.admin;

import dev.syncwire.protocol.ClientJson;
import dev.syncwire.protocol.ErrorCode;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reads a request body of at most {@code maxBytes} as JSON, whatever its {@code Content-Type}, with
 * {@link ClientJson}; the next handler finds the value at {@link #body(RoutingContext)}. A larger body is
 * answered {@code 413}, one that is not JSON the server accepts {@code 400}. Used instead of vertx-web's
 * {@code BodyHandler}, which decodes {@code application/x-www-form-urlencoded} bodies (what {@code curl -d}
 * sends) as forms and refuses them past a small size.
 */
public final class JsonBodyHandler implements Handler<RoutingContext> {
  private static final Logger LOG = Logger.getLogger(JsonBodyHandler.class.getName());
  private static final String BODY = JsonBodyHandler.class.getName();

  /** Writes an error answer on the port's own terms (headers, body shape). */
  @FunctionalInterface
  public interface Errors {
    void answer(RoutingContext rc, int status, ErrorCode code, String message);
  }

  private final long maxBytes;
  private final String tooLargeMessage;
  private final Errors errors;

  /** {@code tooLargeMessage} says which limit a body passed, for example its config key. */
  public JsonBodyHandler(long maxBytes, String tooLargeMessage, Errors errors) {
    this.maxBytes = maxBytes;
    this.tooLargeMessage = tooLargeMessage;
    this.errors = errors;
  }

  /** The body read by this handler: a JSON value, possibly {@code null} (the JSON literal). */
  public static Object body(RoutingContext rc) {
    return rc.get(BODY);
  }

  @Override
  public void handle(RoutingContext rc) {
    HttpServerRequest request = rc.request();
    if (declaredLength(request) > maxBytes) {
      tooLarge(rc);
      return;
    }
    if (request.isEnded()) {
      parse(rc, Buffer.buffer());
      return;
    }
    String expect = request.getHeader(HttpHeaders.EXPECT);
    if (expect != null && expect.equalsIgnoreCase("100-continue") && request.version() != HttpVersion.HTTP_1_0) {
      rc.response().writeContinue();
    }
    Buffer body = Buffer.buffer();
    boolean[] refused = {false};
    request.handler(chunk -> {
      if (refused[0]) {
        return;
      }
      if (body.length() + chunk.length() > maxBytes) {
        refused[0] = true;
        tooLarge(rc);
        return;
      }
      body.appendBuffer(chunk);
    });
    request.exceptionHandler(e -> {
      refused[0] = true;
      LOG.log(Level.FINE, () -> "request body not read: " + e);
    });
    request.endHandler(v -> {
      if (!refused[0]) {
        parse(rc, body);
      }
    });
  }

  private void parse(RoutingContext rc, Buffer body) {
    Object value;
    try {
      value = ClientJson.parse(body.getBytes());
    } catch (ClientJson.Refused e) {
      refuse(rc, 400, ErrorCode.BAD_REQUEST, e.partial() == null ? "the body is not valid JSON" : e.getMessage());
      return;
    }
    rc.put(BODY, value);
    rc.next();
  }

  // Answers at once; the rest of the body is still read (and dropped) so that the answer reaches a client
  // that is still sending, and the connection can serve its next request.
  private void tooLarge(RoutingContext rc) {
    if (!rc.request().isEnded()) {
      rc.request().handler(chunk -> { });
    }
    refuse(rc, 413, ErrorCode.TOO_LARGE, tooLargeMessage);
  }

  private void refuse(RoutingContext rc, int status, ErrorCode code, String message) {
    LOG.log(Level.FINE, () -> rc.request().method() + " " + rc.request().path() + " refused with " + status + ": "
        + message);
    errors.answer(rc, status, code, message);
  }

  private static long declaredLength(HttpServerRequest request) {
    String header = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (header == null) {
      return -1;
    }
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
