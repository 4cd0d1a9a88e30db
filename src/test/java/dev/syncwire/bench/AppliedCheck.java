package dev.syncwire.bench;

import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

/**
 * What one subscriber applied, checked as it goes: each publication's seq must follow the one before, none
 * missing and none twice. Latency runs from the due time the payload carries to the application: the
 * publisher's {@code System.nanoTime()}, a clock every process of the machine shares. Owned by the
 * subscriber's event loop.
 */
final class AppliedCheck {
  private final Histogram latency = new Histogram(3);
  private long last = -1;
  private long applied;
  private long missing;
  private long repeated;
  /** Resets, reconnects and errors the subscriber met: each means it did not simply follow the channel. */
  private long interruptions;
  private String firstInterruption;

  void applied(long seq, long dueNanos) {
    long now = System.nanoTime();
    if (last >= 0 && seq <= last) {
      repeated++;
      return;
    }
    if (last >= 0 && seq > last + 1) {
      missing += seq - last - 1;
    }
    last = seq;
    applied++;
    latency.recordValue(Math.max(0, (now - dueNanos) / 1000));
  }

  void interrupted(String what) {
    interruptions++;
    if (firstInterruption == null) {
      firstInterruption = what;
    }
  }

  /** Starts a new window of latencies; the counts go on. */
  void mark() {
    latency.reset();
  }

  long applied() {
    return applied;
  }

  /** The counts so far and the latencies of the window, in microseconds. */
  JsonObject stats() {
    return new JsonObject().put("applied", applied).put("missing", missing).put("repeated", repeated)
        .put("interruptions", interruptions).put("firstInterruption", firstInterruption)
        .put("p50", latency.getValueAtPercentile(50)).put("p99", latency.getValueAtPercentile(99))
        .put("p999", latency.getValueAtPercentile(99.9));
  }
}
