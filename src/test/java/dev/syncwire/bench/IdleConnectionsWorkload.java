package dev.syncwire.bench;

import dev.syncwire.testing.JvmProcess;
import dev.syncwire.testing.SocketEvents;

import java.util.ArrayList;
import java.util.List;

/**
 * Workload b: the memory a server spends per idle connection. Connections are added up to each
 * checkpoint (each client connected and subscribed to its own channel), and at each checkpoint the
 * server's heap after a full GC and its RSS are read. Bytes per connection is the least-squares slope
 * over the checkpoints, so fixed costs (code, caches, buffers) do not count.
 */
final class IdleConnectionsWorkload {
  /** Lets accepted connections settle (handshake objects become garbage) before measuring. */
  private static final long SETTLE_MILLIS = 1000;

  private final Loop loop;
  private final List<String> sources;
  private final Profile profile;

  IdleConnectionsWorkload(Loop loop, List<String> sources, Profile profile) {
    this.loop = loop;
    this.sources = sources;
    this.profile = profile;
  }

  record Result(List<Integer> connections, List<Long> heapBytes, List<Long> rssBytes, double heapBytesPerConnection,
                double rssBytesPerConnection, String heapSpaces, int failures, String problems) {
  }

  Result run(Target target) {
    Connector connector = new Connector(loop.vertx(), sources);
    SocketEvents events = new SocketEvents();
    List<Integer> points = profile.idleConnections();
    List<Long> heap = new ArrayList<>();
    List<Long> rss = new ArrayList<>();
    String spaces = "";
    int failures = 0;
    int open = 0;
    try {
      for (int point : points) {
        int from = open;
        Connector.Opened batch = loop.await(() -> connector.open(target, from, point - from,
            profile.connectWindow(), i -> "idle-" + i, events, null));
        failures += batch.failures();
        open = point;
        Loop.pause(SETTLE_MILLIS);
        JvmProcess.HeapReading reading = target.heapAfterGc().get();
        heap.add(reading.usedBytes());
        rss.add(target.process().rssBytes());
        spaces = reading.spaces();
        Log.line("%s idle: %,d connections, heap after GC %.1f MiB, RSS %.1f MiB%s", target.name(), point,
            reading.usedBytes() / 1048576.0, rss.get(rss.size() - 1) / 1048576.0,
            batch.failures() > 0 ? ", " + batch.failures() + " failed: " + batch.firstFailure() : "");
      }
      String problems = loop.read(() -> events.problems() > 0 ? events.toString() : "");
      return new Result(points, heap, rss, slope(points, heap), slope(points, rss), spaces, failures, problems);
    } finally {
      loop.await(connector::closeAll);
    }
  }

  /** Least-squares slope of y over x. */
  static double slope(List<Integer> x, List<Long> y) {
    int n = x.size();
    double meanX = x.stream().mapToDouble(Integer::doubleValue).average().orElse(0);
    double meanY = y.stream().mapToDouble(Long::doubleValue).average().orElse(0);
    double num = 0;
    double den = 0;
    for (int i = 0; i < n; i++) {
      num += (x.get(i) - meanX) * (y.get(i) - meanY);
      den += (x.get(i) - meanX) * (x.get(i) - meanX);
    }
    return den == 0 ? Double.NaN : num / den;
  }
}
