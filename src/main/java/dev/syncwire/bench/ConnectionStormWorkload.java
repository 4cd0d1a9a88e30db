package dev.syncwire.bench;

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

  ConnectionStormWorkload(Loop loop, List<String> sources, Profile profile) {
    this.loop = loop;
    this.sources = sources;
    this.profile = profile;
  }

  /** Join times in microseconds. */
  record Result(int clients, int failures, String firstFailure, double seconds, long p50, long p95, long p99,
                long max) {

    double readyPerSecond() {
      return (clients - failures) / seconds;
    }
  }

  Result run(Target target) {
    Connector connector = new Connector(loop.vertx(), sources);
    SocketEvents events = new SocketEvents();
    Histogram joinTimes = new Histogram(3);
    try {
      Connector.Opened storm = loop.await(() -> connector.open(target, 0, profile.stormClients(),
          profile.stormWindow(), i -> "storm", events, joinTimes));
      Result result = loop.read(() -> new Result(profile.stormClients(), storm.failures(), storm.firstFailure(),
          storm.seconds(), joinTimes.getValueAtPercentile(50), joinTimes.getValueAtPercentile(95),
          joinTimes.getValueAtPercentile(99), joinTimes.getMaxValue()));
      Log.line("%s storm: %,d clients ready in %.2f s (%.0f/s), connect-to-subscribed p50 %.1f ms, p95 %.1f ms,"
              + " p99 %.1f ms, max %.1f ms, %d failed%s", target.name(), result.clients() - result.failures(),
          result.seconds(), result.readyPerSecond(), result.p50() / 1e3, result.p95() / 1e3, result.p99() / 1e3,
          result.max() / 1e3, result.failures(), result.failures() > 0 ? ": " + result.firstFailure() : "");
      return result;
    } finally {
      loop.await(connector::closeAll);
    }
  }
}
