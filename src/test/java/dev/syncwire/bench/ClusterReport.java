package dev.syncwire.bench;

import dev.syncwire.bench.ResultTable.Cell;

import java.util.List;
import java.util.function.ToDoubleFunction;

/** The cluster workload's tables: fan-out against one node, publish-to-ack latency, failover. */
final class ClusterReport {
  private ClusterReport() {
  }

  static ResultTable fanOut(Profile profile, ClusterWorkload.Result r) {
    String nodes = r.clusterTarget().name();
    ResultTable t = new ResultTable(List.of(nodes, "1 node"), nodes + "/1 node");
    Report.fanOut(t, profile, List.of(r.clusterFanOut(), r.singleFanOut()));
    t.add("server CPU with no clients (% of one core, all nodes)", Cell.of(100 * r.clusterIdle().serverShare(), "%.1f"),
        Cell.of(100 * r.singleIdle().serverShare(), "%.1f"));
    t.add("cross-node event-bus messages per publication (fan-out sent)",
        Cell.of(r.bus().sentPerPublication(), "%.2f"), Cell.missing("n/a"));
    t.add("  fan-out messages sent / received / publications",
        Cell.missing(String.format("%,d / %,d / %,d", r.bus().sent(), r.bus().received(), r.bus().publications())),
        Cell.missing("n/a"));
    t.add("  owner of the channel", Cell.missing(r.bus().owner()), Cell.missing("-"));
    return t;
  }

  static ResultTable acks(GatewayProfile profile, ClusterWorkload.Result r) {
    List<ClusterWorkload.AckRun> runs = List.of(r.ackBackups1(), r.ackBackups0(), r.ackSingle());
    ResultTable t = new ResultTable(runs.stream().map(a -> a.setup().equals("1 node") ? "1 node"
        : profile.clusterNodes() + " nodes, " + a.setup()).toList(), "backups=1/backups=0");
    for (int i = 0; i < profile.ackPubsPerSecond().size(); i++) {
      int rate = i;
      t.section(String.format("Publish-to-ack at %,.0f publishes/s (open loop), %d subscriber(s) per node",
          profile.ackPubsPerSecond().get(i), profile.ackSubscribersPerNode()));
      t.add("publish-to-ack p50 (ms)", cells(runs, rate, p -> p.ackP50() / 1e3, "%.2f"));
      t.add("publish-to-ack p99 (ms, lower is better)", cells(runs, rate, p -> p.ackP99() / 1e3, "%.2f"));
      t.add("publish-to-ack p99.9 (ms)", cells(runs, rate, p -> p.ackP999() / 1e3, "%.2f"));
      t.add("publish-to-delivery p50 (ms)", cells(runs, rate, p -> p.p50() / 1e3, "%.2f"));
      t.add("publish-to-delivery p99 (ms)", cells(runs, rate, p -> p.p99() / 1e3, "%.2f"));
      t.add("server CPU, all nodes (% of one core)", cells(runs, rate, p -> 100 * p.serverCpuShare(), "%.0f"));
      t.add("  server CPU per publication (us)",
          cells(runs, rate, p -> p.cpu().serverCpuSeconds() * 1e6 / p.sent(), "%,.0f"));
      t.add("verdict (as in the fan-out search)", runs.stream().map(a -> a.load(rate) == null
          ? Cell.missing(a.ladder().failure() != null ? "failed" : "not run") : Cell.missing(a.load(rate).verdict()))
          .toArray(Cell[]::new));
    }
    t.section("Over all rates");
    t.add("lost / duplicated / out-of-order deliveries", runs.stream().map(a -> a.ladder().failure() != null
        ? Cell.missing("failed") : Cell.missing(a.ladder().lost() + " / " + a.ladder().duplicates() + " / "
        + a.ladder().orderBreaks())).toArray(Cell[]::new));
    t.add("publisher's node / channel owner", runs.stream()
        .map(a -> Cell.missing(a.publisherNode() + " / " + a.owner())).toArray(Cell[]::new));
    return t;
  }

  static ResultTable failover(ClusterWorkload.Result r) {
    FailoverWorkload.Result f = r.failover();
    ResultTable t = new ResultTable(List.of("backups=1"), null);
    if (f.failure() != null) {
      t.add("failover", Cell.missing("failed: " + f.failure()));
      return t;
    }
    t.section(String.format("Failover: kill -9 of the channel's owner while publishing %,.0f/s from a surviving node",
        f.pubsPerSecond()));
    t.add("kill to first delivery of a publication sent after the kill (ms, lower is better)",
        lossCell(f, f.firstNewDeliveryMillis(), "%,.0f"));
    t.add("  kill to first delivery of any publication (ms)", lossCell(f, f.firstDeliveryMillis(), "%,.0f"));
    t.add("  kill to the dead node leaving the member list (ms)", Cell.of(f.memberDroppedMillis(), "%,.0f"));
    t.add("  longest gap between two deliveries (ms)", Cell.of(f.longestGapMillis(), "%,.0f"));
    t.add("publishes waiting for their ack at most", Cell.of(f.maxWaiting(), "%,.0f"));
    t.add("  publish-to-ack p99 / max over the run (ms)",
        Cell.missing(String.format("%,.0f / %,.0f", f.ackP99() / 1e3, f.ackMax() / 1e3)));
    t.add("publishes sent / acknowledged", Cell.missing(String.format("%,d / %,d", f.sent(), f.acks())));
    t.add("lost / duplicated deliveries", Cell.missing(f.lost() + " / " + f.duplicates()));
    t.add("  seq gaps / seqs going back / epoch changes seen by subscribers",
        Cell.missing(f.seqGaps() + " / " + f.seqBackwards() + " / " + f.epochChanges()));
    t.add("  deliveries whose publish took its seq out of sending order",
        Cell.missing(String.format("%,d", f.reordered())));
    t.add("subscribers (on the surviving nodes)", Cell.of(f.subscribers(), "%.0f"));
    t.add("owner before -> after, epoch", Cell.missing(f.killed() + " -> " + f.newOwner() + ", "
        + (f.epochKept() ? "kept" : "changed")));
    t.add("publisher's node", Cell.missing(f.publisherNode()));
    t.add("load average before -> after the kill", Cell.missing(f.loadBefore() + " -> " + f.loadAfter()));
    return t;
  }

  /** A failover that lost or repeated a publication has no valid timing. */
  private static Cell lossCell(FailoverWorkload.Result f, double millis, String format) {
    if (!f.lossFree()) {
      return Cell.missing("void (see integrity rows)");
    }
    return millis < 0 ? Cell.missing("never") : Cell.of(millis, format);
  }

  private static Cell[] cells(List<ClusterWorkload.AckRun> runs, int rate, ToDoubleFunction<PhaseResult> f,
                              String format) {
    return runs.stream().map(a -> {
      PhaseResult p = a.load(rate);
      if (p == null) {
        return Cell.missing(a.ladder().failure() != null ? "failed" : "not run");
      }
      if (!p.clean()) {
        return Cell.missing("void (" + p.lost() + " lost)");
      }
      return Cell.of(f.applyAsDouble(p), format);
    }).toArray(Cell[]::new);
  }
}
