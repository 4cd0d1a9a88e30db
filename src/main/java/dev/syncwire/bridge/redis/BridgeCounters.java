package dev.syncwire.bridge.redis;

import dev.syncwire.telemetry.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The bridge's counters, {@link MetricNames#BRIDGE_MESSAGES} by {@link MetricNames#PATH} and
 * {@link MetricNames#OUTCOME}, and its quiet log: a message the bridge refuses or cannot publish is one
 * short line, and a flood of them at most one line a second, the next line telling how many were left out.
 */
final class BridgeCounters {
  /** Where a message came from. */
  enum Path {
    PUBSUB("pubsub"),
    STREAM("stream");

    final String label;

    Path(String label) {
      this.label = label;
    }
  }

  private static final Logger LOG = Logger.getLogger(RedisBridgeVerticle.class.getName());
  private static final long QUIET_NANOS = 1_000_000_000L;

  private final Map<Path, Map<BridgeInput.Outcome, Counter>> counters = new EnumMap<>(Path.class);
  private long lastLineNanos;
  private long leftOut;
  private boolean logged;

  BridgeCounters(MeterRegistry registry) {
    for (Path path : Path.values()) {
      Map<BridgeInput.Outcome, Counter> byOutcome = new EnumMap<>(BridgeInput.Outcome.class);
      for (BridgeInput.Outcome outcome : BridgeInput.Outcome.values()) {
        byOutcome.put(outcome, Counter.builder(MetricNames.BRIDGE_MESSAGES)
            .description("messages the bridge took from Redis").tag(MetricNames.PATH, path.label)
            .tag(MetricNames.OUTCOME, outcome.label).register(registry));
      }
      counters.put(path, byOutcome);
    }
  }

  void count(Path path, BridgeInput.Outcome outcome) {
    counters.get(path).get(outcome).increment();
  }

  /** Counts a message that can never be published, and logs why (quietly). */
  void invalid(Path path, String where, String reason, byte[] body) {
    count(path, BridgeInput.Outcome.INVALID);
    quietly(Level.INFO, () -> "Redis bridge: refused a " + path.label + " message on " + where + ": " + reason
        + " (" + BridgeInput.excerpt(body) + ")");
  }

  /**
   * A line for a message the bridge refused or could not publish: at most one a second; the next one says how
   * many were left out meanwhile.
   */
  synchronized void quietly(Level level, Supplier<String> line) {
    long now = System.nanoTime();
    if (logged && now - lastLineNanos < QUIET_NANOS) {
      leftOut++;
      return;
    }
    String more = leftOut == 0 ? "" : " (" + leftOut + " more such lines left out since the last one)";
    LOG.log(level, line.get() + more);
    logged = true;
    lastLineNanos = now;
    leftOut = 0;
  }
}
