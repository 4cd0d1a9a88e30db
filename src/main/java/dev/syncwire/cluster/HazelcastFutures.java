package dev.syncwire.cluster;

import com.hazelcast.internal.util.ConcurrencyUtil;
import dev.syncwire.internals.VertxInternals;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one door between Hazelcast's futures and Vert.x. The non-async callbacks of a Hazelcast future
 * ({@code whenComplete}, {@code thenApply}, ...) run on Hazelcast's default async executor: the
 * ForkJoinPool common pool or, where its parallelism is 1 or less (2 CPUs or fewer, or
 * {@code -XX:ActiveProcessorCount=1}), a new thread for every callback. Every callback of ours goes
 * through {@link #toFuture} instead: it runs on the thread that completes the future (Hazelcast's
 * response thread, which also deserializes the answer there, off the event loop) and completes a
 * Vert.x promise whose listeners run on the given context. Hazelcast's own internal callbacks (for
 * example those of {@code submitToKeys}) use the same default executor: {@link #installAsyncExecutor}
 * replaces it by two threads started once. Upgrade watch: Hazelcast's {@code AbstractInvocationFuture},
 * {@code DelegatingCompletableFuture} and {@code ConcurrencyUtil} decide where callbacks run.
 */
final class HazelcastFutures {
  /** Runs a callback where the future completes: never a thread of its own. */
  private static final Executor WHERE_COMPLETED = Runnable::run;
  private static final int ASYNC_THREADS = 2;
  /** Callbacks that may wait for an async thread; past that the thread completing the future runs them. */
  private static final int ASYNC_QUEUE = 10_000;
  private static boolean installed;

  private HazelcastFutures() {
  }

  /**
   * Makes Hazelcast run the callbacks it schedules on its default async executor on two daemon threads
   * started now, instead of the common pool or a new thread per callback. Call before Hazelcast starts.
   */
  static synchronized void installAsyncExecutor() {
    if (installed) {
      return;
    }
    AtomicInteger count = new AtomicInteger();
    ThreadFactory factory = r -> {
      Thread t = new Thread(r, "syncwire-hazelcast-async-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    ThreadPoolExecutor executor = new ThreadPoolExecutor(ASYNC_THREADS, ASYNC_THREADS, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(ASYNC_QUEUE), factory, new ThreadPoolExecutor.CallerRunsPolicy());
    executor.prestartAllCoreThreads();
    ConcurrencyUtil.setDefaultAsyncExecutor(executor);
    installed = true;
  }

  /** {@code stage} as a future whose listeners run on {@code context}. */
  static <T> Future<T> toFuture(CompletionStage<T> stage, Context context) {
    Promise<T> promise = VertxInternals.promise(context);
    stage.whenCompleteAsync((value, error) -> {
      if (error != null) {
        promise.tryFail(error);
      } else {
        promise.tryComplete(value);
      }
    }, WHERE_COMPLETED);
    return promise.future();
  }
}
