package dev.syncwire.transport.http;

import dev.syncwire.admin.HttpRefusals;
import dev.syncwire.admin.JsonBodyHandler;
import dev.syncwire.config.HttpConfig;
import dev.syncwire.config.SyncwireConfig;
import dev.syncwire.protocol.ErrorCode;
import dev.syncwire.protocol.TraceParents;
import dev.syncwire.session.Admission;
import dev.syncwire.session.ConnectionLimits;
import dev.syncwire.session.EventLoopHub;
import dev.syncwire.telemetry.LogContext;
import dev.syncwire.transport.ClientIp;
import dev.syncwire.transport.Shedding;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;

import java.util.Arrays;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code POST /send}, {@code GET /sse} and {@code GET /poll} on the client port of one event loop: checks
 * the request, then hands it to the {@link SessionDirectory}, which finds the session wherever it lives.
 * New sessions (a {@code /send} without {@code session}) live on this event loop.
 */
public final class HttpGateway {
  /** The session key, as a header (or the {@code key} query parameter, for EventSource). */
  public static final String KEY_HEADER = "X-Syncwire-Key";
  private static final Logger LOG = Logger.getLogger(HttpGateway.class.getName());

  private final Vertx vertx;
  private final SessionDirectory directory;
  private final EventLoopHub hub;
  private final HttpConfig config;
  private final ClientIp clientIp;
  private final ConnectionLimits limits;
  private final Admission admission;

  public HttpGateway(Vertx vertx, SessionDirectory directory, EventLoopHub hub, HttpConfig config,
                     ClientIp clientIp, ConnectionLimits limits, Admission admission) {
    this.admission = admission;
    this.vertx = vertx;
    this.directory = directory;
    this.hub = hub;
    this.config = config;
    this.clientIp = clientIp;
    this.limits = limits;
  }

