package dev.syncwire.bench;

import dev.syncwire.bench.ResultTable.Cell;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** The recovery storm's table: a column per round, the warm-up round first. */
final class RecoveryReport {
  private RecoveryReport() {
  }

  static ResultTable table(List<RecoveryStormWorkload.Round> rounds) {
    RecoveryStormWorkload.Round first = rounds.get(0);
    ResultTable t = new ResultTable(rounds.stream().map(RecoveryStormWorkload.Round::label).toList(), null);
    t.section(String.format("Recovery storm: %,d clients resubscribe with since at once, after missing %,d publications"
        + " of %d B", first.clients(), first.publications(), Payload.SIZE));
    t.add("first reconnect to last client recovered (ms, lower is better)",
        cells(rounds, r -> r.seconds() * 1e3, "%,.0f", true));
    t.add("  clients recovered per second", cells(rounds, r -> r.clients() / r.seconds(), "%,.0f", true));
    t.add("  per client, reconnect to recovered: p50 (ms)", cells(rounds, r -> r.p50() / 1e3, "%.1f", true));
    t.add("  per client, reconnect to recovered: p99 (ms)", cells(rounds, r -> r.p99() / 1e3, "%.1f", true));
    t.add("clients with recovered:true and every publication in order",
        text(rounds, r -> String.format("%,d / %,d", r.complete(), r.clients())));
    t.add("  recovered:false / missing or out of order / failed to connect",
        text(rounds, r -> r.notRecovered() + " / " + r.incomplete() + " / " + r.failed()));
    t.add("server CPU over the storm (ms)", cells(rounds, r -> r.cpu().serverCpuSeconds() * 1e3, "%,.0f", false));
    t.add("  server CPU per client (us, lower is better)",
        cells(rounds, RecoveryStormWorkload.Round::serverCpuMicrosPerClient, "%,.0f", false));
    t.add("  replayed publications per server CPU-second",
        cells(rounds, RecoveryStormWorkload.Round::replayedPerServerCpuSecond, "%,.0f", true));
    t.add("peak heap used during the storm (MiB)", cells(rounds, r -> r.heap().usedBytes() / 1048576.0, "%.1f", false));
    t.add("  highest heap left after a collection during the storm (MiB)",
        cells(rounds, r -> r.heap().maxAfterGcBytes() / 1048576.0, "%.1f", false));
    t.add("  allocated during the storm (MiB)", cells(rounds, r -> r.heap().allocatedBytes() / 1048576.0, "%.0f", false));
    t.add("  collections during the storm (young / full)",
        text(rounds, r -> r.heap().youngGcs() + " / " + r.heap().fullGcs()));
    t.add("  longest GC pause during the storm (ms)", cells(rounds, r -> r.heap().longestPauseMillis(), "%.1f", false));
    t.add("heap after full GC: clients subscribed, before they left (MiB)",
        cells(rounds, r -> r.heapSubscribed() / 1048576.0, "%.1f", false));
    t.add("heap after full GC: all gone, publications made, before the storm (MiB)",
        cells(rounds, r -> r.heapBeforeStorm() / 1048576.0, "%.1f", false));
    t.add("heap after full GC: after the storm, all recovered (MiB)",
        cells(rounds, r -> r.heapAfterStorm() / 1048576.0, "%.1f", false));
    t.add("load generator CPU during the storm (% of its core)",
        cells(rounds, r -> 100 * r.cpu().clientShare(), "%.0f", false));
    t.add("other work on the server's / load generator's CPU",
        text(rounds, r -> String.format("%.0f%% / %.0f%%", 100 * r.cpu().serverCpuOthersShare(),
            100 * r.cpu().clientCpuOthersShare())));
    t.add("load average before -> after the storm", text(rounds, r -> r.loadBefore() + " -> " + r.loadAfter()));
    return t;
  }

  /** The median storm time over the measured rounds (not the warm-up), or null when one is void. */
  static String medianLine(List<RecoveryStormWorkload.Round> rounds) {
    List<Double> times = new ArrayList<>();
    for (RecoveryStormWorkload.Round r : rounds.subList(1, rounds.size())) {
      if (!r.valid()) {
        return "A measured round is void: some client did not recover everything (" + r.firstProblem() + ").";
      }
      times.add(r.seconds() * 1e3);
    }
    if (times.isEmpty()) {
      return null;
    }
    times.sort(null);
    return String.format("Median over the %d measured rounds: %,.0f ms from the first reconnect to the last client"
        + " recovered (range %,.0f-%,.0f ms).", times.size(), times.get(times.size() / 2), times.get(0),
        times.get(times.size() - 1));
  }

  /** Timing figures of a round where a client did not recover everything are void. */
  private static Cell[] cells(List<RecoveryStormWorkload.Round> rounds, ToDoubleFunction<RecoveryStormWorkload.Round> f,
                              String format, boolean voidable) {
    return rounds.stream().map(r -> voidable && !r.valid()
        ? Cell.missing("void (" + (r.clients() - r.complete()) + " not recovered)")
        : Cell.of(f.applyAsDouble(r), format)).toArray(Cell[]::new);
  }

  private static Cell[] text(List<RecoveryStormWorkload.Round> rounds,
                             java.util.function.Function<RecoveryStormWorkload.Round, String> f) {
    return rounds.stream().map(r -> Cell.missing(f.apply(r))).toArray(Cell[]::new);
  }
}
