package dev.syncwire.admin;

import dev.syncwire.broker.ChannelBroker;
import dev.syncwire.protocol.TransportKind;
import dev.syncwire.telemetry.MetricNames;
import dev.syncwire.telemetry.NodeMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The live dashboard of the admin port (docs/protocol.md §12.3): {@code GET /} serves a page read from the
 * jar once, and {@code GET /dashboard/events} streams it a snapshot of the cluster and of this node once a
 * second as Server-Sent Events. Both need the admin key; their refusals carry a Basic challenge, so that a
 * browser asks for the key once and sends it again with the page's files and its {@code EventSource}.
 *
 * <p>Snapshots are gathered only while a stream is open, once for every stream, on the admin verticle's
 * event loop. Mounted on one router.
 */
public final class Dashboard {
  static final String EVENTS_PATH = "/dashboard/events";
  private static final long INTERVAL_MS = 1000;
  private static final int TOP_CHANNELS = 10;
  private static final String ROOT = "syncwire/dashboard/";
  // The page loads its own script and style and talks to its own origin, nothing else.
  private static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private final Vertx vertx;
  private final NodeStatus status;
  private final ChannelBroker broker;
  private final Supplier<Future<JsonArray>> nodeStatuses;
  private final NodeMetrics metrics;
  private final List<String> tenants;
  /** The page's files by request path. */
  private final Map<String, StaticFile> files = new LinkedHashMap<>();
  // Concurrent only so that openStreams() may be read from any thread; it changes on the event loop alone.
  private final Set<HttpServerResponse> streams = ConcurrentHashMap.newKeySet();
  private long timer = -1;
  private boolean gathering;
  private Sample previous;
  private String lastEvent;

  private record StaticFile(Buffer body, String contentType, String etag) {
  }

  /** Counter totals at one moment, for the rates between two snapshots. */
  private record Sample(long nanos, double publishes, double deliveries) {
  }

  private record RankedChannel(String tenant, ChannelBroker.ChannelInfo info) {
  }

  /**
   * {@code nodeStatuses} gathers every member's status in a cluster (null for a node alone); {@code tenants}
   * are the configured tenants, whose channels the top list ranks (a channel's listing names no tenant).
   */
  public Dashboard(Vertx vertx, NodeStatus status, ChannelBroker broker, Supplier<Future<JsonArray>> nodeStatuses,
                   NodeMetrics metrics, List<String> tenants) {
    this.vertx = vertx;
    this.status = status;
    this.broker = broker;
    this.nodeStatuses = nodeStatuses;
    this.metrics = metrics;
    this.tenants = List.copyOf(tenants);
    files.put("/", load("index.html", "text/html; charset=utf-8"));
    files.put("/dashboard/dashboard.js", load("dashboard.js", "text/javascript; charset=utf-8"));
    files.put("/dashboard/dashboard.css", load("dashboard.css", "text/css; charset=utf-8"));
  }

  /** Mounts the page, its files and its event stream, each behind {@code authorize} (the admin key check). */
  public void mount(Router router, Handler<RoutingContext> authorize) {
    for (String path : List.of("/", "/dashboard/*")) {
      router.route(path).handler(Dashboard::challengeOnRefusal).handler(authorize);
    }
    router.get(EVENTS_PATH).handler(this::stream);
    files.forEach((path, file) -> router.get(path).handler(rc -> serve(rc, file)));
  }

  private static void challengeOnRefusal(RoutingContext rc) {
    rc.addHeadersEndHandler(v -> {
      if (rc.response().getStatusCode() == 401) {
        rc.response().putHeader("WWW-Authenticate", AdminCredentials.BASIC_CHALLENGE);
      }
    });
    rc.next();
  }

  private static void serve(RoutingContext rc, StaticFile file) {
    HttpServerResponse response = rc.response()
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .putHeader(HttpHeaders.ETAG, file.etag())
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    if (file.etag().equals(rc.request().getHeader(HttpHeaders.IF_NONE_MATCH))) {
      response.setStatusCode(304).end();
    } else {
      response.putHeader(HttpHeaders.CONTENT_TYPE, file.contentType()).end(file.body());
    }
  }

  private void stream(RoutingContext rc) {
    HttpServerResponse response = rc.response().setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader("X-Accel-Buffering", "no");
    response.write("retry: 2000\n\n");
    response.closeHandler(v -> unwatch(response));
    response.exceptionHandler(e -> unwatch(response));
    streams.add(response);
    if (lastEvent != null) {
      response.write("data: " + lastEvent + "\n\n");
    }
    if (timer < 0) {
      previous = sample();
      timer = vertx.setPeriodic(INTERVAL_MS, t -> tick());
    }
  }

  /** Event streams open now. */
  int openStreams() {
    return streams.size();
  }

  private void unwatch(HttpServerResponse response) {
    if (streams.remove(response) && streams.isEmpty()) {
      vertx.cancelTimer(timer);
      timer = -1;
      lastEvent = null;
    }
  }

