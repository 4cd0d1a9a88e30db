package dev.syncwire.admin;

import dev.syncwire.auth.Authenticator;
import dev.syncwire.broker.ChannelBroker;
import dev.syncwire.channel.ChannelId;
import dev.syncwire.config.AdminConfig;
import dev.syncwire.config.SyncwireConfig;
import dev.syncwire.protocol.ChannelNames;
import dev.syncwire.protocol.ErrorCode;
import dev.syncwire.protocol.JsonCodec;
import dev.syncwire.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The admin port: {@code /health}, {@code /ready}, {@code /info} without credentials, and the admin
 * API of docs/protocol.md §12 under {@code /api/v1}, each call with {@code Authorization: Bearer <admin.key>}.
 * An empty {@code admin.key} disables the API.
 */
public final class AdminVerticle extends VerticleBase {
  private static final long MAX_BODY_BYTES = 1024 * 1024;
  private static final String DISABLED = "the admin API is disabled (" + SyncwireConfig.ADMIN_KEY.path() + " is empty)";

  private final NodeStatus status;
  private final ChannelBroker broker;
  private final Authenticator authenticator;
  private final String host;
  private final int port;
  private final byte[] adminKey;
  private final java.util.function.Supplier<Future<JsonArray>> nodeStatuses;

  /** {@code nodeStatuses} gathers every member's status in a cluster; null for a node alone. */
  public AdminVerticle(NodeStatus status, ChannelBroker broker, Authenticator authenticator, AdminConfig config,
                       java.util.function.Supplier<Future<JsonArray>> nodeStatuses) {
    this.nodeStatuses = nodeStatuses;
    this.status = status;
    this.broker = broker;
    this.authenticator = authenticator;
    this.host = config.host();
    this.port = config.port();
    this.adminKey = config.key().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    HttpRefusals.install(router);
    HealthRoutes.mount(router, status);
    router.route("/api/v1/*").handler(this::authorize);
    router.post("/api/v1/*").handler(new JsonBodyHandler(MAX_BODY_BYTES, "body larger than " + MAX_BODY_BYTES + " bytes",
        (rc, status, code, message) -> error(rc, status, code.wireName(), message)));
    router.get("/api/v1/nodes").handler(this::nodes);
    router.get("/api/v1/channels").handler(this::channels);
    router.get("/api/v1/channels/:tenant/:channel").handler(this::channel);
    router.post("/api/v1/publish").handler(this::publish);
    return vertx.createHttpServer().requestHandler(request -> {
      if (!HttpRefusals.refusedWithoutHost(request)) {
        router.handle(request);
      }
    }).listen(port, host);
  }

  private void authorize(RoutingContext rc) {
    String header = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
    byte[] given = header != null && header.startsWith("Bearer ")
        ? header.substring(7).getBytes(StandardCharsets.UTF_8) : new byte[0];
    if (adminKey.length == 0) {
      error(rc, 403, "forbidden", DISABLED);
    } else if (!MessageDigest.isEqual(adminKey, given)) {
      error(rc, 401, "unauthorized", "missing or wrong admin key");
    } else {
      rc.next();
    }
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
    String channel = body.getValue("channel") instanceof String ? body.getString("channel") : null;
    Object key = body.getValue("key");
    if (!authenticator.hasTenant(tenant)) {
      error(rc, 404, "not_found", "unknown tenant");
      return;
    }
    if (!ChannelNames.isValid(channel)) {
      error(rc, 400, "bad_request", "channel must be 1-128 characters of A-Z a-z 0-9 _ - . : @");
      return;
    }
    if (key != null && (!(key instanceof String) || ((String) key).isEmpty()
        || ((String) key).length() > JsonCodec.MAX_KEY_LENGTH)) {
      error(rc, 400, "bad_request", "key must be 1-128 characters");
      return;
    }
    if (body.containsKey("data") == body.containsKey("patch")) {
      error(rc, 400, "bad_request", "a publish carries exactly one of \"data\" or \"patch\"");
      return;
    }
    if (body.containsKey("patch") && !(body.getValue("patch") instanceof JsonObject)) {
      error(rc, 400, "bad_request", "\"patch\" must be an object");
      return;
    }
    ChannelBroker.PublishRequest request = body.containsKey("data")
        ? new ChannelBroker.PublishRequest((String) key, Json.encode(body.getValue("data")), null)
        : new ChannelBroker.PublishRequest((String) key, null, body.getJsonObject("patch").encode());
    broker.publish(new ChannelId(tenant, channel), request).onComplete(ar -> {
      if (ar.succeeded()) {
        HealthRoutes.json(rc, 200, new JsonObject().put("seq", ar.result().seq()).put("epoch", ar.result().epoch())
            .put("duplicate", ar.result().duplicate()).encode());
      } else if (ar.cause() instanceof ProtocolException) {
        ProtocolException e = (ProtocolException) ar.cause();
        JsonObject err = new JsonObject().put("code", e.code().wireName()).put("message", e.getMessage());
        if (e.currentJson() != null) {
          err.put("current", new JsonObject(e.currentJson()));
        }
        HealthRoutes.json(rc, e.code() == ErrorCode.CONFLICT ? 409 : e.code() == ErrorCode.TOO_LARGE ? 413 : 400,
            err.encode());
      } else {
        error(rc, 503, "unavailable", "channel temporarily unavailable");
      }
    });
  }

  private static void error(RoutingContext rc, int status, String code, String message) {
    HealthRoutes.json(rc, status, new JsonObject().put("code", code).put("message", message).encode());
  }
}
