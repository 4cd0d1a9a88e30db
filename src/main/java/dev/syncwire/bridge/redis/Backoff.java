package dev.syncwire.bridge.redis;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Delays between attempts to reach something that is away: doubling from {@code initialMs} up to
 * {@code maxMs}, each with "equal jitter" (half the delay fixed, half random) so that many nodes that lost
 * the same server do not come back to it in step. Not thread-safe.
 */
public final class Backoff {
  private final long initialMs;
  private final long maxMs;
  private long nextMs;

  public Backoff(long initialMs, long maxMs) {
    this.initialMs = initialMs;
    this.maxMs = maxMs;
    this.nextMs = initialMs;
  }

  /** The delay before the next attempt; each call doubles the one after, up to the maximum. */
  public long nextDelayMs() {
    long base = nextMs;
    nextMs = Math.min(maxMs, nextMs * 2);
    return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
  }

  /** After a success: the next failure starts again from the initial delay. */
  public void reset() {
    nextMs = initialMs;
  }
}