  private void tick() {
    if (gathering) {
      return; // the last snapshot still waits for a member or the channel owners: this second is skipped
    }
    gathering = true;
    Sample now = sample();
    double seconds = Math.max(1e-3, (now.nanos() - previous.nanos()) / 1e9);
    double publishRate = (now.publishes() - previous.publishes()) / seconds;
    double deliveryRate = (now.deliveries() - previous.deliveries()) / seconds;
    previous = now;
    JsonObject local = status.localStatus();
    List<Future<List<ChannelBroker.ChannelInfo>>> channels;
    Future<JsonArray> members;
    try {
      channels = tenants.stream().map(broker::channels).toList();
      members = nodeStatuses != null ? nodeStatuses.get() : Future.succeededFuture(null);
    } catch (RuntimeException stopping) {
      gathering = false; // the cluster is going away; the next second tries again
      return;
    }
    List<Future<?>> all = new ArrayList<>(channels);
    all.add(members);
    Future.join(all).onComplete(done -> {
      gathering = false;
      JsonObject event = new JsonObject()
          .put("node", status.nodeId())
          .put("clustered", status.clustered())
          .put("time", System.currentTimeMillis())
          .put("connections", connections())
          .put("publishRate", oneDecimal(publishRate))
          .put("deliveryRate", oneDecimal(deliveryRate))
          .put("memoryGuard", local.getJsonObject("memoryGuard"))
          .put("nodes", nodeRows(local, nodeStatuses != null, members, channels))
          .put("topChannels", topChannels(channels));
      broadcast(event.encode());
    });
  }

  /** A stream whose reader falls behind misses seconds rather than queueing them. */
  private void broadcast(String json) {
    if (streams.isEmpty()) {
      return; // every reader left while this snapshot was gathered: a later reader should not get it
    }
    lastEvent = json;
    String event = "data: " + json + "\n\n";
    for (HttpServerResponse response : streams) {
      if (!response.writeQueueFull()) {
        response.write(event);
      }
    }
  }

  private Sample sample() {
    double publishes = 0;
    for (Counter c : metrics.registry().find(MetricNames.PUBLISHES).counters()) {
      // With metrics.perTenant, tenant-tagged counters count the same publishes again.
      if (c.getId().getTag(MetricNames.TENANT) == null) {
        publishes += c.count();
      }
    }
    double deliveries = 0;
    for (FunctionCounter c : metrics.registry().find(MetricNames.DELIVERIES).functionCounters()) {
      deliveries += c.count();
    }
    return new Sample(System.nanoTime(), publishes, deliveries);
  }

  private JsonObject connections() {
    JsonObject out = new JsonObject();
    for (TransportKind kind : TransportKind.values()) {
      out.put(kind.label(), metrics.activeConnections(kind));
    }
    return out;
  }

  private static JsonArray nodeRows(JsonObject local, boolean clustered, Future<JsonArray> members,
                                    List<Future<List<ChannelBroker.ChannelInfo>>> channels) {
    JsonArray statuses;
    if (clustered) {
      statuses = members.succeeded() ? members.result() : new JsonArray();
    } else {
      // A node alone owns every channel it lists.
      int owned = channels.stream().filter(Future::succeeded).mapToInt(f -> f.result().size()).sum();
      statuses = new JsonArray().add(local.copy().put("channelsOwned", owned));
    }
    JsonArray rows = new JsonArray();
    for (Object o : statuses) {
      JsonObject s = (JsonObject) o;
      JsonObject guard = s.getJsonObject("memoryGuard", new JsonObject());
      rows.add(new JsonObject().put("node", s.getString("node")).put("ready", s.getBoolean("ready"))
          .put("draining", s.getBoolean("draining")).put("connections", s.getValue("connections"))
          .put("sessions", s.getValue("sessions")).put("channelsOwned", s.getValue("channelsOwned"))
          .put("backedUp", s.getValue("backedUp"))
          .put("memoryGuard", new JsonObject().put("engaged", guard.getValue("engaged"))
              .put("heapAfterGcPercent", guard.getValue("heapAfterGcPercent"))));
    }
    return rows;
  }

  private JsonArray topChannels(List<Future<List<ChannelBroker.ChannelInfo>>> channels) {
    List<RankedChannel> ranked = new ArrayList<>();
    for (int i = 0; i < tenants.size(); i++) {
      if (channels.get(i).succeeded()) {
        String tenant = tenants.get(i);
        channels.get(i).result().forEach(info -> ranked.add(new RankedChannel(tenant, info)));
      }
    }
    JsonArray out = new JsonArray();
    ranked.stream()
        .sorted(Comparator.comparingInt((RankedChannel r) -> r.info().subscriptions()).reversed()
            .thenComparing(Comparator.comparingLong((RankedChannel r) -> r.info().seq()).reversed()))
        .limit(TOP_CHANNELS)
        .forEach(r -> out.add(new JsonObject().put("tenant", r.tenant()).put("channel", r.info().channel())
            .put("subscribers", r.info().subscriptions()).put("seq", r.info().seq())));
    return out;
  }

  private static double oneDecimal(double value) {
    return Math.round(Math.max(0, value) * 10) / 10.0;
  }

  private static StaticFile load(String name, String contentType) {
    try (InputStream in = Dashboard.class.getClassLoader().getResourceAsStream(ROOT + name)) {
      if (in == null) {
        throw new IllegalStateException(ROOT + name + " is missing from the jar");
      }
      byte[] bytes = in.readAllBytes();
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      String etag = "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 22) + "\"";
      return new StaticFile(Buffer.buffer(bytes), contentType, etag);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + ROOT + name, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
