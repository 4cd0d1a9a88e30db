package dev.syncwire.bench;

import dev.syncwire.bench.ResultTable.Cell;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Turns both targets' results into the run's table. Each list holds Syncwire's result, then the raw
 * server's; a null list is a workload that was not run and gets no section.
 */
final class Report {
  private Report() {
  }

  static ResultTable table(Profile profile, List<FanOutWorkload.Result> fanOut,
                           List<IdleConnectionsWorkload.Result> idle, List<ConnectionStormWorkload.Result> storm) {
    ResultTable t = new ResultTable();
    if (fanOut != null) {
      fanOut(t, profile, fanOut.get(0), fanOut.get(1));
    }
    if (idle != null) {
      idle(t, idle.get(0), idle.get(1));
    }
    if (storm != null) {
      storm(t, profile, storm.get(0), storm.get(1));
    }
    return t;
  }

  static void fanOut(ResultTable t, Profile profile, FanOutWorkload.Result a, FanOutWorkload.Result b) {
    t.section("Fan-out: 1 publisher, 1 channel, " + a.subscribers() + " subscribers, " + Payload.SIZE
        + " B payload");
    t.add("max sustained deliveries/s (higher is better)", maxCell(a, "%,.0f", PhaseResult::deliveriesPerSecond),
        maxCell(b, "%,.0f", PhaseResult::deliveriesPerSecond));
    t.add("  deliveries per server CPU-second at max", maxCell(a, "%,.0f", PhaseResult::deliveriesPerServerCpuSecond),
        maxCell(b, "%,.0f", PhaseResult::deliveriesPerServerCpuSecond));
    t.add("  p50 latency at max (ms)", maxCell(a, "%.2f", p -> p.p50() / 1e3), maxCell(b, "%.2f", p -> p.p50() / 1e3));
    t.add("  p99 latency at max (ms)", maxCell(a, "%.2f", p -> p.p99() / 1e3), maxCell(b, "%.2f", p -> p.p99() / 1e3));
    t.add("  server CPU at max (% of its core)", maxCell(a, "%.0f", p -> 100 * p.serverCpuShare()),
        maxCell(b, "%.0f", p -> 100 * p.serverCpuShare()));
    t.add("  load generator CPU at max (% of its core)", maxCell(a, "%.0f", p -> 100 * p.clientCpuShare()),
        maxCell(b, "%.0f", p -> 100 * p.clientCpuShare()));
    String bounded = String.format("max sustained deliveries/s with p99 <= %d ms",
        FanOutWorkload.P99_BOUND_MICROS / 1000);
    t.add(bounded, boundedCell(a, "%,.0f", PhaseResult::deliveriesPerSecond),
        boundedCell(b, "%,.0f", PhaseResult::deliveriesPerSecond));
    t.add("  deliveries per server CPU-second there", boundedCell(a, "%,.0f",
        PhaseResult::deliveriesPerServerCpuSecond), boundedCell(b, "%,.0f", PhaseResult::deliveriesPerServerCpuSecond));
    latencyRows(t, String.format("@ %,.0f deliveries/s", profile.commonDeliveriesPerSecond()), a.common(),
        b.common());
    t.add("@ 50% of own max: offered deliveries/s",
        phaseCell(a.halfMax(), "%,.0f", PhaseResult::offeredDeliveriesPerSecond),
        phaseCell(b.halfMax(), "%,.0f", PhaseResult::offeredDeliveriesPerSecond));
    latencyRows(t, "@ 50% of own max", a.halfMax(), b.halfMax());
    t.add("lost / duplicated / out-of-order deliveries", integrity(a), integrity(b));
  }

  private static void latencyRows(ResultTable t, String load, PhaseResult syncwire, PhaseResult raw) {
    t.add(load + ": p50 latency (ms)", phaseCell(syncwire, "%.2f", p -> p.p50() / 1e3),
        phaseCell(raw, "%.2f", p -> p.p50() / 1e3));
    t.add(load + ": p99 latency (ms, lower is better)", phaseCell(syncwire, "%.2f", p -> p.p99() / 1e3),
        phaseCell(raw, "%.2f", p -> p.p99() / 1e3));
    t.add(load + ": p99.9 latency (ms)", phaseCell(syncwire, "%.2f", p -> p.p999() / 1e3),
        phaseCell(raw, "%.2f", p -> p.p999() / 1e3));
    t.add(load + ": deliveries per server CPU-second",
        phaseCell(syncwire, "%,.0f", PhaseResult::deliveriesPerServerCpuSecond),
        phaseCell(raw, "%,.0f", PhaseResult::deliveriesPerServerCpuSecond));
  }

