package dev.syncwire.admin;

import dev.syncwire.auth.Authenticator;
import dev.syncwire.broker.ChannelBroker;
import dev.syncwire.broker.PublishBody;
import dev.syncwire.channel.ChannelId;
import dev.syncwire.config.AdminConfig;
import dev.syncwire.config.SyncwireConfig;
import dev.syncwire.config.TlsConfig;
import dev.syncwire.internals.VertxInternals;
import dev.syncwire.protocol.ChannelNames;
import dev.syncwire.protocol.ErrorCode;
import dev.syncwire.protocol.ProtocolException;
import dev.syncwire.protocol.TraceParents;
import dev.syncwire.session.Session;
import dev.syncwire.telemetry.MetricsEndpoint;
import dev.syncwire.telemetry.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The admin port: {@code /health}, {@code /ready}, {@code /info} without credentials, and the admin
 * API of docs/protocol.md §12 under {@code /api/v1}, each call with {@code Authorization: Bearer <admin.key>}
 * (or Basic with the key as password), and the {@link Dashboard} at {@code /}. An empty {@code admin.key}
 * disables the API and the dashboard.
 */
public final class AdminVerticle extends VerticleBase {
  private static final long MAX_BODY_BYTES = 1024 * 1024;
  private static final String DISABLED = "the admin API is disabled (" + SyncwireConfig.ADMIN_KEY.path() + " is empty)";

  private final NodeStatus status;
  private final ChannelBroker broker;
  private final Authenticator authenticator;
  private final String host;
  private final int port;
  private final TlsConfig tls;
  private final byte[] adminKey;
  private final java.util.function.Supplier<Future<JsonArray>> nodeStatuses;
  private final AdminOperations operations;

  /** {@code nodeStatuses} gathers every member's status in a cluster; null for a node alone. */
  public AdminVerticle(NodeStatus status, ChannelBroker broker, Authenticator authenticator, AdminConfig config,
                       java.util.function.Supplier<Future<JsonArray>> nodeStatuses, AdminOperations operations) {
    this.nodeStatuses = nodeStatuses;
    this.operations = operations;
    this.status = status;
    this.broker = broker;
    this.authenticator = authenticator;
    this.host = config.host();
    this.port = config.port();
    this.tls = config.tls();
    this.adminKey = config.key().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    HttpRefusals.install(router);
    HealthRoutes.mount(router, status);
    if (operations.metricsRequireKey()) {
      router.route("/metrics").handler(this::authorize);
    }
    router.get("/metrics").handler(this::metrics);
    router.route("/api/v1/*").handler(this::authorize);
    operations.dashboard().mount(router, this::authorize);
    router.post("/api/v1/*").handler(new JsonBodyHandler(MAX_BODY_BYTES, "body larger than " + MAX_BODY_BYTES + " bytes",
        (rc, status, code, message) -> error(rc, status, code.wireName(), message)));
    router.get("/api/v1/nodes").handler(this::nodes);
    router.get("/api/v1/channels").handler(this::channels);
    router.get("/api/v1/channels/:tenant/:channel").handler(this::channel);
    router.post("/api/v1/publish").handler(this::publish);
    router.post("/api/v1/drain").handler(this::drain);
    router.post("/api/v1/disconnect").handler(this::disconnect);
    return vertx.createHttpServer(tls.applyTo(new HttpServerOptions().setHost(host).setPort(port)))
        .connectionHandler(VertxInternals::ensureConnectionMetric)
        .requestHandler(request -> {
          if (!HttpRefusals.refusedWithoutHost(request)) {
            router.handle(request);
          }
        }).listen();
  }

  private void authorize(RoutingContext rc) {
    String header = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
    byte[] given = AdminCredentials.presentedKey(header);
    if (adminKey.length == 0) {
      error(rc, 403, "forbidden", DISABLED);
    } else if (!MessageDigest.isEqual(adminKey, given)) {
      error(rc, 401, "unauthorized", "missing or wrong admin key");
    } else {
      rc.next();
    }
  }

  /** The Prometheus scrape, rendered off the event loop (the JVM's meters take a while to read). */
  private void metrics(RoutingContext rc) {
    vertx.executeBlocking(() -> operations.metrics().scrape(), false).onComplete(ar -> {
      if (ar.failed()) {
        error(rc, 500, "internal", "metrics unavailable");
        return;
      }
      rc.response().putHeader(HttpHeaders.CONTENT_TYPE, MetricsEndpoint.CONTENT_TYPE)
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(ar.result());
    });
  }

  /** Starts this node's drain and answers at once; the node exits when it is done (under the launcher). */
  private void drain(RoutingContext rc) {
    boolean already = operations.drain().started();
    operations.drain().start("admin API");
    HealthRoutes.json(rc, 202, new JsonObject().put("draining", true).put("alreadyDraining", already).encode());
  }

  private void disconnect(RoutingContext rc) {
    Object body = JsonBodyHandler.body(rc);
    JsonObject json = body instanceof JsonObject ? (JsonObject) body : null;
    String tenant = json != null && json.getValue("tenant") instanceof String ? json.getString("tenant") : null;
    String user = json != null && json.getValue("user") instanceof String ? json.getString("user") : null;
    if (user == null || user.isEmpty()) {
      error(rc, 400, "bad_request", "body must be {\"tenant\":\"…\",\"user\":\"…\"}");
      return;
    }
    if (!authenticator.hasTenant(tenant)) {
      error(rc, 404, "not_found", "unknown tenant");
      return;
    }
    operations.disconnect().disconnect(tenant, user).onComplete(ar -> {
      if (ar.failed()) {
        error(rc, 503, "unavailable", "could not reach every node");
      } else {
        HealthRoutes.json(rc, 200, new JsonObject().put("disconnected", ar.result()).encode());
      }
    });
  }

