package dev.syncwire.bridge.redis;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The node's way to Redis, and its circuit breaker: every command goes through one connection, each with
 * a time limit. When the connection breaks or a command overruns, the link is down: calls fail at once
 * with {@link RedisUnavailableException} (nothing waits on a Redis that is away) while the link
 * reconnects with {@link Backoff} and jitter. Each change of state is logged once and counted.
 * Commands may be sent from any thread; they reach Redis in the order sent.
 */
public final class RedisLink {
  private static final Logger LOG = Logger.getLogger(RedisLink.class.getName());
  static final long FIRST_RETRY_MS = 250;
  static final long MAX_RETRY_MS = 2000;

  private final Vertx vertx;
  private final Context context;
  private final Redis client;
  private final String where;
  private final long timeoutMs;
  private final Backoff backoff = new Backoff(FIRST_RETRY_MS, MAX_RETRY_MS);
  private final List<Consumer<Boolean>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong stateChanges = new AtomicLong();
  private volatile RedisConnection connection;
  private volatile boolean up;
  private boolean everUp;
  private boolean stateKnown;
  private long downSinceMs;
  private boolean closed;

  /** {@code url} is a {@code redis://} connection string; the link runs its timers on the caller's context. */
  public RedisLink(Vertx vertx, String url, long timeoutMs) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.client = Redis.createClient(vertx, new RedisOptions().setConnectionString(url).setMaxPoolSize(8)
        .setMaxPoolWaiting(64).setMaxWaitingHandlers(65_536));
    this.where = hostAndPort(url);
    this.timeoutMs = timeoutMs;
  }

  /** Host and port of a connection string, without the password it may carry: for log lines. */
  static String hostAndPort(String url) {
    try {
      URI uri = URI.create(url);
      return uri.getHost() + ":" + (uri.getPort() < 0 ? 6379 : uri.getPort());
    } catch (IllegalArgumentException e) {
      return "(unparsable URL)";
    }
  }

  /** Opens the connection; completes after the first attempt, whether or not Redis answered. */
  public Future<Void> start() {
    Promise<Void> first = Promise.promise();
    context.runOnContext(v -> connect(first));
    return first.future();
  }

  public boolean isUp() {
    return up;
  }

  /** Changes between up and down since the link first knew whether Redis answers. */
  public long stateChanges() {
    return stateChanges.get();
  }

  /** Called on the link's context with {@code true} when Redis is reached, {@code false} when it is lost. */
  public void onStateChange(Consumer<Boolean> listener) {
    listeners.add(listener);
  }

  /** One command; fails with {@link RedisUnavailableException} when Redis is away or does not answer in time. */
  public Future<Response> send(Request request) {
    RedisConnection c = connection;
    if (c == null) {
      return Future.failedFuture(new RedisUnavailableException("Redis at " + where + " is unavailable"));
    }
    return withTimeout(c, c.send(request));
  }

  /** Several commands sent together, answered together. */
  public Future<List<Response>> batch(List<Request> requests) {
    RedisConnection c = connection;
    if (c == null) {
      return Future.failedFuture(new RedisUnavailableException("Redis at " + where + " is unavailable"));
    }
    return withTimeout(c, c.batch(requests));
  }

  /**
   * A connection of its own, for subscriptions and blocking reads that must not hold up other commands.
   * Its owner closes it and watches its end.
   */
  public Future<RedisConnection> dedicatedConnection() {
    return client.connect();
  }

  /** Where Redis is, for log lines: host and port, never the password. */
  public String where() {
    return where;
  }

  public Future<Void> close() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      closed = true;
      RedisConnection c = connection;
      connection = null;
      up = false;
      (c == null ? Future.<Void>succeededFuture() : c.close().otherwiseEmpty())
          .eventually(() -> client.close().otherwiseEmpty()).onComplete(ar -> done.complete());
    });
    return done.future();
  }

  private <T> Future<T> withTimeout(RedisConnection c, Future<T> call) {
    Promise<T> result = Promise.promise();
    long timer = vertx.setTimer(timeoutMs, t -> {
      if (result.tryFail(new RedisUnavailableException("Redis at " + where + " did not answer in "
          + timeoutMs + " ms"))) {
        // A server that stops answering is treated like one that went away: start over.
        context.runOnContext(v -> lost(c, "no answer in " + timeoutMs + " ms"));
      }
    });
    call.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        result.tryComplete(ar.result());
      } else if (connection != c || isConnectionFailure(ar.cause())) {
        result.tryFail(new RedisUnavailableException("Redis at " + where + " is unavailable: "
            + ar.cause().getMessage()));
      } else {
        result.tryFail(ar.cause());
      }
    });
    return result.future();
  }

  private static boolean isConnectionFailure(Throwable t) {
    String m = String.valueOf(t.getMessage());
    return t instanceof java.io.IOException || m.contains("onnection") || m.contains("closed");
  }

  private void connect(Promise<Void> first) {
    if (closed) {
      first.tryComplete();
      return;
    }
    client.connect().onComplete(ar -> {
      if (closed) {
        if (ar.succeeded()) {
          ar.result().close();
        }
        first.tryComplete();
        return;
      }
      if (ar.failed()) {
        if (!everUp && !first.future().isComplete()) {
          LOG.warning("Redis at " + where + " is unavailable (" + ar.cause().getMessage()
              + "); retrying with backoff");
          changed(false);
          first.tryComplete();
        }
        retryLater(first);
        return;
      }
      RedisConnection c = ar.result();
      c.exceptionHandler(e -> context.runOnContext(v -> lost(c, String.valueOf(e.getMessage()))));
      c.endHandler(v -> context.runOnContext(w -> lost(c, "connection closed")));
      connection = c;
      up = true;
      backoff.reset();
      if (everUp || downSinceMs > 0) {
        LOG.info("Redis at " + where + " is available again after "
            + (System.currentTimeMillis() - downSinceMs) + " ms");
      } else {
        LOG.info("connected to Redis at " + where);
      }
      everUp = true;
      downSinceMs = 0;
      changed(true);
      first.tryComplete();
    });
  }

  private void retryLater(Promise<Void> first) {
    if (downSinceMs == 0) {
      downSinceMs = System.currentTimeMillis();
    }
    vertx.setTimer(backoff.nextDelayMs(), t -> connect(first));
  }

  /** On the link's context: {@code c} broke; once per connection, go down and reconnect. */
  private void lost(RedisConnection c, String why) {
    if (connection != c || closed) {
      return;
    }
    connection = null;
    up = false;
    c.close();
    downSinceMs = System.currentTimeMillis();
    LOG.warning("Redis at " + where + " is unavailable (" + why + "); retrying with backoff");
    changed(false);
    Promise<Void> ignored = Promise.promise();
    retryLater(ignored);
  }

  private void changed(boolean nowUp) {
    // The first state the link learns (reachable or not at start) is not a change.
    if (stateKnown) {
      stateChanges.incrementAndGet();
    }
    stateKnown = true;
    for (Consumer<Boolean> listener : listeners) {
      listener.accept(nowUp);
    }
  }
}
