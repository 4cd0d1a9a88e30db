package dev.syncwire.bench;

import dev.syncwire.bench.PublishWorkload.Case;
import dev.syncwire.bench.PublishWorkload.Latency;
import dev.syncwire.bench.PublishWorkload.LatencyRun;
import dev.syncwire.bench.PublishWorkload.Setup;
import dev.syncwire.bench.PublishWorkload.Throughput;
import dev.syncwire.bench.ResultTable.Cell;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/**
 * The publish workload's table: the cluster against one node, case by case, and the footer's notes on it. A
 * node alone owns every channel, so its one-channel figure stands against each of the cluster's one-channel
 * rows.
 */
final class PublishReport {
  private static final double CLIENT_BOUND_SHARE = 0.9;
  /** A publisher this late (p99) against its schedule was held up on the load generator's side (its loop, other work). */
  private static final long LATE_SEND_MICROS = 5_000;

  private PublishReport() {
  }

  static ResultTable table(GatewayProfile profile, PublishWorkload.Result r) {
    GatewayProfile.Publish sizes = profile.publish();
    Setup cluster = r.cluster();
    Setup single = r.single();
    Setup noBatch = r.noGroupCommit();
    String nodes = cluster.name();
    ResultTable t = new ResultTable(List.of(nodes, "1 node"), nodes + "/1 node");
    t.section(String.format("Pipelined publish throughput: 1 WebSocket publisher, %d publishes in flight, %d B data,"
        + " a key each", sizes.inFlight(), Payload.SIZE));
    throughputRows(t, "1 channel, publisher on its owner", cluster, Case.OWNER, single);
    throughputRows(t, "1 channel, publisher on another node", cluster, Case.OTHER, single);
    String spread = String.format("%,d channels", sizes.channels());
    throughputRows(t, spread + " round-robin", cluster, Case.SPREAD, single);

    t.section("Where the server CPU goes: us per publish by kind of thread, all nodes summed (kernel share)");
    threadRows(t, "1 channel, publisher on its owner", cluster, Case.OWNER, single);
    threadRows(t, spread, cluster, Case.SPREAD, single);

    t.section("Group commit off: the 1-channel cases on " + nodes + " with cluster.publishBatch=1");
    throughputRows(t, "1 channel, publisher on its owner, publishBatch=1", noBatch, Case.OWNER, single);
    throughputRows(t, "1 channel, publisher on another node, publishBatch=1", noBatch, Case.OTHER, single);
    for (Case c : List.of(Case.OWNER, Case.OTHER)) {
      t.add("group commit's gain, publisher on " + (c == Case.OWNER ? "the owner" : "another node")
          + " (acks/s default / publishBatch=1)", gain(cluster, noBatch, c), Cell.missing("n/a"));
    }

    Setup noBackups = r.noBackups();
    t.section("Replication's share: " + noBackups.name() + " (acks that wait for no copy; for comparison only)");
    throughputRows(t, "1 channel, publisher on another node, backups=0", noBackups, Case.OTHER, single);
    throughputRows(t, spread + " round-robin, backups=0", noBackups, Case.SPREAD, single);
    t.add("1 channel, publisher on another node: backups=1 against backups=0 (acks/s)",
        gain(cluster, noBackups, Case.OTHER), Cell.missing("n/a"));
    t.add(spread + ": backups=1 against backups=0 (acks/s)", gain(cluster, noBackups, Case.SPREAD), Cell.missing("n/a"));

    Setup fewPartitions = r.fewPartitions();
    t.section("Fewer partitions: " + fewPartitions.name() + " (one per node; the default is 271)");
    String partitions = "partitions=" + profile.clusterNodes();
    throughputRows(t, "1 channel, publisher on another node, " + partitions, fewPartitions, Case.OTHER, single);
    throughputRows(t, spread + " round-robin, " + partitions, fewPartitions, Case.SPREAD, single);
    t.add(spread + ": fewer partitions against the default (acks/s)", gain(fewPartitions, cluster, Case.SPREAD),
        Cell.missing("n/a"));

    t.section("Publish-to-ack latency, open loop, 1 channel, publisher on a node that does not own it"
        + " (1 node: on the node)");
    for (int i = 0; i < sizes.ackPubsPerSecond().size(); i++) {
      int rate = i;
      String at = String.format("@ %,.0f publishes/s", sizes.ackPubsPerSecond().get(i));
      t.add(at + ": publish-to-ack p50 (ms)", latencyCell(cluster, rate, l -> l.p50() / 1e3, "%.2f"),
          latencyCell(single, rate, l -> l.p50() / 1e3, "%.2f"));
      t.add(at + ": publish-to-ack p99 (ms, lower is better)", latencyCell(cluster, rate, l -> l.p99() / 1e3, "%.2f"),
          latencyCell(single, rate, l -> l.p99() / 1e3, "%.2f"));
      t.add(String.format("  acked in time (all within %.0f s of the last send)", PublishWorkload.ACK_DRAIN_SECONDS),
          inTimeCell(cluster, rate), inTimeCell(single, rate));
      t.add("  server CPU, all nodes (% of one core)",
          latencyCell(cluster, rate, l -> 100 * l.cpu().serverShare(), "%.0f"),
          latencyCell(single, rate, l -> 100 * l.cpu().serverShare(), "%.0f"));
    }
    t.add("publisher's node / channel owner", Cell.missing(latencyWhere(cluster)), Cell.missing(latencyWhere(single)));

    t.section("Integrity: every ack's (epoch, seq) checked, warm-ups and run-ins included");
    t.add("acks checked / runs with a violation", integrityCell(cluster), integrityCell(single));
    t.add("  publishBatch=1 cluster", integrityCell(noBatch), Cell.missing("-"));
    t.add("  backups=0 cluster", integrityCell(noBackups), Cell.missing("-"));
    t.add("  fewer partitions cluster", integrityCell(fewPartitions), Cell.missing("-"));
    return t;
  }

