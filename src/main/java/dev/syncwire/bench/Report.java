package dev.syncwire.bench;

import dev.syncwire.bench.ResultTable.Cell;

import java.util.function.ToDoubleFunction;

/** Turns both targets' results into the run's table. Column order: Syncwire, then raw Vert.x. */
final class Report {
  private Report() {
  }

  static ResultTable table(Profile profile, FanOutWorkload.Result[] fanOut, IdleConnectionsWorkload.Result[] idle,
                           ConnectionStormWorkload.Result[] storm) {
    ResultTable t = new ResultTable();
    t.section("Fan-out: 1 publisher, 1 channel, " + fanOut[0].subscribers() + " subscribers, "
        + Payload.SIZE + " B payload");
    t.add("max sustained deliveries/s (higher is better)", maxCell(fanOut[0], "%,.0f",
        PhaseResult::deliveriesPerSecond), maxCell(fanOut[1], "%,.0f", PhaseResult::deliveriesPerSecond));
    t.add("  deliveries per server CPU-second at max", maxCell(fanOut[0], "%,.0f",
        PhaseResult::deliveriesPerServerCpuSecond), maxCell(fanOut[1], "%,.0f",
        PhaseResult::deliveriesPerServerCpuSecond));
    t.add("  p50 latency at max (ms)", maxCell(fanOut[0], "%.2f", p -> p.p50() / 1e3),
        maxCell(fanOut[1], "%.2f", p -> p.p50() / 1e3));
    t.add("  p99 latency at max (ms)", maxCell(fanOut[0], "%.2f", p -> p.p99() / 1e3),
        maxCell(fanOut[1], "%.2f", p -> p.p99() / 1e3));
    t.add("  server CPU at max (% of its core)", maxCell(fanOut[0], "%.0f", p -> 100 * p.serverCpuShare()),
        maxCell(fanOut[1], "%.0f", p -> 100 * p.serverCpuShare()));
    t.add("  load generator CPU at max (% of its core)", maxCell(fanOut[0], "%.0f",
        p -> 100 * p.clientCpuShare()), maxCell(fanOut[1], "%.0f", p -> 100 * p.clientCpuShare()));
    String common = String.format("%,.0f deliveries/s", profile.commonDeliveriesPerSecond());
    latencyRows(t, "@ " + common, fanOut[0].common(), fanOut[1].common());
    t.add("@ 50% of own max: offered deliveries/s", phaseCell(fanOut[0].halfMax(), "%,.0f",
        PhaseResult::offeredDeliveriesPerSecond), phaseCell(fanOut[1].halfMax(), "%,.0f",
        PhaseResult::offeredDeliveriesPerSecond));
    latencyRows(t, "@ 50% of own max", fanOut[0].halfMax(), fanOut[1].halfMax());
    t.add("lost / duplicated / out-of-order deliveries", integrity(fanOut[0]), integrity(fanOut[1]));

    IdleConnectionsWorkload.Result a = idle[0];
    IdleConnectionsWorkload.Result b = idle[1];
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

    t.section(String.format("Connection storm: %,d clients, at most %,d in flight", storm[0].clients(),
        profile.stormWindow()));
    t.add("clients ready per second (higher is better)", stormCell(storm[0], storm[0].readyPerSecond(), "%,.0f"),
        stormCell(storm[1], storm[1].readyPerSecond(), "%,.0f"));
    t.add("connect-to-subscribed p50 (ms)", stormCell(storm[0], storm[0].p50() / 1e3, "%.1f"),
        stormCell(storm[1], storm[1].p50() / 1e3, "%.1f"));
    t.add("connect-to-subscribed p95 (ms, lower is better)", stormCell(storm[0], storm[0].p95() / 1e3, "%.1f"),
        stormCell(storm[1], storm[1].p95() / 1e3, "%.1f"));
    t.add("failed clients", Cell.of(storm[0].failures(), "%.0f"), Cell.of(storm[1].failures(), "%.0f"));
    return t;
  }

  private static void latencyRows(ResultTable t, String load, PhaseResult syncwire, PhaseResult raw) {
    t.add(load + ": p50 latency (ms)", phaseCell(syncwire, "%.2f", p -> p.p50() / 1e3),
        phaseCell(raw, "%.2f", p -> p.p50() / 1e3));
    t.add(load + ": p99 latency (ms, lower is better)", phaseCell(syncwire, "%.2f", p -> p.p99() / 1e3),
        phaseCell(raw, "%.2f", p -> p.p99() / 1e3));
    t.add(load + ": p99.9 latency (ms)", phaseCell(syncwire, "%.2f", p -> p.p999() / 1e3),
        phaseCell(raw, "%.2f", p -> p.p999() / 1e3));
    t.add(load + ": deliveries per server CPU-second", phaseCell(syncwire, "%,.0f",
        PhaseResult::deliveriesPerServerCpuSecond), phaseCell(raw, "%,.0f", PhaseResult::deliveriesPerServerCpuSecond));
  }

  /** The maximum is void when any step of the search lost a message, even above the maximum. */
  private static Cell maxCell(FanOutWorkload.Result r, String format, ToDoubleFunction<PhaseResult> f) {
    if (r.failure() != null) {
      return Cell.missing("failed");
    }
    long lostInSearch = r.steps().stream().mapToLong(PhaseResult::lost).sum();
    boolean problems = r.steps().stream().anyMatch(s -> !s.clean());
    if (problems) {
      return Cell.missing("void (" + lostInSearch + " lost)");
    }
    if (r.max() == null) {
      return Cell.missing("no step held");
    }
    return Cell.of(f.applyAsDouble(r.max()), format);
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
