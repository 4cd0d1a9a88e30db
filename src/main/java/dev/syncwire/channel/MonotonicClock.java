package dev.syncwire.channel;

/**
 * Milliseconds from the monotonic clock, for history and dedup ages: they must not jump with the wall
 * clock. Only differences within one process mean anything; logs moving between processes carry ages.
 */
public final class MonotonicClock {
  private MonotonicClock() {
  }

  public static long nowMs() {
    return System.nanoTime() / 1_000_000;
  }
}
