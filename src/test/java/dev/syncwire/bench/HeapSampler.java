package dev.syncwire.bench;

import dev.syncwire.testing.JvmProcess;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Samples a JVM's used heap every few milliseconds while something happens. It reads the target's
 * performance counters (the hsperfdata file jstat reads, {@code /tmp/hsperfdata_<user>/<pid>}) straight
 * from shared memory, so sampling costs the server nothing and the load generator next to nothing. The JVM
 * refreshes those counters every 50 ms ({@code -XX:PerfDataSamplingInterval}): that is the real
 * resolution. Used heap = every space of every generation (eden, survivors, old).
 *
 * <p>The highest use comes just before a collection, between two samples; the JVM's GC log
 * ({@code -Xlog:gc}: "Pause Young (Allocation Failure) 280M->41M(989M) 12.3ms") has it exactly, so the
 * peak also takes the lines the log gained meanwhile (1 MiB resolution). The log also gives the highest
 * heap left after a collection during the window (what the window kept alive) and the allocation.
 */
final class HeapSampler implements AutoCloseable {
  private static final long INTERVAL_MILLIS = 10;
  private static final Pattern GC_LINE = Pattern.compile("Pause .*? (\\d+)M->(\\d+)M\\(\\d+M\\) ([0-9.]+)ms");
  private static final Pattern SPACE_USED = Pattern.compile("sun\\.gc\\.generation\\.\\d+\\.space\\.\\d+\\.used");

  private final MappedByteBuffer perf;
  private final List<Integer> usedOffsets = new ArrayList<>();
  private final int youngOffset;
  private final int fullOffset;
  private final Path gcLog;
  private final long gcLogOffset;
  private final Thread sampler;
  private volatile boolean running = true;
  private volatile long peak;
  private volatile long samples;
  private final long firstUsed;
  private final long young0;
  private final long full0;

  private HeapSampler(long pid, Path gcLog) throws IOException {
    Path file = Path.of(System.getProperty("java.io.tmpdir"), "hsperfdata_" + System.getProperty("user.name"),
        Long.toString(pid));
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      perf = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
    }
    if (perf.order(ByteOrder.BIG_ENDIAN).getInt(0) != 0xcafec0c0) {
      throw new IOException(file + " is not a performance data file");
    }
    perf.order(perf.get(4) == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    int young = -1;
    int full = -1;
    int entry = perf.getInt(24);
    int entries = perf.getInt(28);
    for (int i = 0; i < entries; i++) {
      String name = cString(entry + perf.getInt(entry + 4));
      int data = entry + perf.getInt(entry + 16);
      if (SPACE_USED.matcher(name).matches()) {
        usedOffsets.add(data);
      } else if (name.equals("sun.gc.collector.0.invocations")) {
        young = data;
      } else if (name.equals("sun.gc.collector.1.invocations")) {
        full = data;
      }
      entry += perf.getInt(entry);
    }
    if (usedOffsets.isEmpty()) {
      throw new IOException("no heap counters in " + file);
    }
    this.youngOffset = young;
    this.fullOffset = full;
    this.gcLog = gcLog;
    this.gcLogOffset = size(gcLog);
    this.firstUsed = used();
    this.peak = firstUsed;
    this.young0 = counter(youngOffset);
    this.full0 = counter(fullOffset);
    sampler = new Thread(this::sample, "heap-sampler-" + pid);
    sampler.setDaemon(true);
    sampler.start();
  }

  /** Starts sampling {@code process}, whose GC log is {@code gcLog} (null: none). */
  static HeapSampler start(JvmProcess process, Path gcLog) {
    try {
      return new HeapSampler(process.pid(), gcLog);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the performance counters of " + process.pid() + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * The highest used heap, the highest heap left after a collection in the window (the used heap at the
   * end if there was none), the bytes allocated, the collections and the longest pause among them.
   */
  record Peak(long usedBytes, long maxAfterGcBytes, long allocatedBytes, long samples, long youngGcs, long fullGcs,
              double longestPauseMillis) {
  }

  Peak stop() {
    close();
    long lastUsed = used();
    long top = Math.max(peak, lastUsed);
    long maxAfter = -1;
    long allocated = 0;
    long before = firstUsed;
    double longestPause = 0;
    for (String line : newGcLogLines()) {
      Matcher m = GC_LINE.matcher(line);
      if (m.find()) {
        long gcBefore = Long.parseLong(m.group(1)) << 20;
        long gcAfter = Long.parseLong(m.group(2)) << 20;
        top = Math.max(top, gcBefore);
        maxAfter = Math.max(maxAfter, gcAfter);
        allocated += Math.max(0, gcBefore - before);
        before = gcAfter;
        longestPause = Math.max(longestPause, Double.parseDouble(m.group(3)));
      }
    }
    allocated += Math.max(0, lastUsed - before);
    return new Peak(top, maxAfter < 0 ? lastUsed : maxAfter, allocated, samples, counter(youngOffset) - young0,
        counter(fullOffset) - full0, longestPause);
  }

  @Override
  public void close() {
    running = false;
    try {
      sampler.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void sample() {
    while (running) {
      peak = Math.max(peak, used());
      samples++;
      try {
        Thread.sleep(INTERVAL_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private long used() {
    long used = 0;
    for (int offset : usedOffsets) {
      used += perf.getLong(offset);
    }
    return used;
  }

  private long counter(int offset) {
    return offset < 0 ? 0 : perf.getLong(offset);
  }

  private String cString(int at) {
    int end = at;
    while (perf.get(end) != 0) {
      end++;
    }
    byte[] bytes = new byte[end - at];
    perf.get(at, bytes);
    return new String(bytes, StandardCharsets.US_ASCII);
  }

  /**
   * The heap a full GC left, exactly: runs {@code jcmd GC.run} in {@code process} and reads the
   * collection's own line from its GC log ("Pause Full (Diagnostic Command) 45M->22M(989M)"). Reading the heap
   * with a second jcmd instead would also count what the node allocated in between (that jcmd's own attach
   * included), which here was up to 30 MiB.
   */
  static long afterFullGc(JvmProcess process, Path gcLog) {
    long offset = size(gcLog);
    process.runGc();
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < deadline) {
      long after = -1;
      for (String line : linesFrom(gcLog, offset)) {
        Matcher m = GC_LINE.matcher(line);
        if (line.contains("Pause Full") && m.find()) {
          after = Long.parseLong(m.group(2)) << 20;
        }
      }
      if (after >= 0) {
        return after;
      }
      Loop.pause(20);
    }
    throw new IllegalStateException("no full collection in " + gcLog + " after jcmd GC.run");
  }

  private List<String> newGcLogLines() {
    return gcLog == null ? List.of() : linesFrom(gcLog, gcLogOffset);
  }

  private static List<String> linesFrom(Path file, long offset) {
    try {
      byte[] all = Files.readAllBytes(file);
      int from = (int) Math.min(offset, all.length);
      return new String(all, from, all.length - from, StandardCharsets.UTF_8).lines().toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static long size(Path file) {
    try {
      return file == null || !Files.exists(file) ? 0 : Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }
}