  /** Acks/s, server CPU per publish and the load generator's CPU of one case, with where the publisher was. */
  private static void throughputRows(ResultTable t, String label, Setup cluster, Case c, Setup single) {
    Case alone = c == Case.SPREAD ? Case.SPREAD : Case.OWNER;
    t.add(label + ": acks/s (higher is better)", cell(cluster, c, Throughput::acksPerSecond, "%,.0f"),
        cell(single, alone, Throughput::acksPerSecond, "%,.0f"));
    t.add("  server CPU per publish, all nodes (us, lower is better)",
        cell(cluster, c, Throughput::serverMicrosPerPublish, "%.1f"),
        cell(single, alone, Throughput::serverMicrosPerPublish, "%.1f"));
    t.add("  server / load generator CPU (% of one core)", cpuCell(cluster, c), cpuCell(single, alone));
    t.add("  publishes per cluster operation (group commit)",
        cell(cluster, c, Throughput::publishesPerOperation, "%.1f"), Cell.missing("-"));
    if (c != Case.SPREAD) {
      t.add("  publisher's node / channel owner", whereCell(cluster, c), whereCell(single, alone));
    }
  }

  /** One row per kind of thread: what it cost per publish in one case, and how much of that was the kernel's. */
  private static void threadRows(ResultTable t, String label, Setup cluster, Case c, Setup single) {
    Case alone = c == Case.SPREAD ? Case.SPREAD : Case.OWNER;
    for (ThreadCpu.Role role : ThreadCpu.Role.values()) {
      t.add(label + ": " + role.label, threadCell(cluster, c, role), threadCell(single, alone, role));
    }
  }

  private static Cell threadCell(Setup setup, Case c, ThreadCpu.Role role) {
    Throughput t = setup.throughput().get(c);
    Cell missing = missing(setup, t);
    if (missing != null) {
      return missing;
    }
    double micros = t.serverMicrosPerPublish(role);
    if (Double.isNaN(micros)) {
      return Cell.missing("n/a");
    }
    return new Cell(micros, String.format("%.1f (%.0f%%)", micros, 100 * t.threads().of(role).kernelShare()));
  }

  private static Cell cell(Setup setup, Case c, ToDoubleFunction<Throughput> f, String format) {
    Throughput t = setup.throughput().get(c);
    Cell missing = missing(setup, t);
    return missing != null ? missing : Cell.of(f.applyAsDouble(t), format);
  }

