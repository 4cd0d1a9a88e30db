package dev.syncwire.bench;

import dev.syncwire.testing.JvmProcess;
import dev.syncwire.testing.SocketEvents;
import org.HdrHistogram.Histogram;

import java.util.List;

/**
 * Workload c: many clients arriving together, as after a server restart. Each client connects and
 * (for Syncwire) sends connect and subscribe; the figures are the rate at which clients become ready
 * and each client's time from its connect attempt to being subscribed. At most
 * {@link Profile#stormWindow()} attempts are in flight, below the kernel's accept queue (somaxconn 4096),
 * so the figure is the server's and not the kernel's SYN retransmission timer.
 */
final class ConnectionStormWorkload {
  private final Loop loop;
  private final List<String> sources;
  private final Profile profile;
  private final JvmProcess self;

  ConnectionStormWorkload(Loop loop, List<String> sources, Profile profile, JvmProcess self) {
    this.loop = loop;
    this.sources = sources;
    this.profile = profile;
    this.self = self;
  }

  /** Join times in microseconds. */
  record Result(int clients, int failures, String firstFailure, double seconds, long p50, long p95, long p99,
                long max, CpuWindow.Measured cpu) {

    double readyPerSecond() {
      return (clients - failures) / seconds;
    }

    /** Server CPU per client made ready: the storm's cost, less sensitive to other work on the box. */
    double serverCpuMicrosPerClient() {
      int ready = clients - failures;
      return ready == 0 ? Double.NaN : cpu.serverCpuSeconds() * 1e6 / ready;
    }
  }

  Result run(Target target) {
    Connector connector = new Connector(loop.vertx(), sources);
    SocketEvents events = new SocketEvents();
    Histogram joinTimes = new Histogram(3);
    try {
      CpuWindow window = CpuWindow.start(target.processes(), self);
      Connector.Opened storm = loop.await(() -> connector.open(target, 0, profile.stormClients(),
          profile.stormWindow(), i -> "storm", events, joinTimes));
      CpuWindow.Measured cpu = window.stop();
      Result result = loop.read(() -> new Result(profile.stormClients(), storm.failures(), storm.firstFailure(),
          storm.seconds(), joinTimes.getValueAtPercentile(50), joinTimes.getValueAtPercentile(95),
          joinTimes.getValueAtPercentile(99), joinTimes.getMaxValue(), cpu));
      Log.line("%s storm: %,d clients ready in %.2f s (%.0f/s), connect-to-subscribed p50 %.1f ms, p95 %.1f ms,"
              + " p99 %.1f ms, max %.1f ms, server CPU %.0f%% (%.0f us per client), client CPU %.0f%%,"
              + " others on their CPUs %.0f%%/%.0f%%, %d failed%s", target.name(), result.clients() - result.failures(),
          result.seconds(), result.readyPerSecond(), result.p50() / 1e3, result.p95() / 1e3, result.p99() / 1e3,
          result.max() / 1e3, 100 * cpu.serverShare(), result.serverCpuMicrosPerClient(), 100 * cpu.clientShare(),
          100 * cpu.serverCpuOthersShare(), 100 * cpu.clientCpuOthersShare(), result.failures(),
          result.failures() > 0 ? ": " + result.firstFailure() : "");
      return result;
    } finally {
      loop.await(connector::closeAll);
    }
  }
}
