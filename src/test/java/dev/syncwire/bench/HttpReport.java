package dev.syncwire.bench;

import dev.syncwire.bench.ResultTable.Cell;

import java.util.List;
import java.util.function.Function;

/** The HTTP transports' table for one setup: a column per transport and subscriber count, rows per offered load. */
final class HttpReport {
  private HttpReport() {
  }

  static ResultTable table(GatewayProfile profile, HttpTransportWorkload.Setup setup) {
    List<HttpTransportWorkload.Config> configs = setup.configs();
    ResultTable t = new ResultTable(configs.stream().map(HttpTransportWorkload.Config::label).toList(), null);
    t.section("Fan-out over each transport on " + setup.name() + ": 1 WebSocket publisher, 1 channel, "
        + Payload.SIZE + " B payload");
    for (int i = 0; i < profile.httpDeliveriesPerSecond().size(); i++) {
      int load = i;
      String at = String.format("@ %,.0f deliveries/s offered", profile.httpDeliveriesPerSecond().get(i));
      t.add(at + ": delivered/s", cells(configs, load, p -> Cell.of(p.deliveriesPerSecond(), "%,.0f")));
      t.add("  verdict", cells(configs, load, p -> Cell.missing(p.verdict())));
      t.add("  p50 latency (ms)", cells(configs, load, p -> Cell.of(p.p50() / 1e3, "%.2f")));
      t.add("  p99 latency (ms, lower is better)", cells(configs, load, p -> Cell.of(p.p99() / 1e3, "%.2f")));
      t.add("  deliveries per server CPU-second", cells(configs, load,
          p -> Cell.of(p.deliveriesPerServerCpuSecond(), "%,.0f")));
      t.add(setup.proxied() ? "  server CPU, % of one core (of which HAProxy)" : "  server CPU (% of its core)",
          cells(configs, load, p -> Cell.missing(serverCpu(p, setup.proxied()))));
      t.add("  downstream HTTP requests per delivered message", cells(configs, load,
          p -> p.httpRequests() == 0 ? Cell.missing("-") : Cell.of(p.requestsPerDelivery(), "%.3f")));
      t.add("  load generator CPU (% of its core)", cells(configs, load, p -> Cell.of(100 * p.clientCpuShare(), "%.0f")));
    }
    t.add("lost / duplicated / out-of-order deliveries", configs.stream().map(c -> c.ladder().failure() != null
        ? Cell.missing("failed") : Cell.missing(c.ladder().lost() + " / " + c.ladder().duplicates() + " / "
        + c.ladder().orderBreaks())).toArray(Cell[]::new));
    return t;
  }

  private static String serverCpu(PhaseResult p, boolean proxied) {
    if (!proxied) {
      return String.format("%.0f", 100 * p.serverCpuShare());
    }
    List<Double> each = p.cpu().serverCpuSecondsEach();
    double proxy = each.get(each.size() - 1) / p.cpu().seconds();
    return String.format("%.0f (%.0f)", 100 * p.serverCpuShare(), 100 * proxy);
  }

  /**
   * The cell of each configuration at ladder position {@code load}: "not run" past the first load that did
   * not hold, "void" when the window lost a message.
   */
  private static Cell[] cells(List<HttpTransportWorkload.Config> configs, int load, Function<PhaseResult, Cell> f) {
    return configs.stream().map(c -> {
      if (c.ladder().failure() != null) {
        return Cell.missing("failed");
      }
      if (load >= c.ladder().loads().size()) {
        return Cell.missing("not run");
      }
      PhaseResult p = c.ladder().loads().get(load);
      return p.clean() ? f.apply(p) : Cell.missing("void (" + p.lost() + " lost)");
    }).toArray(Cell[]::new);
  }
}