  /** Why a case has no figure, or null when it has one. */
  private static Cell missing(Setup setup, Throughput t) {
    if (setup.unavailable() != null) {
      return Cell.missing("n/a (see notes)");
    }
    if (t == null) {
      return Cell.missing("not run");
    }
    if (t.failure() != null) {
      return Cell.missing("failed");
    }
    if (!t.valid()) {
      return Cell.missing("void (see notes)");
    }
    return null;
  }

  private static Cell cpuCell(Setup setup, Case c) {
    Throughput t = setup.throughput().get(c);
    Cell missing = missing(setup, t);
    return missing != null ? missing : Cell.missing(String.format("%.0f / %.0f", 100 * t.cpu().serverShare(),
        100 * t.cpu().clientShare()));
  }

  private static Cell whereCell(Setup setup, Case c) {
    Throughput t = setup.throughput().get(c);
    return t == null || t.failure() != null ? Cell.missing("-") : Cell.missing(t.publisherNode() + " / " + t.owner());
  }

  /** Acks/s of {@code cluster} over those of {@code other} in one case. */
  private static Cell gain(Setup cluster, Setup other, Case c) {
    Cell with = cell(cluster, c, Throughput::acksPerSecond, "%.0f");
    Cell without = cell(other, c, Throughput::acksPerSecond, "%.0f");
    if (!with.isNumber() || !without.isNumber()) {
      return Cell.missing(other.unavailable() != null ? "n/a (see notes)" : "-");
    }
    return Cell.of(with.value() / without.value(), "%.2f");
  }

  private static Cell latencyCell(Setup setup, int rate, ToDoubleFunction<Latency> f, String format) {
    LatencyRun run = setup.latency();
    if (run == null) {
      return Cell.missing("not run");
    }
    if (run.failure() != null) {
      return Cell.missing("failed");
    }
    if (!run.valid()) {
      return Cell.missing("void (see notes)");
    }
    return rate < run.rates().size() ? Cell.of(f.applyAsDouble(run.rates().get(rate)), format)
        : Cell.missing("not run");
  }

  private static Cell inTimeCell(Setup setup, int rate) {
    LatencyRun run = setup.latency();
    if (run == null || run.failure() != null || rate >= run.rates().size()) {
      return Cell.missing("-");
    }
    return Cell.missing(run.rates().get(rate).ackedInTime() ? "yes" : "no (backlog)");
  }

  private static String latencyWhere(Setup setup) {
    LatencyRun run = setup.latency();
    return run == null || run.failure() != null ? "-" : run.publisherNode() + " / " + run.owner();
  }

  private static Cell integrityCell(Setup setup) {
    if (setup.unavailable() != null) {
      return Cell.missing("n/a");
    }
    long checked = setup.runs().stream().mapToLong(Throughput::checked).sum()
        + (setup.latency() == null ? 0 : setup.latency().checked());
    long voided = setup.runs().stream().filter(t -> t.failure() == null && !t.valid()).count()
        + (setup.latency() != null && setup.latency().failure() == null && !setup.latency().valid() ? 1 : 0);
    return Cell.missing(String.format("%,d / %d", checked, voided));
  }

