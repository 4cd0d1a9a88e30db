package dev.syncwire.transport;

import dev.syncwire.guard.MemoryGuard;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/** The one answer to a new connection while the node sheds load: 503 with {@code Retry-After}. */
public final class Shedding {
  private Shedding() {
  }

  public static void refuse(HttpServerResponse response) {
    response.setStatusCode(503)
        .putHeader(HttpHeaders.RETRY_AFTER, Long.toString(MemoryGuard.RETRY_AFTER_MS / 1000))
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end("{\"error\":{\"code\":\"overloaded\",\"message\":\"node under memory pressure, retry later\",\"retryAfterMs\":"
            + MemoryGuard.RETRY_AFTER_MS + "}}");
  }
}