  public void mount(Router router) {
    CorsHandler cors = CorsHandler.create()
        .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.OPTIONS))
        .allowedHeaders(Set.of("Content-Type", KEY_HEADER, "Last-Event-ID"))
        .maxAgeSeconds(600);
    if (!config.allowedOrigins().isEmpty()) {
      cors.addOrigins(config.allowedOrigins());
    }
    boolean allowList = !config.allowedOrigins().isEmpty();
    for (String path : new String[] {"/send", "/sse", "/poll", "/info"}) {
      if (allowList) {
        // The answer depends on the Origin (allowed or not): caches must keep one answer per Origin.
        router.route(path).handler(rc -> {
          rc.addHeadersEndHandler(v -> varyOnOrigin(rc.response()));
          rc.next();
        });
      }
      router.route(path).handler(cors).failureHandler(HttpGateway::failure);
    }
    router.post("/send").handler(new JsonBodyHandler(config.maxSendBytes(), "body larger than "
            + SyncwireConfig.HTTP_MAX_SEND_BYTES.path() + " (" + config.maxSendBytes() + " bytes)",
            (rc, status, code, message) -> HttpTransports.error(rc.response(), status, code.wireName(), message)))
        .handler(this::send);
    router.get("/sse").handler(this::sse);
    router.get("/poll").handler(this::poll);
  }

  /** Adds {@code Origin} to {@code Vary}, once (the CORS handler adds it for some answers itself). */
  private static void varyOnOrigin(HttpServerResponse response) {
    String vary = response.headers().get(HttpHeaders.VARY);
    if (vary == null) {
      response.putHeader(HttpHeaders.VARY, "Origin");
    } else if (Arrays.stream(vary.split(",")).noneMatch(v -> v.trim().equalsIgnoreCase("Origin"))) {
      response.putHeader(HttpHeaders.VARY, vary + ", Origin");
    }
  }

  private static void failure(RoutingContext rc) {
    if (rc.statusCode() == 403) {
      HttpRefusals.refuse(rc, ErrorCode.FORBIDDEN, "origin not allowed");
    } else if (rc.failure() instanceof IllegalArgumentException) {
      HttpRefusals.refuse(rc, 400, ErrorCode.BAD_REQUEST, "the query string does not decode");
    } else if (rc.statusCode() >= 400 && rc.statusCode() < 500) {
      HttpRefusals.refuse(rc, ErrorCode.BAD_REQUEST, "bad request");
    } else {
      LogContext.log(LOG, Level.WARNING, null, null, LogContext.traceId(rc.request().getHeader("traceparent")),
          () -> "HTTP transport request failed", rc.failure());
      HttpTransports.error(rc.response(), 500, ErrorCode.INTERNAL.wireName(), "internal error");
    }
  }

  /**
   * A {@code traceparent} header on {@code /send} stands for the field on each {@code connect} and
   * {@code publish} of the batch that has none (docs/protocol.md §3.2), wherever the session lives.
   */
  private static void inheritTraceparent(JsonArray commands, String traceparent) {
    if (traceparent == null) {
      return;
    }
    for (Object c : commands) {
      if (c instanceof JsonObject command && !command.containsKey("traceparent")
          && ("connect".equals(command.getValue("type")) || "publish".equals(command.getValue("type")))) {
        command.put("traceparent", traceparent);
      }
    }
  }

  private void send(RoutingContext rc) {
    if (!(JsonBodyHandler.body(rc) instanceof JsonArray)) {
      HttpTransports.error(rc.response(), 400, "bad_request", "the body must be a JSON array of commands");
      return;
    }
    JsonArray commands = (JsonArray) JsonBodyHandler.body(rc);
    if (commands.size() > config.maxCommandsPerSend()) {
      HttpTransports.error(rc.response(), 413, "too_large", "more than "
          + SyncwireConfig.HTTP_MAX_COMMANDS_PER_SEND.path() + " (" + config.maxCommandsPerSend() + ") commands");
      return;
    }
    inheritTraceparent(commands, TraceParents.validOrNull(rc.request().getHeader("traceparent")));
    String session = rc.request().getParam("session");
    if (session != null) {
      directory.send(session, key(rc.request()), commands)
          .onComplete(ar -> respond(rc, ar.succeeded() ? ar.result() : SessionDirectory.Answer.noSession()));
      return;
    }
    if (admission.refusesNewSessions()) {
      Shedding.refuse(rc.response(), admission);
      return;
    }
    String ip = clientIp.of(rc.request());
    if (!limits.tryAcquireIp(ip)) {
      rc.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(ConnectionLimits.RETRY_AFTER_SECONDS));
      HttpTransports.error(rc.response(), 503, "overloaded", "too many sessions from this address");
      return;
    }
    // The session releases the address's place when it ends.
    directory.sendNew(hub, commands, ip)
        .onComplete(ar -> respond(rc, ar.succeeded() ? ar.result() : SessionDirectory.Answer.noSession()));
  }

  private void poll(RoutingContext rc) {
    Long cursor = cursor(rc.request(), rc.request().getParam("cursor"));
    if (cursor == null || rc.request().getParam("session") == null) {
      HttpTransports.error(rc.response(), 400, "bad_request", "poll needs session and a non-negative cursor");
      return;
    }
    directory.poll(rc.request().getParam("session"), key(rc.request()), cursor)
        .onComplete(ar -> respond(rc, ar.succeeded() ? ar.result() : SessionDirectory.Answer.noSession()));
  }

  private void sse(RoutingContext rc) {
    if (admission.refusesNewSessions()) {
      Shedding.refuse(rc.response(), admission);
      return;
    }
    HttpServerRequest request = rc.request();
    String lastEventId = request.getHeader("Last-Event-ID");
    Long cursor = cursor(request, lastEventId != null ? lastEventId : request.getParam("cursor"));
    String session = request.getParam("session");
    if (cursor == null || session == null) {
      HttpTransports.error(rc.response(), 400, "bad_request", "sse needs session and a non-negative cursor");
      return;
    }
    // Check the session first, so that errors are plain HTTP answers rather than an empty stream.
    directory.check(session, key(request)).onComplete(check -> {
      SessionDirectory.Answer a = check.succeeded() ? check.result() : SessionDirectory.Answer.noSession();
      if (a.status() != 200) {
        respond(rc, a);
        return;
      }
      SseStream stream = new SseStream(vertx, rc.response(), config.sseKeepaliveMs(), config.sseRetryMs());
      directory.stream(session, key(request), cursor, stream).onComplete(ar -> {
        if (ar.failed() || ar.result().status() != 200) {
          stream.end();
        }
      });
    });
  }

  private static String key(HttpServerRequest request) {
    String header = request.getHeader(KEY_HEADER);
    return header != null ? header : request.getParam("key");
  }

  private static Long cursor(HttpServerRequest request, String raw) {
    if (raw == null) {
      return 0L;
    }
    try {
      long c = Long.parseLong(raw.trim());
      return c < 0 ? null : c;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static void respond(RoutingContext rc, SessionDirectory.Answer answer) {
    if (answer.status() == 503) {
      rc.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(ConnectionLimits.RETRY_AFTER_SECONDS));
    }
    HttpTransports.json(rc.response(), answer.status(), answer.body());
  }
}