  private static void idle(ResultTable t, IdleConnectionsWorkload.Result a, IdleConnectionsWorkload.Result b) {
    t.section("Idle connections (connected and subscribed), server heap after full GC and RSS");
    for (int i = 0; i < a.connections().size(); i++) {
      t.add(String.format("heap after GC at %,d connections (MiB)", a.connections().get(i)),
          idleCell(a, a.heapBytes().get(i) / 1048576.0, "%.1f"), idleCell(b, b.heapBytes().get(i) / 1048576.0, "%.1f"));
    }
    for (int i = 0; i < a.connections().size(); i++) {
      t.add(String.format("RSS at %,d connections (MiB)", a.connections().get(i)),
          idleCell(a, a.rssBytes().get(i) / 1048576.0, "%.1f"), idleCell(b, b.rssBytes().get(i) / 1048576.0, "%.1f"));
    }
    t.add("heap bytes per connection (slope, lower is better)", idleCell(a, a.heapBytesPerConnection(), "%,.0f"),
        idleCell(b, b.heapBytesPerConnection(), "%,.0f"));
    t.add("RSS bytes per connection (slope, lower is better)", idleCell(a, a.rssBytesPerConnection(), "%,.0f"),
        idleCell(b, b.rssBytesPerConnection(), "%,.0f"));
  }

  private static void storm(ResultTable t, Profile profile, ConnectionStormWorkload.Result a,
                            ConnectionStormWorkload.Result b) {
    t.section(String.format("Connection storm: %,d clients, at most %,d in flight", a.clients(),
        profile.stormWindow()));
    t.add("clients ready per second (higher is better)", stormCell(a, a.readyPerSecond(), "%,.0f"),
        stormCell(b, b.readyPerSecond(), "%,.0f"));
    t.add("server CPU per ready client (us, lower is better)", stormCell(a, a.serverCpuMicrosPerClient(), "%,.0f"),
        stormCell(b, b.serverCpuMicrosPerClient(), "%,.0f"));
    t.add("connect-to-subscribed p50 (ms)", stormCell(a, a.p50() / 1e3, "%.1f"), stormCell(b, b.p50() / 1e3, "%.1f"));
    t.add("connect-to-subscribed p95 (ms, lower is better)", stormCell(a, a.p95() / 1e3, "%.1f"),
        stormCell(b, b.p95() / 1e3, "%.1f"));
    t.add("failed clients", Cell.of(a.failures(), "%.0f"), Cell.of(b.failures(), "%.0f"));
  }

  /** The maximum is void when any step of the search lost a message, even above the maximum. */
  private static Cell maxCell(FanOutWorkload.Result r, String format, ToDoubleFunction<PhaseResult> f) {
    if (r.failure() != null) {
      return Cell.missing("failed");
    }
    if (r.steps().stream().anyMatch(s -> !s.clean())) {
      return Cell.missing("void (" + r.steps().stream().mapToLong(PhaseResult::lost).sum() + " lost)");
    }
    if (r.max() == null) {
      return Cell.missing("no step held");
    }
    return Cell.of(f.applyAsDouble(r.max()), format);
  }

  /** Like the maximum, void if any step lost a message. */
  private static Cell boundedCell(FanOutWorkload.Result r, String format, ToDoubleFunction<PhaseResult> f) {
    Cell max = maxCell(r, format, f);
    if (!max.isNumber()) {
      return max;
    }
    PhaseResult bounded = r.maxWithinP99Bound();
    return bounded == null ? Cell.missing("no step held") : Cell.of(f.applyAsDouble(bounded), format);
  }

  private static Cell phaseCell(PhaseResult p, String format, ToDoubleFunction<PhaseResult> f) {
    if (p == null) {
      return Cell.missing("n/a");
    }
    if (!p.clean()) {
      return Cell.missing("void (" + p.lost() + " lost)");
    }
    return Cell.of(f.applyAsDouble(p), format);
  }

  private static Cell integrity(FanOutWorkload.Result r) {
    if (r.failure() != null) {
      return Cell.missing("failed");
    }
    return Cell.missing(r.lost() + " / " + r.duplicates() + " / " + r.orderBreaks());
  }

  /** Memory with fewer connections than counted is meaningless: void if any client failed to join. */
  private static Cell idleCell(IdleConnectionsWorkload.Result r, double value, String format) {
    if (r.failures() > 0 || !r.problems().isEmpty()) {
      return Cell.missing("void (" + r.failures() + " failed)");
    }
    return Cell.of(value, format);
  }

  private static Cell stormCell(ConnectionStormWorkload.Result r, double value, String format) {
    return r.failures() > 0 ? Cell.missing("void (" + r.failures() + " failed)") : Cell.of(value, format);
  }
}
