package dev.syncwire.bridge.redis;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * Time limits on the bridge's own connections (subscriptions, blocking reads), which do not go through
 * {@link RedisLink#send}: a call that overruns fails with {@link RedisUnavailableException}, and its
 * connection is then treated as lost by the caller.
 */
final class TimedRedis {
  private TimedRedis() {
  }

  /** A dedicated connection of {@code link}, or a failure after {@code timeoutMs}; one that comes later is closed. */
  static Future<RedisConnection> open(Vertx vertx, RedisLink link, long timeoutMs) {
    Promise<RedisConnection> result = Promise.promise();
    long timer = vertx.setTimer(timeoutMs, t -> result.tryFail(new RedisUnavailableException(
        "Redis at " + link.where() + " did not accept a connection in " + timeoutMs + " ms")));
    link.dedicatedConnection().onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        if (!result.tryComplete(ar.result())) {
          ar.result().close();
        }
      } else {
        result.tryFail(new RedisUnavailableException("Redis at " + link.where() + " is unavailable: "
            + ar.cause().getMessage()));
      }
    });
    return result.future();
  }

  /** {@code requests} written together on {@code connection}, failing if no answer comes within {@code timeoutMs}. */
  static Future<java.util.List<Response>> batch(Vertx vertx, RedisConnection connection,
                                                java.util.List<Request> requests, long timeoutMs) {
    return within(vertx, connection.batch(requests), requests.get(requests.size() - 1).command().toString(),
        timeoutMs);
  }

  /** {@code request} on {@code connection}, failing if no answer comes within {@code timeoutMs}. */
  static Future<Response> send(Vertx vertx, RedisConnection connection, Request request, long timeoutMs) {
    return within(vertx, connection.send(request), request.command().toString(), timeoutMs);
  }

  /** {@code call}'s outcome, or {@link RedisUnavailableException} when it has none after {@code timeoutMs}. */
  private static <T> Future<T> within(Vertx vertx, Future<T> call, String command, long timeoutMs) {
    Promise<T> result = Promise.promise();
    long timer = vertx.setTimer(timeoutMs, t -> result.tryFail(new RedisUnavailableException(
        command + " got no answer in " + timeoutMs + " ms")));
    call.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        result.tryComplete(ar.result());
      } else {
        result.tryFail(ar.cause());
      }
    });
    return result.future();
  }
}
