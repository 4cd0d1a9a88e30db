package dev.syncwire.bench;

import dev.syncwire.bench.PublishWorkload.Case;
import dev.syncwire.bench.PublishWorkload.Latency;
import dev.syncwire.bench.PublishWorkload.Setup;
import dev.syncwire.bench.PublishWorkload.Throughput;
import dev.syncwire.bench.ResultTable.Cell;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The history-store workload's table: each publish case with channel logs in memory and in Redis, on one node
 * and on a cluster, side by side. Server CPU includes Redis's.
 */
final class StoreReport {
  private StoreReport() {
  }

  static ResultTable table(GatewayProfile profile, PublishWorkload.StoreResult r) {
    GatewayProfile.Publish sizes = profile.publish();
    List<Setup> setups = r.setups();
    ResultTable t = new ResultTable(setups.stream().map(Setup::name).toList(), null);
    t.section(String.format("Pipelined publish throughput: 1 WebSocket publisher, %d publishes in flight, %d B data,"
        + " a key each", sizes.inFlight(), Payload.SIZE));
    rows(t, "1 channel, publisher on its owner", setups, Case.OWNER);
    rows(t, "1 channel, publisher on another node (cluster only)", setups, Case.OTHER);
    rows(t, String.format("%,d channels round-robin", sizes.channels()), setups, Case.SPREAD);
    t.section("Publish-to-ack latency, open loop, 1 channel, publisher on a node that does not own it"
        + " (1 node: on the node)");
    for (int i = 0; i < sizes.ackPubsPerSecond().size(); i++) {
      int rate = i;
      String at = String.format("@ %,.0f publishes/s", sizes.ackPubsPerSecond().get(i));
      t.add(at + ": p50 (ms)", latency(setups, rate, l -> l.p50() / 1e3, "%.2f"));
      t.add(at + ": p99 (ms, lower is better)", latency(setups, rate, l -> l.p99() / 1e3, "%.2f"));
      t.add("  server CPU, nodes and Redis (% of one core)",
          latency(setups, rate, l -> 100 * l.cpu().serverShare(), "%.0f"));
    }
    t.section("Integrity: every ack's (epoch, seq) checked, warm-ups and run-ins included");
    List<Cell> integrity = new ArrayList<>();
    for (Setup s : setups) {
      long checked = s.runs().stream().mapToLong(Throughput::checked).sum()
          + (s.latency() == null ? 0 : s.latency().checked());
      long voided = s.runs().stream().filter(x -> !x.valid()).count()
          + (s.latency() != null && !s.latency().valid() ? 1 : 0);
      integrity.add(Cell.missing(String.format("%,d / %d", checked, voided)));
    }
    t.add("acks checked / runs with a violation", integrity.toArray(new Cell[0]));
    return t;
  }

  private static void rows(ResultTable t, String label, List<Setup> setups, Case c) {
    t.add(label + ": acks/s (higher is better)", cells(setups, c, Throughput::acksPerSecond, "%,.0f"));
    t.add("  server CPU per publish, nodes and Redis (us, lower is better)",
        cells(setups, c, Throughput::serverMicrosPerPublish, "%.1f"));
  }

  private static Cell[] cells(List<Setup> setups, Case c, ToDoubleFunction<Throughput> f, String format) {
    Cell[] cells = new Cell[setups.size()];
    for (int i = 0; i < cells.length; i++) {
      Throughput x = setups.get(i).throughput().get(c);
      cells[i] = x == null ? Cell.missing("-") : x.failure() != null ? Cell.missing("failed")
          : !x.valid() ? Cell.missing("void") : Cell.of(f.applyAsDouble(x), format);
    }
    return cells;
  }

  private static Cell[] latency(List<Setup> setups, int rate, ToDoubleFunction<Latency> f, String format) {
    Cell[] cells = new Cell[setups.size()];
    for (int i = 0; i < cells.length; i++) {
      var run = setups.get(i).latency();
      cells[i] = run == null || run.failure() != null || rate >= run.rates().size() ? Cell.missing("failed")
          : !run.valid() ? Cell.missing("void")
          : !run.rates().get(rate).ackedInTime() ? Cell.missing("backlog") : Cell.of(f.applyAsDouble(run.rates().get(rate)), format);
    }
    return cells;
  }
}
