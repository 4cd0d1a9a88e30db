package dev.syncwire.bench;

import dev.syncwire.testing.JvmProcess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU time over one measured window: the server's (or the servers', added up) and the load generator's
 * own (utime + stime), and what everything else took of the CPUs they are pinned to (other people's
 * builds and tests, the hypervisor's steal). The last part says how far a window's figures were
 * disturbed. Kernel time for loopback delivery runs in the writer's context, so the server's own time
 * includes it.
 */
final class CpuWindow {
  private final List<JvmProcess> servers;
  private final JvmProcess client;
  private final List<Integer> serverCpus;
  private final List<Integer> clientCpus;
  private final long startNanos;
  private final double[] serverOwn0;
  private final double clientOwn0;
  private final double serverCpusBusy0;
  private final double clientCpusBusy0;

  private CpuWindow(List<JvmProcess> servers, JvmProcess client, int clockTicksPerSecond) {
    this.servers = List.copyOf(servers);
    this.client = client;
    this.serverCpus = new ArrayList<>();
    for (JvmProcess server : servers) {
      for (int cpu : parseCpuList(server.allowedCpus())) {
        if (!serverCpus.contains(cpu)) {
          serverCpus.add(cpu);
        }
      }
    }
    this.clientCpus = parseCpuList(client.allowedCpus());
    this.startNanos = System.nanoTime();
    this.serverOwn0 = ownSeconds(this.servers);
    this.clientOwn0 = client.cpuSeconds();
    this.serverCpusBusy0 = busySeconds(serverCpus, clockTicksPerSecond);
    this.clientCpusBusy0 = busySeconds(clientCpus, clockTicksPerSecond);
  }

  static CpuWindow start(JvmProcess server, JvmProcess client) {
    return start(List.of(server), client);
  }

  /** A window over several server processes (the nodes of a cluster, a proxy): their CPU times add up. */
  static CpuWindow start(List<JvmProcess> servers, JvmProcess client) {
    return new CpuWindow(servers, client, servers.get(0).clockTicksPerSecond());
  }

  private static double[] ownSeconds(List<JvmProcess> processes) {
    double[] seconds = new double[processes.size()];
    for (int i = 0; i < seconds.length; i++) {
      seconds[i] = processes.get(i).cpuSeconds();
    }
    return seconds;
  }

  /**
   * Times in seconds. "Others" is the time the pinned CPUs were busy (or stolen) with anything else,
   * as a share of those CPUs' capacity over the window.
   */
  record Measured(double seconds, double serverCpuSeconds, double clientCpuSeconds, double serverCpuOthersShare,
                  double clientCpuOthersShare, List<Double> serverCpuSecondsEach) {

    double serverShare() {
      return serverCpuSeconds / seconds;
    }

    double clientShare() {
      return clientCpuSeconds / seconds;
    }
  }

  Measured stop() {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    int ticks = client.clockTicksPerSecond();
    double[] now = ownSeconds(servers);
    List<Double> each = new ArrayList<>();
    double serverOwn = 0;
    for (int i = 0; i < now.length; i++) {
      each.add(now[i] - serverOwn0[i]);
      serverOwn += now[i] - serverOwn0[i];
    }
    double clientOwn = client.cpuSeconds() - clientOwn0;
    double serverCpusBusy = busySeconds(serverCpus, ticks) - serverCpusBusy0;
    double clientCpusBusy = busySeconds(clientCpus, ticks) - clientCpusBusy0;
    return new Measured(seconds, serverOwn, clientOwn, othersShare(serverCpusBusy - serverOwn, serverCpus, seconds),
        othersShare(clientCpusBusy - clientOwn, clientCpus, seconds), List.copyOf(each));
  }

  // Tick sampling makes small negative differences possible.
  private static double othersShare(double othersSeconds, List<Integer> cpus, double seconds) {
    return Math.max(0, othersSeconds) / seconds / cpus.size();
  }

  /** Busy plus stolen time of the given CPUs so far, from the "cpuN" lines of /proc/stat. */
  private static double busySeconds(List<Integer> cpus, int clockTicksPerSecond) {
    String stat;
    try {
      stat = Files.readString(Path.of("/proc/stat"));
    } catch (IOException e) {
      return Double.NaN;
    }
    long ticks = 0;
    for (String line : stat.split("\n")) {
      if (!line.startsWith("cpu") || line.startsWith("cpu ")) {
        continue;
      }
      String[] f = line.trim().split("\\s+");
      if (!cpus.contains(Integer.parseInt(f[0].substring(3)))) {
        continue;
      }
      // user nice system idle iowait irq softirq steal ...: everything but idle and iowait.
      for (int i = 1; i <= 8 && i < f.length; i++) {
        if (i != 4 && i != 5) {
          ticks += Long.parseLong(f[i]);
        }
      }
    }
    return ticks / (double) clockTicksPerSecond;
  }

  /** "0", "0-1", "0,2-3" to the CPU numbers. */
  static List<Integer> parseCpuList(String list) {
    List<Integer> cpus = new ArrayList<>();
    for (String part : list.split(",")) {
      String[] range = part.trim().split("-");
      int from = Integer.parseInt(range[0]);
      int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
      for (int cpu = from; cpu <= to; cpu++) {
        cpus.add(cpu);
      }
    }
    return cpus;
  }
}
