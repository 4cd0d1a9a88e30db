package dev.syncwire.admin;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code /info}, {@code /health} and {@code /ready}, mounted on both the client and the admin port. */
public final class HealthRoutes {
  private HealthRoutes() {
  }

  public static void mount(Router router, NodeStatus status) {
    router.get("/info").handler(rc -> json(rc, 200, status.info().encode()));
    router.get("/health").handler(rc -> json(rc, 200, "{\"status\":\"UP\"}"));
    router.get("/ready").handler(rc -> {
      if (status.ready()) {
        json(rc, 200, "{\"status\":\"READY\"}");
      } else {
        json(rc, 503, "{\"status\":\"NOT_READY\"}");
      }
    });
  }

  static void json(RoutingContext rc, int status, String body) {
    rc.response().setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(body);
  }
}
