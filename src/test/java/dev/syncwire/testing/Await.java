package dev.syncwire.testing;

import io.vertx.core.Future;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Blocking waits for tests. */
public final class Await {
  private Await() {
  }

  public static <T> T result(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("future did not succeed: " + e, e);
    }
  }

  /** Waits until {@code condition} holds, failing after {@code timeout}. */
  public static void until(Duration timeout, String what, BooleanSupplier condition) {
    until(timeout, Duration.ofMillis(10), what, condition, () -> "");
  }

  /** Like {@link #until(Duration, String, BooleanSupplier)}; a failure also tells {@code state} at that moment. */
  public static void until(Duration timeout, String what, BooleanSupplier condition, Supplier<String> state) {
    until(timeout, Duration.ofMillis(10), what, condition, state);
  }

  /** As {@link #until(Duration, String, BooleanSupplier)}, checking every {@code every}: for costly checks. */
  public static void until(Duration timeout, Duration every, String what, BooleanSupplier condition) {
    until(timeout, every, what, condition, () -> "");
  }

  private static void until(Duration timeout, Duration every, String what, BooleanSupplier condition,
                            Supplier<String> state) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        String now = state.get();
        throw new AssertionError("timed out waiting for " + what + (now.isEmpty() ? "" : "; " + now));
      }
      try {
        Thread.sleep(every.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
