package dev.syncwire.bench;

import dev.syncwire.testing.JvmProcess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The machine a run happened on, for the table's footer: figures mean little without it. */
final class BoxFacts {
  private BoxFacts() {
  }

  static String cpuModel() {
    for (String line : read("/proc/cpuinfo").split("\n")) {
      if (line.startsWith("model name")) {
        return line.substring(line.indexOf(':') + 1).trim();
      }
    }
    return "?";
  }

  static long cpuCount() {
    return read("/proc/cpuinfo").lines().filter(l -> l.startsWith("processor")).count();
  }

  static String kernel() {
    return read("/proc/sys/kernel/osrelease").trim();
  }

  /** The 1-minute load average: other work on the box shows here. */
  static String loadAverage() {
    String[] parts = read("/proc/loadavg").trim().split(" ");
    return parts.length > 0 ? parts[0] : "?";
  }

  static List<String> footer(Profile profile, List<Target> targets, JvmProcess self, String heapSpaces,
                             String loadBefore, boolean latencies, List<String> notes) {
    List<String> lines = new ArrayList<>();
    lines.add("Box: " + cpuModel() + " x " + cpuCount() + ", kernel " + kernel() + ", "
        + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + ", loopback only.");
    StringBuilder pinning = new StringBuilder("Pinning: ");
    for (Target target : targets) {
      pinning.append(target.name()).append(" (pid ").append(target.process().pid()).append(") on CPU ")
          .append(target.process().allowedCpus()).append(", ");
    }
    lines.add(pinning + "load generator on CPU " + self.allowedCpus() + ". Heap read as: " + heapSpaces + ".");
    lines.add("Run: profile " + profile.name() + ", one round, load average " + loadBefore + " before and "
        + loadAverage() + " after (other work on the box makes absolute figures noisy; ratios hold better).");
    if (latencies) {
      lines.add("Latency is end to end from each message's scheduled send time (open loop), including up to"
          + " ~1 ms of publisher timer lateness; 'void' means a message was lost in that measurement.");
    }
    lines.addAll(notes);
    return lines;
  }

  private static String read(String file) {
    try {
      return Files.readString(Path.of(file));
    } catch (IOException e) {
      return "?";
    }
  }
}
