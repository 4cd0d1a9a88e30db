package dev.syncwire.transport;

import dev.syncwire.guard.MemoryGuard;
import dev.syncwire.protocol.ErrorCode;
import dev.syncwire.session.Admission;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/**
 * The one answer to a new connection the node does not take: 503 with {@code Retry-After}. A draining node
 * says so and asks for no wait (another node will take the client); a node shedding load asks for its
 * guard's wait.
 */
public final class Shedding {
  private Shedding() {
  }

  public static void refuse(HttpServerResponse response, Admission admission) {
    boolean draining = admission.draining();
    long retryAfterMs = draining ? 0 : MemoryGuard.RETRY_AFTER_MS;
    String message = draining ? "node draining, connect to another node" : "node under memory pressure, retry later";
    response.setStatusCode(503)
        .putHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterMs / 1000))
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end("{\"error\":{\"code\":\"" + (draining ? ErrorCode.UNAVAILABLE : ErrorCode.OVERLOADED).wireName()
            + "\",\"message\":\"" + message
            + "\",\"retryAfterMs\":" + retryAfterMs + "}}");
  }
}
