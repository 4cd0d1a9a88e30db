package dev.syncwire.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process observed from outside, usually a JVM: CPU time and RSS from {@code /proc}, heap after a full GC
 * through {@code jcmd}. Blocking; call it from the orchestrating thread, never from an event loop.
 */
public final class JvmProcess {
  // One line per heap space, e.g. " def new generation   total 314560K, used 1234K [...]" or
  // " garbage-first heap   total 1048576K, used 23456K [...]"; Metaspace lines have no "total".
  private static final Pattern SPACE_USED = Pattern.compile("^\\s*(\\S.*?)\\s+total \\d+K, used (\\d+)K");

  // '"vert.x-eventloop-thread-0" #24 prio=5 os_prio=0 cpu=..ms elapsed=..s tid=0x... nid=0x5f2a runnable ...'
  private static final Pattern THREAD_LINE = Pattern.compile("^\"(.*)\" .*\\bnid=(0x[0-9a-f]+|\\d+)");

  private final long pid;
  private final int clockTicksPerSecond;

  public JvmProcess(long pid, int clockTicksPerSecond) {
    this.pid = pid;
    this.clockTicksPerSecond = clockTicksPerSecond;
  }

  public static JvmProcess self(int clockTicksPerSecond) {
    return new JvmProcess(ProcessHandle.current().pid(), clockTicksPerSecond);
  }

  public int clockTicksPerSecond() {
    return clockTicksPerSecond;
  }

  public long pid() {
    return pid;
  }

  /** User plus system CPU time consumed so far, in seconds. */
  public double cpuSeconds() {
    CpuTicks ticks = parseStat(read("stat"));
    return (ticks.userTicks() + ticks.systemTicks()) / (double) clockTicksPerSecond;
  }

  /**
   * CPU times so far of a process or one of its threads, in clock ticks, and its name as the kernel keeps it (15
   * characters at most).
   */
  public record CpuTicks(String comm, long userTicks, long systemTicks) {
  }

  /** CPU times of every live thread, by thread id; threads that end while they are read are left out. */
  public Map<Long, CpuTicks> threadTimes() {
    Map<Long, CpuTicks> threads = new HashMap<>();
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks)) {
      for (Path task : dir) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
        } catch (IOException gone) {
          continue;
        }
        threads.put(Long.parseLong(task.getFileName().toString()), parseStat(stat));
      }
    } catch (IOException e) {
      throw new IllegalStateException("process " + pid + " is gone: " + e.getMessage(), e);
    }
    return threads;
  }

  /**
   * A {@code /proc/<pid>/stat} or {@code /proc/<pid>/task/<tid>/stat} line: the name is in parentheses and may hold
   * spaces and parentheses, so the fields are counted from the last one.
   */
  static CpuTicks parseStat(String stat) {
    int open = stat.indexOf('(');
    int close = stat.lastIndexOf(')');
    String[] fields = stat.substring(close + 2).trim().split(" ");
    return new CpuTicks(stat.substring(open + 1, close), Long.parseLong(fields[11]), Long.parseLong(fields[12]));
  }

  /** Every thread's stack, as {@code jcmd Thread.print} gives them. */
  public String threadDump() {
    return jcmd("Thread.print");
  }

  /** The Java names of the live threads by their kernel thread ids ({@code jcmd Thread.print}). */
  public Map<Long, String> threadNames() {
    return parseThreadNames(threadDump());
  }

  static Map<Long, String> parseThreadNames(String threadPrint) {
    Map<Long, String> names = new HashMap<>();
    for (String line : threadPrint.split("\n")) {
      Matcher m = THREAD_LINE.matcher(line);
      if (m.find()) {
        String nid = m.group(2);
        names.put(nid.startsWith("0x") ? Long.parseLong(nid.substring(2), 16) : Long.parseLong(nid), m.group(1));
      }
    }
    return names;
  }

  public long rssBytes() {
    return statusField("VmRSS") * 1024;
  }

  /** The CPUs this process may run on, as {@code taskset} set them (e.g. "0"). */
  public String allowedCpus() {
    for (String line : read("status").split("\n")) {
      if (line.startsWith("Cpus_allowed_list:")) {
        return line.substring(line.indexOf(':') + 1).trim();
      }
    }
    return "?";
  }

  /** Runs a full GC in the process ({@code jcmd GC.run}, which returns once the collection is done). */
  public void runGc() {
    jcmd("GC.run");
  }

  /** Runs a full GC in the process, then returns the bytes its heap still uses. */
  public HeapReading heapAfterGc() {
    jcmd("GC.run");
    String info = jcmd("GC.heap_info");
    long usedKb = 0;
    String gc = null;
    for (String line : info.split("\n")) {
      Matcher m = SPACE_USED.matcher(line);
      if (m.find()) {
        usedKb += Long.parseLong(m.group(2));
        gc = gc == null ? m.group(1).trim() : gc + " + " + m.group(1).trim();
      }
    }
    if (gc == null) {
      throw new IllegalStateException("cannot read the heap of " + pid + " from: " + info);
    }
    return new HeapReading(usedKb * 1024, gc);
  }

  /** Used heap in bytes and the heap's spaces as the collector names them (which tells the collector). */
  public record HeapReading(long usedBytes, String spaces) {
  }

  private long statusField(String name) {
    for (String line : read("status").split("\n")) {
      if (line.startsWith(name + ":")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException(name + " missing from /proc/" + pid + "/status");
  }

  private String read(String file) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), file), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalStateException("process " + pid + " is gone: " + e.getMessage(), e);
    }
  }

  private String jcmd(String command) {
    try {
      Process p = new ProcessBuilder(List.of("jcmd", Long.toString(pid), command)).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("jcmd " + pid + " " + command + " failed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run jcmd: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running jcmd", e);
    }
  }
}