  /** The footer's notes: how the figures were made, what is missing and why, what voided a figure. */
  static List<String> notes(GatewayProfile profile, PublishWorkload.Result r) {
    GatewayProfile.Publish sizes = profile.publish();
    List<String> notes = new ArrayList<>();
    notes.add("All " + profile.clusterNodes() + " nodes of a cluster share the server CPU, as the single node has it"
        + " alone: the ratio is what spreading one core's work over " + profile.clusterNodes() + " JVMs and the"
        + " cluster's coordination cost, not what more machines would add. Clusters run with cluster.backups=1, so"
        + " the owner copies each publish to a backup before acknowledging it; the backups=0 cluster only shows what"
        + " that copy costs.");
    notes.add(String.format("Throughput: a warm-up of %.0f s (1 node) or %.0f s (cluster) publishing round-robin to"
            + " %d fresh channels, then per case a %.0f s run-in and a %.0f s window on a fresh publisher connection."
            + " Acks/s counts the acks of the window; server CPU per publish is the nodes' CPU time over the window,"
            + " summed, divided by those acks. The publisher always sits on the first node; for the 1-channel cases"
            + " the channel is picked by its owner (GET /api/v1/channels). One node owns every channel, so its"
            + " 1-channel figure stands against each 1-channel row.", sizes.singleWarmupSeconds(),
        sizes.clusterWarmupSeconds(), PublishWorkload.WARM_UP_CHANNELS, sizes.runInSeconds(), sizes.seconds()));
    notes.add(String.format("Publish-to-ack: open loop (each publish due at start + i / rate, latency from its due"
            + " time), a %.0f s run-in and a %.0f s window per rate, after the throughput cases on the same nodes.",
        sizes.ackRunInSeconds(), sizes.ackSeconds()));
    notes.add("Integrity: every publish has a key of its own, so an ack marked duplicate, two acks with the same"
        + " (epoch, seq) or a seq missing within an epoch is a violation; it voids that run's figures.");
    Setup noBatch = r.noGroupCommit();
    if (noBatch.unavailable() != null) {
      notes.add(noBatch.name() + ": not available: " + noBatch.unavailable() + " The rows fill in once the nodes"
          + " know cluster.publishBatch.");
    }
    Setup fewPartitions = r.fewPartitions();
    if (fewPartitions.unavailable() != null) {
      notes.add(fewPartitions.name() + ": not available: " + fewPartitions.unavailable() + " The rows fill in once"
          + " the nodes know cluster.partitions.");
    }
    runNotes(notes, r);
    contention(notes, r);
    return notes;
  }

  /** Runs that failed or were voided (warm-ups included), client-bound windows, a publisher behind schedule. */
  private static void runNotes(List<String> notes, PublishWorkload.Result r) {
    for (Throughput t : r.setups().flatMap(s -> s.runs().stream()).toList()) {
      if (t.failure() != null) {
        notes.add(t.label() + ": failed: " + t.failure());
      } else if (!t.valid()) {
        notes.add(t.label() + ": VOID: " + String.join("; ", t.problems()));
      }
    }
    for (Throughput t : measured(r)) {
      if (t.valid() && t.cpu().clientShare() > CLIENT_BOUND_SHARE) {
        notes.add(String.format("%s: the load generator used %.0f%% of its core: the rate may be client-bound.",
            t.label(), 100 * t.cpu().clientShare()));
      }
    }
    Stream.of(r.single().latency(), r.cluster().latency()).filter(Objects::nonNull).forEach(l -> {
      if (l.failure() != null) {
        notes.add(l.label() + ": failed: " + l.failure());
      } else if (!l.valid()) {
        notes.add(l.label() + ": VOID: " + String.join("; ", l.problems()));
      }
      l.rates().stream().filter(x -> x.sendLagP99() > LATE_SEND_MICROS).forEach(x -> notes.add(String.format(
          "%s @%,.0f/s: the publisher sent up to %.0f ms behind its schedule (p99); that counts as latency.",
          l.label(), x.pubsPerSecond(), x.sendLagP99() / 1e3)));
    });
  }

  /** The throughput cases behind the table's figures (not the warm-ups). */
  private static List<Throughput> measured(PublishWorkload.Result r) {
    return r.setups().flatMap(s -> s.throughput().values().stream()).toList();
  }

  /** How much of the pinned CPUs other work took during the windows behind the table's figures. */
  private static void contention(List<String> notes, PublishWorkload.Result r) {
    List<CpuWindow.Measured> windows = new ArrayList<>();
    measured(r).stream().filter(t -> t.failure() == null).forEach(t -> windows.add(t.cpu()));
    Stream.of(r.cluster().latency(), r.single().latency()).filter(Objects::nonNull)
        .forEach(l -> l.rates().forEach(x -> windows.add(x.cpu())));
    if (!windows.isEmpty()) {
      notes.add(String.format("Other work took up to %.0f%% of the server CPU and %.0f%% of the load generator's CPU"
              + " during the measured windows.",
          100 * windows.stream().mapToDouble(CpuWindow.Measured::serverCpuOthersShare).max().orElse(0),
          100 * windows.stream().mapToDouble(CpuWindow.Measured::clientCpuOthersShare).max().orElse(0)));
    }
  }
}
