package dev.syncwire.bench;

import dev.syncwire.bench.ResultTable.Cell;

import java.util.List;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Turns every target's results into the run's table: a column per target, Syncwire's first, then
 * Syncwire's figure over each other target's. A null list is a workload that was not run and gets no
 * section.
 */
final class Report {
  private Report() {
  }

  static ResultTable table(Profile profile, List<String> targets, List<FanOutWorkload.Result> fanOut,
                           List<IdleConnectionsWorkload.Result> idle, List<ConnectionStormWorkload.Result> storm) {
    ResultTable t = ResultTable.comparing(targets);
    if (fanOut != null) {
      fanOut(t, profile, fanOut);
    }
    if (idle != null) {
      idle(t, idle);
    }
    if (storm != null) {
      storm(t, profile, storm);
    }
    return t;
  }

  static void fanOut(ResultTable t, Profile profile, List<FanOutWorkload.Result> results) {
    t.section("Fan-out: 1 publisher, 1 channel, " + results.get(0).subscribers() + " subscribers, " + Payload.SIZE
        + " B payload");
    String bounded = String.format("peak deliveries/s with p99 <= %d ms (higher is better)",
        FanOutWorkload.P99_BOUND_MICROS / 1000);
    t.add(bounded, cells(results, r -> boundedCell(r, "%,.0f", PhaseResult::deliveriesPerSecond)));
    t.add("  deliveries per server CPU-second there",
        cells(results, r -> boundedCell(r, "%,.0f", PhaseResult::deliveriesPerServerCpuSecond)));
    t.add("  p99 latency there (ms)", cells(results, r -> boundedCell(r, "%.2f", p -> p.p99() / 1e3)));
    t.add("  load generator CPU there (% of its core)",
        cells(results, r -> boundedCell(r, "%.0f", p -> 100 * p.clientCpuShare())));
    t.add("max sustained deliveries/s, any latency",
        cells(results, r -> maxCell(r, "%,.0f", PhaseResult::deliveriesPerSecond)));
    t.add("  p50 latency at max (ms)", cells(results, r -> maxCell(r, "%.2f", p -> p.p50() / 1e3)));
    t.add("  p99 latency at max (ms)", cells(results, r -> maxCell(r, "%.2f", p -> p.p99() / 1e3)));
    t.add("  server CPU at max (% of its core)", cells(results, r -> maxCell(r, "%.0f", p -> 100 * p.serverCpuShare())));
    t.add("  load generator CPU at max (% of its core)",
        cells(results, r -> maxCell(r, "%.0f", p -> 100 * p.clientCpuShare())));
    latencyRows(t, String.format("light load, %,.0f deliveries/s", profile.lightDeliveriesPerSecond()), results,
        FanOutWorkload.Result::light);
    if (profile.highDeliveriesPerSecond() > 0) {
      String high = String.format("high load, %,.0f deliveries/s offered", profile.highDeliveriesPerSecond());
      t.add(high + ": delivered/s in the window",
          cells(results, r -> phaseCell(r.high(), "%,.0f", PhaseResult::deliveriesPerSecond)));
      latencyRows(t, high, results, FanOutWorkload.Result::high);
    }
    t.add("50% of own max: offered deliveries/s",
        cells(results, r -> phaseCell(r.halfMax(), "%,.0f", PhaseResult::offeredDeliveriesPerSecond)));
    latencyRows(t, "50% of own max", results, FanOutWorkload.Result::halfMax);
    t.add("lost / duplicated / out-of-order deliveries", cells(results, Report::integrity));
  }

  private static void latencyRows(ResultTable t, String load, List<FanOutWorkload.Result> results,
                                  Function<FanOutWorkload.Result, PhaseResult> phase) {
    t.add(load + ": p50 latency (ms)", cells(results, r -> phaseCell(phase.apply(r), "%.2f", p -> p.p50() / 1e3)));
    t.add(load + ": p99 latency (ms, lower is better)",
        cells(results, r -> phaseCell(phase.apply(r), "%.2f", p -> p.p99() / 1e3)));
    t.add(load + ": p99.9 latency (ms)", cells(results, r -> phaseCell(phase.apply(r), "%.2f", p -> p.p999() / 1e3)));
    t.add(load + ": deliveries per server CPU-second (higher is better)",
        cells(results, r -> phaseCell(phase.apply(r), "%,.0f", PhaseResult::deliveriesPerServerCpuSecond)));
    t.add(load + ": load generator CPU (% of its core)",
        cells(results, r -> phaseCell(phase.apply(r), "%.0f", p -> 100 * p.clientCpuShare())));
  }

  private static void idle(ResultTable t, List<IdleConnectionsWorkload.Result> results) {
    t.section("Idle connections (connected and subscribed), server heap after full GC and RSS");
    List<Integer> points = results.get(0).connections();
    for (int i = 0; i < points.size(); i++) {
      int at = i;
      t.add(String.format("heap after GC at %,d connections (MiB)", points.get(i)),
          cells(results, r -> idleCell(r, r.heapBytes().get(at) / 1048576.0, "%.1f")));
    }
    for (int i = 0; i < points.size(); i++) {
      int at = i;
      t.add(String.format("RSS at %,d connections (MiB)", points.get(i)),
          cells(results, r -> idleCell(r, r.rssBytes().get(at) / 1048576.0, "%.1f")));
    }
    t.add("heap bytes per connection (slope, lower is better)",
        cells(results, r -> idleCell(r, r.heapBytesPerConnection(), "%,.0f")));
    t.add("RSS bytes per connection (slope, lower is better)",
        cells(results, r -> idleCell(r, r.rssBytesPerConnection(), "%,.0f")));
  }

  private static void storm(ResultTable t, Profile profile, List<ConnectionStormWorkload.Result> results) {
    t.section(String.format("Connection storm: %,d clients, at most %,d in flight", results.get(0).clients(),
        profile.stormWindow()));
    t.add("clients ready per second (higher is better)", cells(results, r -> stormCell(r, r.readyPerSecond(), "%,.0f")));
    t.add("server CPU per ready client (us, lower is better)",
        cells(results, r -> stormCell(r, r.serverCpuMicrosPerClient(), "%,.0f")));
    t.add("connect-to-subscribed p50 (ms)", cells(results, r -> stormCell(r, r.p50() / 1e3, "%.1f")));
    t.add("connect-to-subscribed p95 (ms, lower is better)", cells(results, r -> stormCell(r, r.p95() / 1e3, "%.1f")));
    t.add("failed clients", cells(results, r -> Cell.of(r.failures(), "%.0f")));
  }

  private static <R> Cell[] cells(List<R> results, Function<R, Cell> cell) {
    return results.stream().map(cell).toArray(Cell[]::new);
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