  private void nodes(RoutingContext rc) {
    if (nodeStatuses != null) {
      nodeStatuses.get().onComplete(ar -> HealthRoutes.json(rc, 200,
          (ar.succeeded() ? ar.result() : new JsonArray()).encode()));
      return;
    }
    broker.channels(null).onComplete(ar -> {
      JsonObject node = status.localStatus().put("channelsOwned", ar.succeeded() ? ar.result().size() : 0);
      HealthRoutes.json(rc, 200, new JsonArray().add(node).encode());
    });
  }

  private void channels(RoutingContext rc) {
    String tenant = rc.request().getParam("tenant");
    if (!authenticator.hasTenant(tenant)) {
      error(rc, 404, "not_found", "unknown tenant");
      return;
    }
    broker.channels(tenant).onComplete(ar -> {
      JsonArray out = new JsonArray();
      if (ar.succeeded()) {
        ar.result().forEach(c -> out.add(info(c)));
      }
      HealthRoutes.json(rc, 200, out.encode());
    });
  }

  private static JsonObject info(ChannelBroker.ChannelInfo c) {
    return new JsonObject().put("channel", c.channel()).put("seq", c.seq()).put("epoch", c.epoch())
        .put("subscribers", c.subscriptions());
  }

  private void channel(RoutingContext rc) {
    String tenant = rc.pathParam("tenant");
    String channel = rc.pathParam("channel");
    if (!authenticator.hasTenant(tenant) || !ChannelNames.isValid(channel)) {
      error(rc, 404, "not_found", "unknown tenant or invalid channel name");
      return;
    }
    broker.channel(new ChannelId(tenant, channel)).onComplete(ar -> {
      if (ar.failed()) {
        error(rc, 404, "not_found", "no such channel");
        return;
      }
      JsonObject body = info(ar.result().info()).put("owner", ar.result().owner() != null ? ar.result().owner()
          : status.nodeId());
      if (ar.result().snapshotJson() != null) {
        body.put("snapshot", new JsonObject(ar.result().snapshotJson()));
      }
      HealthRoutes.json(rc, 200, body.encode());
    });
  }

  private void publish(RoutingContext rc) {
    if (!(JsonBodyHandler.body(rc) instanceof JsonObject)) {
      error(rc, 400, "bad_request", "body must be a JSON object");
      return;
    }
    JsonObject body = (JsonObject) JsonBodyHandler.body(rc);
    String tenant = body.getValue("tenant") instanceof String ? body.getString("tenant") : null;
    if (!authenticator.hasTenant(tenant)) {
      error(rc, 404, "not_found", "unknown tenant");
      return;
    }
    String channel;
    ChannelBroker.PublishRequest request;
    try {
      channel = PublishBody.channel(body.getValue("channel"));
      request = PublishBody.request(body);
    } catch (ProtocolException e) {
      error(rc, 400, "bad_request", e.getMessage());
      return;
    }
    Tracing tracing = Tracing.forNode();
    Span span = null;
    if (tracing.enabled()) {
      span = tracing.tracer().spanBuilder(Tracing.PUBLISH_SPAN).setSpanKind(SpanKind.SERVER)
          .setParent(tracing.parentOf(TraceParents.validOrNull(rc.request().getHeader("traceparent"))))
          .setAttribute(Tracing.CHANNEL, channel).setAttribute(Tracing.TENANT, tenant)
          .setAttribute(Tracing.TRANSPORT, "admin").startSpan();
      request = new ChannelBroker.PublishRequest(request.key(), request.dataJson(), request.patchJson(),
          Tracing.traceparent(span));
    }
    Span publishSpan = span;
    broker.publish(new ChannelId(tenant, channel), request).onComplete(ar -> {
      if (publishSpan != null) {
        Session.endPublishSpan(publishSpan, ar.succeeded() ? ar.result() : null, ar.cause());
      }
      if (ar.succeeded()) {
        HealthRoutes.json(rc, 200, new JsonObject().put("seq", ar.result().seq()).put("epoch", ar.result().epoch())
            .put("duplicate", ar.result().duplicate()).encode());
      } else if (ar.cause() instanceof ProtocolException) {
        ProtocolException e = (ProtocolException) ar.cause();
        JsonObject err = new JsonObject().put("code", e.code().wireName()).put("message", e.getMessage());
        if (e.currentJson() != null) {
          err.put("current", new JsonObject(e.currentJson()));
        }
        if (e.retryAfterMs() != null) {
          err.put("retryAfterMs", e.retryAfterMs());
          rc.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, e.retryAfterMs() / 1000)));
        }
        HealthRoutes.json(rc, httpStatus(e.code()), err.encode());
      } else {
        error(rc, 503, "unavailable", "channel temporarily unavailable");
      }
    });
  }

  private static int httpStatus(ErrorCode code) {
    switch (code) {
      case CONFLICT:
        return 409;
      case TOO_LARGE:
        return 413;
      case UNAVAILABLE:
      case OVERLOADED:
        return 503;
      default:
        return 400;
    }
  }

  private static void error(RoutingContext rc, int status, String code, String message) {
    HealthRoutes.json(rc, status, new JsonObject().put("code", code).put("message", message).encode());
  }
}
