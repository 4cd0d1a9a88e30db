package dev.syncwire.client;

import java.util.concurrent.ThreadLocalRandom;

/** The reconnect delay of docs/protocol.md §14.1: min(base × 2^attempt + random(0, jitter), cap). */
final class Backoff {
  private final long baseMs;
  private final long jitterMs;
  private final long capMs;

  Backoff(long baseMs, long jitterMs, long capMs) {
    this.baseMs = baseMs;
    this.jitterMs = jitterMs;
    this.capMs = capMs;
  }

  long delayMs(int attempt) {
    long exp = baseMs << Math.min(attempt, 30);
    if (exp < 0 || exp > capMs) {
      exp = capMs;
    }
    long jitter = jitterMs > 0 ? ThreadLocalRandom.current().nextLong(jitterMs + 1) : 0;
    return Math.min(exp + jitter, capMs);
  }
}
