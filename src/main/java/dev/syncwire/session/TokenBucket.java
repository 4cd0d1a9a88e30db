package dev.syncwire.session;

/** A token bucket refilled continuously; {@code rate} 0 means unlimited. Single-threaded. */
final class TokenBucket {
  private final double ratePerNano;
  private final double capacity;
  private double tokens;
  private long lastNanos;

  TokenBucket(int ratePerSecond, int burst) {
    this.ratePerNano = ratePerSecond / 1e9;
    this.capacity = burst;
    this.tokens = burst;
    this.lastNanos = System.nanoTime();
  }

  /** Takes one token; returns 0 on success, else the milliseconds until one is available. */
  long take() {
    if (ratePerNano == 0) {
      return 0;
    }
    long now = System.nanoTime();
    tokens = Math.min(capacity, tokens + (now - lastNanos) * ratePerNano);
    lastNanos = now;
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((1 - tokens) / ratePerNano / 1e6));
  }
}
