package dev.syncwire.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.function.Supplier;

/**
 * The load generator's single event loop, seen from the orchestrating thread: every socket, counter and
 * timer lives on it, so they need no locks; the orchestrator hands it work and blocks on the answer.
 */
final class Loop {
  private final Vertx vertx;
  private final Context context;

  Loop(Vertx vertx) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
  }

  Vertx vertx() {
    return vertx;
  }

  /** Runs {@code work} on the loop and blocks the calling (non-Vert.x) thread until its future completes. */
  <T> T await(Supplier<Future<T>> work) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> {
      try {
        work.get().onComplete(result);
      } catch (RuntimeException e) {
        result.fail(e);
      }
    });
    return result.future().await();
  }

  /** Reads state owned by the loop, from the orchestrating thread. */
  <T> T read(Supplier<T> reader) {
    return await(() -> Future.succeededFuture(reader.get()));
  }

  /** Sleeps the orchestrating thread (never call it on the loop). */
  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
