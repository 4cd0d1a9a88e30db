package dev.syncwire.bench;

import dev.syncwire.testing.JvmProcess;
import dev.syncwire.testing.NodeGroup;
import dev.syncwire.testing.NodeProcess;
import dev.syncwire.testing.SyncwireProtocol;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The reconnect storm a restarted node meets: the connection storm of workload c (5,000 clients connecting and
 * subscribing, at most 1,000 attempts in flight) against a node that has just reported ready, started three
 * ways, and then against a warm node:
 * <ol>
 *   <li>bare: no start-up warm-up, no class-data-sharing archive;</li>
 *   <li>as shipped: the build's class-data-sharing archive and the default warm-up;</li>
 *   <li>warm: a second storm on the node of case 2, after the first one's clients have left.</li>
 * </ol>
 * For each: the time from the process's start to {@code /ready} 200, the storm's connect-to-subscribed p50, p95
 * and p99, and server CPU per client.
 */
final class ColdStartWorkload {
  /** A case's figures; {@code readyMillis} is -1 for the warm case (its node was already up). */
  record Case(String label, long readyMillis, ConnectionStormWorkload.Result storm) {
  }

  private final Loop loop;
  private final List<String> sources;
  private final Profile profile;
  private final JvmProcess self;
  private final NodeProcess.Options settings;

  ColdStartWorkload(Loop loop, List<String> sources, Profile profile, JvmProcess self, NodeProcess.Options settings) {
    this.loop = loop;
    this.sources = sources;
    this.profile = profile;
    this.self = self;
    this.settings = settings;
  }

  List<Case> run(String tenant) {
    List<Case> cases = new ArrayList<>();
    NodeProcess.Options bare = settings;
    try (NodeGroup group = start(bare, "cold-bare", Map.of("warmup.sessions", "0"))) {
      cases.add(storm("bare: no warm-up, no CDS archive", group, tenant, true));
    }
    Path archive = cdsArchive(settings.jar());
    NodeProcess.Options shipped = archive == null ? settings
        : settings.withJvmOptions(List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off",
            "-Xlog:cds+dynamic=off"));
    try (NodeGroup group = start(shipped, "cold-shipped", Map.of())) {
      cases.add(storm(archive == null ? "as shipped, without its CDS archive (none beside the jar)"
          : "as shipped: CDS archive and warm-up", group, tenant, true));
      cases.add(storm("warm: a second storm on that node", group, tenant, false));
    }
    return cases;
  }

  private NodeGroup start(NodeProcess.Options options, String name, Map<String, String> extra) {
    Log.line("starting node %s", name);
    long start = System.nanoTime();
    NodeGroup group = NodeGroup.alone(options, name, extra);
    startedNanos = start;
    readyNanos = System.nanoTime();
    return group;
  }

  private long startedNanos;
  private long readyNanos;

  private Case storm(String label, NodeGroup group, String tenant, boolean fresh) {
    NodeProcess node = group.nodes().get(0);
    Target target = Target.of("Syncwire (" + label + ")", List.of(node), new SyncwireProtocol(tenant));
    ConnectionStormWorkload.Result result = new ConnectionStormWorkload(loop, sources, profile, self).run(target);
    long readyMillis = fresh ? (readyNanos - startedNanos) / 1_000_000 : -1;
    return new Case(label, readyMillis, result);
  }

  /** The build's class-data-sharing archive beside the jar ({@code syncwire.jsa}), if it is there and newer. */
  static Path cdsArchive(Path jar) {
    Path archive = jar.resolveSibling(jar.getFileName().toString().replaceFirst("\\.jar$", ".jsa"));
    try {
      return Files.isRegularFile(archive)
          && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) >= 0 ? archive : null;
    } catch (java.io.IOException e) {
      return null;
    }
  }

  /** The table of the cases, one column each. */
  static String table(List<Case> cases) {
    StringBuilder sb = new StringBuilder("| 5,000-client connect-and-subscribe storm |");
    cases.forEach(c -> sb.append(' ').append(c.label()).append(" |"));
    sb.append("\n|---|");
    cases.forEach(c -> sb.append("---:|"));
    sb.append('\n');
    row(sb, "process start to /ready 200 (ms)", cases, c -> c.readyMillis() < 0 ? "-" : String.format(Locale.ROOT,
        "%,d", c.readyMillis()));
    row(sb, "clients ready / failed", cases, c -> String.format(Locale.ROOT, "%,d / %,d",
        c.storm().clients() - c.storm().failures(), c.storm().failures()));
    row(sb, "storm duration (s)", cases, c -> String.format(Locale.ROOT, "%.2f", c.storm().seconds()));
    row(sb, "connect-to-subscribed p50 (ms)", cases, c -> ms(c.storm().p50()));
    row(sb, "connect-to-subscribed p95 (ms)", cases, c -> ms(c.storm().p95()));
    row(sb, "connect-to-subscribed p99 (ms)", cases, c -> ms(c.storm().p99()));
    row(sb, "server CPU per client (µs)", cases, c -> String.format(Locale.ROOT, "%,.0f",
        c.storm().serverCpuMicrosPerClient()));
    row(sb, "load generator CPU share", cases, c -> String.format(Locale.ROOT, "%.0f%%",
        100 * c.storm().cpu().clientShare()));
    return sb.toString();
  }

  private static String ms(long micros) {
    return String.format(Locale.ROOT, "%,.1f", micros / 1e3);
  }

  private static void row(StringBuilder sb, String name, List<Case> cases, java.util.function.Function<Case, String> f) {
    sb.append("| ").append(name).append(" |");
    cases.forEach(c -> sb.append(' ').append(f.apply(c)).append(" |"));
    sb.append('\n');
  }
}
