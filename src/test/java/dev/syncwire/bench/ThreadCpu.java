package dev.syncwire.bench;

import dev.syncwire.testing.JvmProcess;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the server CPU of a window went: the user and kernel time of every thread of the server processes,
 * summed by what the thread does. Thread times come from {@code /proc/<pid>/task}; the Java thread names that
 * tell what a thread does come from {@code jcmd Thread.print} at the end of the window (a thread without one, for
 * example because jcmd failed, is told by the 15 characters the kernel keeps of its name).
 */
final class ThreadCpu {
  /** What a thread does, as far as its name tells. */
  enum Role {
    EVENT_LOOPS("Vert.x event loops"),
    HAZELCAST_OPERATIONS("Hazelcast operation threads"),
    HAZELCAST_IO("Hazelcast I/O threads"),
    HAZELCAST_OTHER("other Hazelcast threads"),
    JIT("JIT compiler threads"),
    GC("GC and safepoints (VM and GC threads)"),
    OTHER("other threads");

    final String label;

    Role(String label) {
      this.label = label;
    }

    /** From a Java thread name or, failing that, the kernel's truncated copy of it. */
    static Role of(String name) {
      if (name.startsWith("vert.x-eventloo")) {
        return EVENT_LOOPS;
      }
      if (name.startsWith("hz.")) {
        if (name.contains(".partition-operation.") || name.contains("generic-operation.")
            || name.contains(".response")) {
          return HAZELCAST_OPERATIONS;
        }
        return name.contains(".IO.thread-") ? HAZELCAST_IO : HAZELCAST_OTHER;
      }
      if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
        return JIT;
      }
      if (name.equals("VM Thread") || name.startsWith("GC Thread") || name.startsWith("G1 ")) {
        return GC;
      }
      return OTHER;
    }
  }

  /** CPU seconds of one role over the window. */
  record Share(double userSeconds, double systemSeconds) {
    double seconds() {
      return userSeconds + systemSeconds;
    }

    double kernelShare() {
      return seconds() == 0 ? 0 : systemSeconds / seconds();
    }
  }

  /** The window's CPU by role, every server process summed. */
  record Breakdown(Map<Role, Share> roles) {
    Share of(Role role) {
      return roles.getOrDefault(role, new Share(0, 0));
    }

    /** "Vert.x event loops 5.8, ..." in microseconds per {@code count}; roles under 0.05 left out. */
    String perUnit(long count) {
      List<String> parts = new ArrayList<>();
      for (Role role : Role.values()) {
        double micros = of(role).seconds() * 1e6 / count;
        if (micros >= 0.05) {
          parts.add(String.format("%s %.1f", role.label, micros));
        }
      }
      return String.join(", ", parts);
    }
  }

  private final List<JvmProcess> processes;
  private final List<Map<Long, JvmProcess.CpuTicks>> before = new ArrayList<>();
  private final List<Map<Long, JvmProcess.CpuTicks>> after = new ArrayList<>();

  private ThreadCpu(List<JvmProcess> processes) {
    this.processes = List.copyOf(processes);
    for (JvmProcess p : this.processes) {
      before.add(p.threadTimes());
    }
  }

  static ThreadCpu start(List<JvmProcess> processes) {
    return new ThreadCpu(processes);
  }

  /**
   * Ends the window: reads every thread's times now, in every process. Naming the threads takes a jcmd per process,
   * so {@link #breakdown} does it later, outside the window.
   */
  void stop() {
    for (JvmProcess p : processes) {
      after.add(p.threadTimes());
    }
  }

  /** The CPU each role used in the window; threads started within it count from zero. */
  Breakdown breakdown() {
    if (after.size() != processes.size()) {
      throw new IllegalStateException("the window has not been stopped");
    }
    Map<Role, long[]> ticks = new EnumMap<>(Role.class);
    for (int i = 0; i < processes.size(); i++) {
      Map<Long, String> names = javaNames(processes.get(i));
      for (Map.Entry<Long, JvmProcess.CpuTicks> e : after.get(i).entrySet()) {
        JvmProcess.CpuTicks then = before.get(i).get(e.getKey());
        JvmProcess.CpuTicks now = e.getValue();
        long user = now.userTicks() - (then == null ? 0 : then.userTicks());
        long system = now.systemTicks() - (then == null ? 0 : then.systemTicks());
        Role role = Role.of(names.getOrDefault(e.getKey(), now.comm()));
        long[] sum = ticks.computeIfAbsent(role, r -> new long[2]);
        sum[0] += user;
        sum[1] += system;
      }
    }
    double perSecond = processes.isEmpty() ? 100 : processes.get(0).clockTicksPerSecond();
    Map<Role, Share> roles = new EnumMap<>(Role.class);
    ticks.forEach((role, t) -> roles.put(role, new Share(t[0] / perSecond, t[1] / perSecond)));
    return new Breakdown(roles);
  }

  private static Map<Long, String> javaNames(JvmProcess p) {
    try {
      return p.threadNames();
    } catch (IllegalStateException e) {
      Log.line("thread names of process %d unavailable (%s); its threads are told by their kernel names", p.pid(),
          e.getMessage());
      return new HashMap<>();
    }
  }
}
