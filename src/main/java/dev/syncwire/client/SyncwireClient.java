package dev.syncwire.client;

import dev.syncwire.protocol.ChannelNames;
import dev.syncwire.protocol.CloseCode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A connection to a Syncwire deployment for JVM services (docs/java-client.md). It picks a transport from
 * {@code GET /info} (WebSocket, then SSE, then long-polling), reconnects with backoff and jitter, subscribes
 * again with {@code since} after every reconnect, and keeps every publication the application hands over in
 * an outbox (durable with {@link Builder#offlineStore}) until the server acknowledges it.
 *
 * <p>Thread-safe: every method may be called from any thread. The client's work, its futures and every
 * listener run on one Vert.x context: the one given to {@link Builder#context}, or one of the given or the
 * client's own Vert.x instance.
 */
public final class SyncwireClient {
  private static final System.Logger LOG = System.getLogger(SyncwireClient.class.getName());
  private static final List<String> ALL_TRANSPORTS = List.of("websocket", "sse", "longpoll");
  private static final int MAX_KEY_LENGTH = 128;

  private final Options options;
  private final URI base;
  private final Vertx vertx;
  private final boolean ownVertx;
  private final Context context;
  private final HttpClient http;
  private final WebSocketClient webSockets;
  private final Backoff backoff;
  private final String keyPrefix;
  private final AtomicInteger keyCounter = new AtomicInteger();
  private final AtomicInteger pendingCount = new AtomicInteger();
  private final List<Consumer<StateEvent>> stateListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<OutboxEvent>> outboxListeners = new CopyOnWriteArrayList<>();
  private final Map<String, ChannelStream> streams = new LinkedHashMap<>();
  private final ArrayDeque<Queued> queue = new ArrayDeque<>();

  private volatile String state = "disconnected";
  private volatile String transport;
  private Connection conn;
  private Promise<Void> connecting;
  private int attempt;
  private long reconnectTimer = -1;
  private long upgradeTimer = -1;
  private long pingTimer = -1;
  private long refreshTimer = -1;
  private long outboxRetryTimer = -1;
  private Long reconnectDelayOnce;
  private boolean freshTokenTried;
  private List<String> usable = List.of();
  private OutboxWriter outbox;
  private Promise<OutboxWriter> outboxOpened;
  private int inFlight;
  private String currentToken;
  private boolean everConnected;

  private SyncwireClient(Builder b) {
    this.options = b.options();
    this.base = URI.create(b.url);
    if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme()) || base.getHost() == null) {
      throw new IllegalArgumentException("the server URL must be http:// or https:// with a host: " + b.url);
    }
    if (b.context != null) {
      this.context = b.context;
      this.vertx = b.context.owner();
      this.ownVertx = false;
    } else if (b.vertx != null) {
      this.vertx = b.vertx;
      this.context = b.vertx.getOrCreateContext();
      this.ownVertx = false;
    } else {
      // One event loop is plenty for a client; the worker pool only runs outbox writes and token suppliers.
      this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2)
          .setInternalBlockingPoolSize(1));
      this.context = vertx.getOrCreateContext();
      this.ownVertx = true;
    }
    boolean tls = "https".equals(base.getScheme());
    this.http = vertx.createHttpClient(new HttpClientOptions().setSsl(tls).setKeepAlive(true)
        .setConnectTimeout((int) options.openTimeoutMs), new PoolOptions().setHttp1MaxSize(4));
    this.webSockets = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(tls)
        .setMaxFrameSize(16 * 1024 * 1024).setMaxMessageSize(64 * 1024 * 1024)
        .setConnectTimeout((int) options.openTimeoutMs));
    this.backoff = new Backoff(options.baseDelayMs, options.jitterMs, options.maxDelayMs);
    byte[] random = new byte[9];
    new SecureRandom().nextBytes(random);
    this.keyPrefix = "j" + Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "-";
  }

  /** Starts the options of a client of the deployment at this URL ({@code http://host:port}). */
  public static Builder builder(String url) {
    return new Builder(url);
  }

  // ---- public API ----

  /** Listens to state and transport changes. */
  public SyncwireClient onState(Consumer<StateEvent> listener) {
    stateListeners.add(Objects.requireNonNull(listener));
    return this;
  }

  /** Listens to the fate of publications queued by an earlier client of the same outbox. */
  public SyncwireClient onOutbox(Consumer<OutboxEvent> listener) {
    outboxListeners.add(Objects.requireNonNull(listener));
    return this;
  }

  /**
   * Connects, and keeps connecting after every loss until {@link #close()}. Completes at the first
   * {@code connected}; fails when the server refuses for good, or with {@code gave_up} after
   * {@code maxAttempts}.
   */
  public Future<Void> connect() {
    Promise<Void> result = Promise.promise();
    onContext(() -> {
      if ("closed".equals(state)) {
        result.fail(new SyncwireException("closed", "the client is closed"));
        return;
      }
      if ("connected".equals(state)) {
        result.complete();
        return;
      }
      if (connecting == null) {
        connecting = Promise.promise();
      }
      connecting.future().onComplete(result);
      if ("disconnected".equals(state)) {
        attempt = 0;
        freshTokenTried = false;
        startAttempt();
      }
    });
    return handOver(result.future());
  }

  /** Subscribes to a channel from its current position. */
  public Subscription subscribe(String channel, Consumer<Publication> onPublication) {
    return subscribe(channel, null, onPublication);
  }

  /**
   * Subscribes to a channel, resuming after {@code since} when given (a position the application kept).
   * A second subscribe of the same channel shares the first one's stream.
   */
  public Subscription subscribe(String channel, Position since, Consumer<Publication> onPublication) {
    Objects.requireNonNull(channel, "channel");
    if (!ChannelNames.isValid(channel)) {
      throw new IllegalArgumentException("channel must be 1-128 characters of A-Z a-z 0-9 _ - . : @");
    }
    ChannelStream stream;
    boolean created;
    synchronized (streams) {
      ChannelStream existing = streams.get(channel);
      created = existing == null;
      stream = created ? new ChannelStream(this, channel, since) : existing;
      if (created) {
        streams.put(channel, stream);
      }
    }
    Subscription handle = new Subscription(this, stream, onPublication);
    stream.handles.add(handle);
    handle.joined();
    if (created) {
      onContext(() -> {
        if ("closed".equals(state)) {
          forget(stream);
          stream.stop(); // its ready() fails with closed
        } else if (conn != null && "connected".equals(state)) {
          stream.subscribe(conn);
        }
      });
    }
    return handle;
  }

  /** Publishes data under a key of the client's own. */
  public Future<Ack> publish(String channel, Object data) {
    return publish(channel, data, null);
  }

  /**
   * Publishes data. The publication waits in the outbox while offline and is sent, in order, with the same
   * key until acknowledged; the future completes with the ack.
   */
  public Future<Ack> publish(String channel, Object data, String key) {
    return enqueue(channel, new JsonObject().put("data", data), key);
  }

  /** Publishes a state change ({@code entity}, {@code set}, {@code unset}, {@code inc}, {@code if}). */
  public Future<Ack> patch(String channel, JsonObject patch) {
    return patch(channel, patch, null);
  }

  public Future<Ack> patch(String channel, JsonObject patch, String key) {
    Objects.requireNonNull(patch, "patch");
    return enqueue(channel, new JsonObject().put("patch", patch), key);
  }

  /**
   * Completes once every publication handed over before this call is in the outbox: on disk with
   * {@link Builder#offlineStore}, so that it survives the process from then on. The outbox opens with the
   * first {@link #connect()}, whether or not a node answers.
   */
  public Future<Void> flush() {
    Promise<Void> stored = Promise.promise();
    onContext(() -> outboxReady().compose(OutboxWriter::flush).onComplete(stored));
    return handOver(stored.future());
  }

  /** Publications handed over and not yet acknowledged: queued and in flight alike. */
  public int pending() {
    return pendingCount.get();
  }

  /** {@code disconnected}, {@code connecting}, {@code connected} or {@code closed}. */
  public String state() {
    return state;
  }

  /** The transport in use: {@code websocket}, {@code sse}, {@code longpoll}, or {@code null}. */
  public String transport() {
    return transport;
  }

  /**
   * The {@code connected} reply of the session in use ({@code session}, {@code user}, {@code tenant},
   * {@code node}), or {@code null} while not connected.
   */
  public JsonObject session() {
    Connection c = "connected".equals(state) ? conn : null; // state first: it is written after conn
    JsonObject reply = c == null ? null : c.connected();
    return reply == null ? null : reply.copy();
  }

  /** Whether the outbox survives the process. */
  public boolean durable() {
    return options.offlineStore != null;
  }

  /** The Vert.x instance the client runs on. */
  public Vertx vertx() {
    return vertx;
  }

  /**
   * Closes the connection and the outbox. Unsent publications stay in a durable outbox for the next client
   * of the same scope; their futures fail with {@code closed}.
   */
  public Future<Void> close() {
    Promise<Void> done = Promise.promise();
    onContext(() -> {
      if ("closed".equals(state)) {
        done.complete();
        return;
      }
      setState("closed", null, null);
      cancelTimers();
      if (conn != null) {
        Connection c = conn;
        conn = null;
        c.close();
      }
      if (connecting != null) {
        connecting.tryFail(new SyncwireException("closed", "the client was closed"));
        connecting = null;
      }
      List<ChannelStream> all;
      synchronized (streams) {
        all = new ArrayList<>(streams.values());
        streams.clear();
      }
      all.forEach(ChannelStream::stop);
      SyncwireException closed = new SyncwireException("closed", "the client was closed");
      for (Queued q : queue) {
        if (q.promise != null) {
          q.promise.tryFail(closed);
        }
      }
      queue.clear();
      pendingCount.set(0);
      OutboxWriter writer = outbox;
      Future<Void> storeClosed = writer == null ? Future.succeededFuture()
          : writer.flush().eventually(() -> context.executeBlocking(() -> {
            writer.outbox().close();
            return null;
          }, false));
      storeClosed.onComplete(ar -> {
        http.close();
        webSockets.close();
        if (!ownVertx) {
          done.complete();
          return;
        }
        // Closed from outside its own event loop, whose end would otherwise swallow the completion.
        Thread closer = new Thread(() -> vertx.close().onComplete(v -> done.complete()), "syncwire-client-close");
        closer.setDaemon(true);
        closer.start();
      });
    });
    return handOver(done.future());
  }

  // ---- connecting ----

  private void startAttempt() {
    setState("connecting", null, null);
    openOutbox().compose(o -> info()).onComplete(ar -> {
      if (!"connecting".equals(state)) {
        return;
      }
      if (ar.failed()) {
        if (ar.cause() instanceof SyncwireException && "storage".equals(((SyncwireException) ar.cause()).code())) {
          stop((SyncwireException) ar.cause()); // another process holds the outbox, or it is damaged
        } else {
          attemptFailed(ar.cause(), null);
        }
        return;
      }
      usable = ar.result();
      if (usable.isEmpty()) {
        stop(new SyncwireException("transport_failed", "the server offers none of " + options.transports));
        return;
      }
      tryTransport(0);
    });
  }

  /** The transports to try, in the client's order, among those the server offers. */
  private Future<List<String>> info() {
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setHost(base.getHost())
        .setPort(port()).setSsl("https".equals(base.getScheme()))
        .setURI(WebSocketTransport.path(base) + "/info").setIdleTimeout(options.openTimeoutMs);
    // The response is read in the send's own callback. A callback chained after it may run later, on another
    // event loop: a response that has ended by then never completes body(), and the call hangs (Vert.x 5).
    return http.request(request).compose(req -> req.send().compose(resp -> resp.body().map(body -> {
      if (resp.statusCode() != 200) {
        throw new SyncwireException("transport_failed", "GET /info answered " + resp.statusCode(), true,
            retryAfterSeconds(resp.getHeader("Retry-After")), null);
      }
      JsonArray offered = body.toJsonObject().getJsonArray("transports", new JsonArray(ALL_TRANSPORTS));
      List<String> out = new ArrayList<>();
      for (String t : options.transports) {
        if (offered.contains(t)) {
          out.add(t);
        }
      }
      return out;
    })));
  }

  private static Long retryAfterSeconds(String header) {
    try {
      return header == null ? null : Long.parseLong(header.trim()) * 1000;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private int port() {
    return base.getPort() > 0 ? base.getPort() : "https".equals(base.getScheme()) ? 443 : 80;
  }

  private void tryTransport(int index) {
    String name = usable.get(index);
    open(name).onComplete(ar -> {
      if (!"connecting".equals(state)) {
        if (ar.succeeded()) {
          ar.result().close();
        }
        return;
      }
      if (ar.succeeded()) {
        connected(ar.result(), index);
        return;
      }
      Throwable e = ar.cause();
      if (isRefusal(e)) {
        refused((SyncwireException) e);
      } else if (index + 1 < usable.size()) {
        LOG.log(System.Logger.Level.DEBUG, () -> name + " did not open (" + e.getMessage() + "); trying " + usable.get(index + 1));
        tryTransport(index + 1);
      } else {
        attemptFailed(e, null);
      }
    });
  }

  /** A session on one transport, connected. */
  private Future<Connection> open(String name) {
    return token().compose(token -> {
      currentToken = token;
      JsonObject connect = new JsonObject().put("type", "connect").put("client", options.clientName);
      if (token != null) {
        connect.put("token", token);
      } else if (options.tenant != null) {
        connect.put("tenant", options.tenant);
      }
      Connection c = new Connection(vertx, listener -> transport(name, listener), options.commandTimeoutMs);
      return c.open(connect).map(reply -> c);
    });
  }

  private Transport transport(String name, Transport.Listener listener) {
    return switch (name) {
      case "websocket" -> new WebSocketTransport(vertx, webSockets, base, options.codec, options.openTimeoutMs, listener);
      case "sse" -> new HttpTransport(vertx, http, base, true, options.openTimeoutMs, options.httpIdleTimeoutMs, listener);
      case "longpoll" -> new HttpTransport(vertx, http, base, false, options.openTimeoutMs, options.httpIdleTimeoutMs,
          listener);
      default -> throw new IllegalArgumentException("unknown transport " + name);
    };
  }

  private Future<String> token() {
    if (options.tokenSupplier == null) {
      return Future.succeededFuture(options.token);
    }
    return context.executeBlocking(options.tokenSupplier::get, false);
  }

  /** The server answered the connect with a refusal rather than the transport failing. */
  private static boolean isRefusal(Throwable e) {
    if (!(e instanceof SyncwireException) || e instanceof HttpTransport.HttpFailure) {
      return false;
    }
    String code = ((SyncwireException) e).code();
    return !code.equals("transport_failed") && !code.equals("closed") && !code.equals("disconnected");
  }

  private void refused(SyncwireException e) {
    if (e.code().equals("unauthorized") && options.tokenSupplier != null && !freshTokenTried) {
      freshTokenTried = true; // once with a fresh token, then it is final
      startAttempt();
    } else if (e.retry() || e.code().equals("overloaded") || e.code().equals("unavailable")
        || e.code().equals("rate_limited") || e.code().equals("internal")) {
      attemptFailed(e, e.retryAfterMs());
    } else {
      stop(e);
    }
  }

  private void attemptFailed(Throwable cause, Long retryAfterMs) {
    if (options.maxAttempts > 0 && attempt >= options.maxAttempts) {
      stop(new SyncwireException("gave_up", "no connection after " + attempt + " attempts: " + cause.getMessage()));
      return;
    }
    long delay = reconnectDelayOnce != null ? reconnectDelayOnce : backoff.delayMs(attempt);
    reconnectDelayOnce = null;
    if (retryAfterMs == null && cause instanceof SyncwireException) {
      retryAfterMs = ((SyncwireException) cause).retryAfterMs();
    }
    if (retryAfterMs != null) {
      delay = Math.max(delay, retryAfterMs);
    }
    attempt++;
    setState("connecting", null, reason(cause));
    long wait = delay;
    LOG.log(System.Logger.Level.DEBUG, () -> "reconnecting in " + wait + " ms: " + cause.getMessage());
    reconnectTimer = vertx.setTimer(Math.max(1, delay), t -> {
      reconnectTimer = -1;
      if ("connecting".equals(state)) {
        startAttempt();
      }
    });
  }

  private static String reason(Throwable cause) {
    return cause instanceof SyncwireException ? ((SyncwireException) cause).code() : "transport_failed";
  }

  /** Stays disconnected until {@link #connect()} is called again. */
  private void stop(SyncwireException why) {
    cancelTimers();
    setState("disconnected", null, why.code());
    if (connecting != null) {
      connecting.tryFail(why);
      connecting = null;
    }
  }

  private void connected(Connection c, int index) {
    attempt = 0;
    freshTokenTried = false;
    use(c);
    if (connecting != null) {
      connecting.tryComplete();
      connecting = null;
    }
    scheduleUpgrade(index);
  }

  /** Makes this connection the one in use: resubscribes every channel on it and sends the outbox. */
  private void use(Connection c) {
    Connection old = conn;
    conn = c;
    c.handlers(frame -> pushed(c, frame), why -> lost(c, why));
    transport = c.transportName();
    if ("connected".equals(state)) {
      setState("connected", transport, "transport_changed");
    } else {
      setState("connected", transport, everConnected ? "reconnected" : null);
    }
    everConnected = true;
    List<ChannelStream> all;
    synchronized (streams) {
      all = new ArrayList<>(streams.values());
    }
    for (ChannelStream s : all) {
      s.disconnected();
      s.subscribe(c);
    }
    if (old != null) {
      old.close();
    }
    for (Queued q : queue) {
      q.sent = false;
    }
    inFlight = 0;
    scheduleRefresh(currentToken);
    schedulePing(c);
    pump();
  }

  private void pushed(Connection c, JsonObject frame) {
    if (c != conn) {
      return;
    }
    String type = frame.getString("type", "");
    switch (type) {
      case "pub" -> {
        ChannelStream s = stream(frame.getString("channel"));
        if (s != null) {
          s.pushed(c, frame);
        }
      }
      case "reset" -> {
        ChannelStream s = stream(frame.getString("channel"));
        if (s != null) {
          s.resetPushed(c, frame.getString("reason"));
        }
      }
      case "reconnect" -> reconnectDelayOnce = frame.getLong("delayMs");
      default -> { }
    }
  }

  private ChannelStream stream(String channel) {
    synchronized (streams) {
      return streams.get(channel);
    }
  }

  /** The connection in use ended. */
  private void lost(Connection c, Transport.Closed why) {
    if (c != conn) {
      return;
    }
    conn = null;
    transport = null;
    cancel(pingTimer);
    pingTimer = -1;
    cancel(upgradeTimer);
    upgradeTimer = -1;
    cancel(refreshTimer);
    refreshTimer = -1;
    List<ChannelStream> all;
    synchronized (streams) {
      all = new ArrayList<>(streams.values());
    }
    all.forEach(ChannelStream::disconnected);
    for (Queued q : queue) {
      q.sent = false;
    }
    inFlight = 0;
    if (why.code() == CloseCode.UNAUTHORIZED.code()) {
      if (options.tokenSupplier == null) {
        stop(new SyncwireException("unauthorized", "closed 4001 and no token supplier to get a fresh token"));
        return;
      }
      freshTokenTried = false;
    } else if (!CloseCode.clientReconnects(why.code())) {
      stop(new SyncwireException("closed_" + why.code(), "the server closed with " + why.code()));
      return;
    }
    attemptFailed(new SyncwireException(why.reason(), "connection lost (" + why.code() + ")", true, why.retryAfterMs(),
        null), why.retryAfterMs());
  }

  /** On a transport below the best, tries the better ones again after a while (docs/protocol.md §14.3). */
  private void scheduleUpgrade(int index) {
    cancel(upgradeTimer);
    upgradeTimer = -1;
    if (index == 0 || options.upgradeRetryMs <= 0) {
      return;
    }
    List<String> tried = usable;
    upgradeTimer = vertx.setTimer(options.upgradeRetryMs, t -> {
      upgradeTimer = -1;
      upgrade(tried, 0, index);
    });
  }

  private void upgrade(List<String> list, int candidate, int current) {
    if (!"connected".equals(state) || conn == null) {
      return;
    }
    Connection before = conn;
    open(list.get(candidate)).onComplete(ar -> {
      if (ar.failed()) {
        if (candidate + 1 < current) {
          upgrade(list, candidate + 1, current);
        } else {
          scheduleUpgrade(current);
        }
        return;
      }
      if (conn != before || !"connected".equals(state)) {
        ar.result().close();
        return;
      }
      use(ar.result());
      scheduleUpgrade(candidate);
    });
  }

  /** Pings when the connection has been quiet for a heartbeat; no reply in time ends it. */
  private void schedulePing(Connection c) {
    cancel(pingTimer);
    long heartbeat = c.connected().getLong("heartbeatMs", 30_000L);
    long every = Math.max(1_000, Math.min(heartbeat, options.pingIntervalMs));
    pingTimer = vertx.setPeriodic(every, t -> {
      if (c != conn) {
        vertx.cancelTimer(t);
        return;
      }
      if (c.quietForNanos() >= every * 1_000_000L) {
        c.command(new JsonObject().put("type", "ping"), options.pingTimeoutMs);
      }
    });
  }

  /** With a token supplier, sends {@code refresh} a while before the token's {@code exp}. */
  private void scheduleRefresh(String token) {
    cancel(refreshTimer);
    refreshTimer = -1;
    if (options.tokenSupplier == null || token == null) {
      return;
    }
    Long exp = claims(token).getLong("exp");
    if (exp == null) {
      return;
    }
    long in = Math.max(1_000, exp * 1000 - options.refreshBeforeMs - System.currentTimeMillis());
    refreshTimer = vertx.setTimer(in, t -> {
      refreshTimer = -1;
      Connection c = conn;
      if (c == null) {
        return;
      }
      token().onComplete(ar -> {
        if (ar.failed() || c != conn) {
          return;
        }
        String fresh = ar.result();
        c.command(new JsonObject().put("type", "refresh").put("token", fresh)).onSuccess(reply -> {
          if ("refreshed".equals(reply.getString("type"))) {
            currentToken = fresh;
            if (c == conn) {
              scheduleRefresh(fresh);
            }
          } else {
            LOG.log(System.Logger.Level.WARNING, "token refresh refused: " + reply.getString("code"));
          }
        });
      });
    });
  }

  /** The claims of a JWT, unverified: only to read {@code sub}, {@code tenant} and {@code exp}. */
  static JsonObject claims(String token) {
    try {
      String[] parts = token.split("\\.");
      return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return new JsonObject();
    }
  }

  // ---- the outbox ----

  private Future<Ack> enqueue(String channel, JsonObject body, String key) {
    Objects.requireNonNull(channel, "channel");
    if (!ChannelNames.isValid(channel)) {
      return handOver(Future.failedFuture(new SyncwireException("bad_request",
          "channel must be 1-128 characters of A-Z a-z 0-9 _ - . : @")));
    }
    if (key != null && (key.isEmpty() || key.length() > MAX_KEY_LENGTH)) {
      return handOver(Future.failedFuture(new SyncwireException("bad_request", "key must be 1-128 characters")));
    }
    String k = key != null ? key : keyPrefix + keyCounter.incrementAndGet();
    String text = body.encode();
    long expiresAt = System.currentTimeMillis() + options.offlineTtlMs;
    Promise<Ack> acked = Promise.promise();
    pendingCount.incrementAndGet();
    onContext(() -> {
      if ("closed".equals(state)) {
        pendingCount.decrementAndGet();
        acked.fail(new SyncwireException("closed", "the client is closed"));
        return;
      }
      outboxReady().compose(writer -> writer.add(new Outbox.Draft(channel, k, text, expiresAt))).onComplete(ar -> {
        if ("closed".equals(state)) {
          acked.tryFail(new SyncwireException("closed", "the client was closed"));
          return;
        }
        if (ar.failed()) {
          pendingCount.decrementAndGet();
          acked.fail(new SyncwireException("storage", "the outbox could not store it: " + ar.cause().getMessage()));
          return;
        }
        queue.add(new Queued(ar.result(), acked));
        pump();
      });
    });
    return handOver(acked.future());
  }

  /** The outbox once open; publishes made before the first connect wait for it. */
  private Future<OutboxWriter> outboxReady() {
    if (outboxOpened == null) {
      outboxOpened = Promise.promise();
    }
    return outboxOpened.future();
  }

  /** Opens the outbox of this client's scope (server, tenant, user) and queues what it holds. */
  private Future<OutboxWriter> openOutbox() {
    if (outbox != null) {
      return Future.succeededFuture(outbox);
    }
    Promise<OutboxWriter> opened = outboxOpened == null ? (outboxOpened = Promise.promise()) : outboxOpened;
    return token().compose(token -> {
      if (outbox != null) {
        return Future.succeededFuture(outbox);
      }
      JsonObject claims = token == null ? new JsonObject() : claims(token);
      String scope = base.toString() + "|" + claims.getString("tenant", options.tenant) + "|"
          + claims.getString("sub", "anonymous");
      Future<Outbox> store = options.offlineStore == null ? Future.succeededFuture(new MemoryOutbox())
          : context.<Outbox>executeBlocking(() -> MvStoreOutbox.open(options.offlineStore, scope), true)
              .recover(e -> Future.failedFuture(new SyncwireException("storage",
                  "cannot open the outbox " + options.offlineStore + ": " + e.getMessage())));
      return store.compose(o -> (o.durable() ? context.executeBlocking(o::entries, false)
          : Future.succeededFuture(o.entries())).map(entries -> {
        outbox = new OutboxWriter(context, o);
        for (Outbox.Entry e : entries) {
          queue.add(new Queued(e, null));
          pendingCount.incrementAndGet();
        }
        opened.tryComplete(outbox);
        return outbox;
      }));
    });
  }

  /** Sends the next entries, in order: a retryable refusal holds back everything after it. */
  private void pump() {
    Connection c = conn;
    if (c == null || !"connected".equals(state) || outboxRetryTimer >= 0) {
      return;
    }
    for (Queued q : queue) {
      if (inFlight >= options.maxInFlight) {
        break;
      }
      if (q.sent) {
        continue;
      }
      if (q.entry.expiresAt() < System.currentTimeMillis()) {
        settle(q, null, new SyncwireException("expired", "queued longer than offlineTtlMs"), "expired");
        pump();
        return;
      }
      q.sent = true;
      inFlight++;
      JsonObject frame = new JsonObject(q.entry.body()).put("type", "publish").put("channel", q.entry.channel())
          .put("key", q.entry.key());
      c.command(frame).onComplete(ar -> replied(q, c, ar.succeeded() ? ar.result() : null));
    }
  }

  private void replied(Queued q, Connection c, JsonObject reply) {
    if (c != conn || !queue.contains(q)) {
      return; // a connection left behind: the entry goes again on the next one, under the same key
    }
    inFlight--;
    if (reply == null) {
      q.sent = false;
      return;
    }
    if ("ack".equals(reply.getString("type"))) {
      Ack ack = new Ack(reply.getString("channel"), reply.getString("epoch"), reply.getLong("seq"),
          Boolean.TRUE.equals(reply.getBoolean("duplicate")));
      settle(q, ack, null, ack.duplicate() ? "duplicate" : "acked");
    } else {
      SyncwireException e = SyncwireException.fromReply(reply);
      if (e.retry()) {
        q.sent = false;
        long delay = e.retryAfterMs() != null ? e.retryAfterMs() : backoff.delayMs(0);
        outboxRetryTimer = vertx.setTimer(Math.max(1, delay), t -> {
          outboxRetryTimer = -1;
          pump();
        });
        return;
      }
      settle(q, null, e, "refused");
    }
    pump();
  }

  /** The entry is done: acked, refused for good or expired. */
  private void settle(Queued q, Ack ack, SyncwireException error, String status) {
    queue.remove(q);
    pendingCount.decrementAndGet();
    outbox.remove(q.entry.id());
    if (q.promise != null) {
      if (ack != null) {
        q.promise.tryComplete(ack);
      } else {
        q.promise.tryFail(error);
      }
    } else {
      OutboxEvent event = new OutboxEvent(q.entry.key(), q.entry.channel(), status, ack == null ? 0 : ack.seq(), error);
      outboxListeners.forEach(l -> {
        try {
          l.accept(event);
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "an outbox listener threw", e);
        }
      });
    }
  }

  /** An entry of the outbox with the future of the publish that made it, if it was made by this client. */
  private static final class Queued {
    final Outbox.Entry entry;
    final Promise<Ack> promise;
    boolean sent;

    Queued(Outbox.Entry entry, Promise<Ack> promise) {
      this.entry = entry;
      this.promise = promise;
    }
  }

  // ---- for the streams ----

  Connection connection() {
    return "connected".equals(state) ? conn : null;
  }

  Backoff backoff() {
    return backoff;
  }

  int gapBufferLimit() {
    return options.gapBufferLimit;
  }

  long gapTimeoutMs() {
    return options.gapTimeoutMs;
  }

  /** A stream refused for good. */
  void forget(ChannelStream stream) {
    synchronized (streams) {
      streams.remove(stream.channel, stream);
    }
  }

  /** A handle left; the last one of a channel unsubscribes it. */
  Future<Void> release(Subscription handle) {
    Promise<Void> done = Promise.promise();
    onContext(() -> {
      ChannelStream s = handle.stream();
      s.handles.remove(handle);
      if (!s.handles.isEmpty()) {
        done.complete();
        return;
      }
      synchronized (streams) {
        streams.remove(s.channel, s);
      }
      s.stop();
      Connection c = conn;
      if (c == null) {
        done.complete();
        return;
      }
      c.command(new JsonObject().put("type", "unsubscribe").put("channel", s.channel))
          .onComplete(ar -> done.complete());
    });
    return handOver(done.future());
  }

  // ---- small things ----

  private void setState(String next, String via, String reason) {
    boolean changed = !next.equals(state) || !Objects.equals(via, transport) || "transport_changed".equals(reason);
    state = next;
    if (!"connected".equals(next)) {
      transport = null;
    }
    if (!changed) {
      return;
    }
    StateEvent event = new StateEvent(next, "connected".equals(next) ? via : null, reason);
    stateListeners.forEach(l -> {
      try {
        l.accept(event);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "a state listener threw", e);
      }
    });
  }

  private void cancelTimers() {
    for (long t : new long[] {reconnectTimer, upgradeTimer, pingTimer, refreshTimer, outboxRetryTimer}) {
      cancel(t);
    }
    reconnectTimer = upgradeTimer = pingTimer = refreshTimer = outboxRetryTimer = -1;
  }

  private void cancel(long timer) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** Runs a task on the client's context, where listeners run. */
  void onClientContext(Runnable task) {
    onContext(task);
  }

  /** Runs {@code task} on the client's context after whatever runs there now, even when called from it. */
  void laterOnClientContext(Runnable task) {
    context.runOnContext(v -> task.run());
  }

  /**
   * The future a caller gets. On a context the caller gave (directly or through its Vert.x), its listeners
   * run there, also those added after it completed; a bare promise would run those on the adding thread.
   * A Vert.x of the client's own ends with {@link #close()}, and a context that has ended cannot run
   * listeners: there, listeners added after completion run on the adding thread.
   */
  <T> Future<T> handOver(Future<T> future) {
    return ownVertx ? future : Future.fromCompletionStage(future.toCompletionStage(), context);
  }

  private void onContext(Runnable task) {
    if (Vertx.currentContext() == context) {
      task.run();
    } else {
      context.runOnContext(v -> task.run());
    }
  }

  // ---- options ----

  /** The client's settings; defaults follow docs/protocol.md §14. */
  static final class Options {
    String tenant;
    String token;
    Supplier<String> tokenSupplier;
    List<String> transports = ALL_TRANSPORTS;
    ClientCodec codec = ClientCodec.JSON;
    Path offlineStore;
    long offlineTtlMs = 86_400_000;
    long baseDelayMs = 1000;
    long jitterMs = 1000;
    long maxDelayMs = 30_000;
    int maxAttempts = 8;
    long gapTimeoutMs = 2000;
    int gapBufferLimit = 10_000;
    long upgradeRetryMs = 60_000;
    long refreshBeforeMs = 30_000;
    long openTimeoutMs = 10_000;
    long commandTimeoutMs = 35_000;
    long pingIntervalMs = 30_000;
    long pingTimeoutMs = 10_000;
    long httpIdleTimeoutMs = 45_000;
    int maxInFlight = 1;
    String clientName = "java/" + version();

    private static String version() {
      String v = SyncwireClient.class.getPackage().getImplementationVersion();
      return v == null ? "dev" : v;
    }
  }

  /** Options of a new client. */
  public static final class Builder {
    private final String url;
    private final Options o = new Options();
    private Vertx vertx;
    private Context context;

    private Builder(String url) {
      this.url = Objects.requireNonNull(url, "url");
    }

    /** The tenant of an anonymous session (a tenant that allows them). */
    public Builder tenant(String tenant) {
      o.tenant = tenant;
      return this;
    }

    /** A JWT for the session. */
    public Builder token(String token) {
      o.token = token;
      return this;
    }

    /**
     * Where fresh tokens come from: called (off the event loop, so it may block) at each connect and before
     * the token's {@code exp} to send {@code refresh}.
     */
    public Builder tokenSupplier(Supplier<String> supplier) {
      o.tokenSupplier = supplier;
      return this;
    }

    /** The transports to try, in order: any of {@code websocket}, {@code sse}, {@code longpoll}. */
    public Builder transports(List<String> transports) {
      if (transports.isEmpty() || !ALL_TRANSPORTS.containsAll(transports)) {
        throw new IllegalArgumentException("transports must be some of " + ALL_TRANSPORTS + ": " + transports);
      }
      o.transports = List.copyOf(transports);
      return this;
    }

    /** The WebSocket subprotocol: {@code json} (default) or {@code protobuf}. */
    public Builder encoding(String encoding) {
      o.codec = ClientCodec.named(encoding);
      return this;
    }

    /** The file of the durable outbox; without it the outbox lives in memory. */
    public Builder offlineStore(Path file) {
      o.offlineStore = file;
      return this;
    }

    /** How long a queued publication may wait before it is reported expired (default a day). */
    public Builder offlineTtlMs(long ms) {
      o.offlineTtlMs = positive(ms, "offlineTtlMs");
      return this;
    }

    public Builder baseDelayMs(long ms) {
      o.baseDelayMs = positive(ms, "baseDelayMs");
      return this;
    }

    public Builder jitterMs(long ms) {
      o.jitterMs = Math.max(0, ms);
      return this;
    }

    public Builder maxDelayMs(long ms) {
      o.maxDelayMs = positive(ms, "maxDelayMs");
      return this;
    }

    /** Failed attempts in a row before giving up ({@code gave_up}); 0 = never give up. */
    public Builder maxAttempts(int attempts) {
      o.maxAttempts = Math.max(0, attempts);
      return this;
    }

    /** How long a gap in a channel may stay open before the subscription asks again with {@code since}. */
    public Builder gapTimeoutMs(long ms) {
      o.gapTimeoutMs = positive(ms, "gapTimeoutMs");
      return this;
    }

    /** When on a transport below the best, how long before trying the better one again (0 = never). */
    public Builder upgradeRetryMs(long ms) {
      o.upgradeRetryMs = Math.max(0, ms);
      return this;
    }

    /** How long before {@code exp} a token is refreshed. */
    public Builder refreshBeforeMs(long ms) {
      o.refreshBeforeMs = Math.max(0, ms);
      return this;
    }

    /** How long opening a transport (up to {@code connected}) may take. */
    public Builder openTimeoutMs(long ms) {
      o.openTimeoutMs = positive(ms, "openTimeoutMs");
      return this;
    }

    /** How long any command may wait for its reply before the connection counts as dead. */
    public Builder commandTimeoutMs(long ms) {
      o.commandTimeoutMs = positive(ms, "commandTimeoutMs");
      return this;
    }

    /** How long a quiet connection may stay quiet before a ping, and how long the ping may take. */
    public Builder ping(long intervalMs, long timeoutMs) {
      o.pingIntervalMs = positive(intervalMs, "ping interval");
      o.pingTimeoutMs = positive(timeoutMs, "ping timeout");
      return this;
    }

    /**
     * Publishes in flight at once. 1 (default) keeps the outbox strictly ordered even across retryable
     * refusals; more sends faster, and a retryable refusal may then let later entries apply first.
     */
    public Builder maxInFlight(int n) {
      o.maxInFlight = (int) positive(n, "maxInFlight");
      return this;
    }

    /** The {@code client} field of {@code connect}. */
    public Builder clientName(String name) {
      o.clientName = Objects.requireNonNull(name);
      return this;
    }

    /** Runs on this Vert.x instance (on a context of its own) instead of one the client starts and stops. */
    public Builder vertx(Vertx vertx) {
      this.vertx = vertx;
      return this;
    }

    /** Runs on this context: every future and listener of the client completes on it. */
    public Builder context(Context context) {
      this.context = context;
      return this;
    }

    public SyncwireClient build() {
      return new SyncwireClient(this);
    }

    Options options() {
      return o;
    }

    private static long positive(long v, String name) {
      if (v <= 0) {
        throw new IllegalArgumentException(name + " must be positive");
      }
      return v;
    }
  }
}
