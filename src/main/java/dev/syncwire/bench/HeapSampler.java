package dev.syncwire.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Samples a JVM's used heap every few milliseconds while something happens, with {@code jstat -gc}. jstat
 * reads the target's performance counters from shared memory (hsperfdata), so sampling costs the server
 * nothing; the JVM refreshes those counters every 50 ms ({@code -XX:PerfDataSamplingInterval}), which is
 * the real resolution. Used heap = survivor spaces + eden + old generation. The highest use comes just
 * before a collection, between two samples; the JVM's GC log ({@code -Xlog:gc}) has it exactly ("Pause
 * Young (Allocation Failure) 280M->41M(989M) 12.3ms"), so the peak also takes the lines the log gained
 * meanwhile, at its 1 MiB resolution.
 */
final class HeapSampler implements AutoCloseable {
  private static final long INTERVAL_MILLIS = 20;
  private static final Pattern GC_LINE = Pattern.compile("Pause .*? (\\d+)M->(\\d+)M\\(\\d+M\\) ([0-9.]+)ms");

  private final Path gcLog;
  private final long gcLogOffset;
  private final Process jstat;
  private final Thread reader;
  private volatile long peakKb = -1;
  private volatile long samples;
  private volatile long firstYoung = -1;
  private volatile long firstFull = -1;
  private volatile long lastYoung = -1;
  private volatile long lastFull = -1;
  private volatile String problem;

  private HeapSampler(long pid, Path gcLog) {
    this.gcLog = gcLog;
    this.gcLogOffset = size(gcLog);
    try {
      jstat = new ProcessBuilder(List.of("jstat", "-gc", Long.toString(pid), INTERVAL_MILLIS + "ms"))
          .redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run jstat: " + e.getMessage(), e);
    }
    OwnProcesses.add(jstat);
    reader = new Thread(this::read, "heap-sampler-" + pid);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts sampling {@code process}, whose GC log is {@code gcLog} (null: none); waits for the first
   * sample so that the window is covered from the start.
   */
  static HeapSampler start(JvmProcess process, Path gcLog) {
    HeapSampler sampler = new HeapSampler(process.pid(), gcLog);
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (sampler.samples == 0 && sampler.problem == null && System.nanoTime() < deadline) {
      Loop.pause(10);
    }
    return sampler;
  }

  /** The highest used heap seen, the collections during the sampling and the longest pause among them. */
  record Peak(long usedBytes, long samples, long youngGcs, long fullGcs, double longestPauseMillis, String problem) {
  }

  Peak stop() {
    close();
    long peak = peakKb * 1024;
    double longestPause = 0;
    for (String line : newGcLogLines()) {
      Matcher m = GC_LINE.matcher(line);
      if (m.find()) {
        peak = Math.max(peak, Long.parseLong(m.group(1)) * 1024 * 1024);
        longestPause = Math.max(longestPause, Double.parseDouble(m.group(3)));
      }
    }
    return new Peak(peak, samples, lastYoung - firstYoung, lastFull - firstFull, longestPause, problem);
  }

  private List<String> newGcLogLines() {
    if (gcLog == null) {
      return List.of();
    }
    try {
      byte[] all = Files.readAllBytes(gcLog);
      int from = (int) Math.min(gcLogOffset, all.length);
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

  @Override
  public void close() {
    jstat.destroy();
    try {
      reader.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(jstat.getInputStream(), StandardCharsets.US_ASCII))) {
      List<String> header = null;
      String line;
      while ((line = in.readLine()) != null) {
        String[] fields = line.trim().split("\\s+");
        if (fields.length > 0 && fields[0].equals("S0C")) {
          header = Arrays.asList(fields);
          continue;
        }
        if (header == null || fields.length != header.size()) {
          problem = line;
          continue;
        }
        double used = value(fields, header, "S0U") + value(fields, header, "S1U") + value(fields, header, "EU")
            + value(fields, header, "OU");
        peakKb = Math.max(peakKb, (long) used);
        long young = (long) value(fields, header, "YGC");
        long full = (long) value(fields, header, "FGC");
        if (firstYoung < 0) {
          firstYoung = young;
          firstFull = full;
        }
        lastYoung = young;
        lastFull = full;
        samples++;
      }
    } catch (IOException e) {
      problem = e.getMessage();
    }
  }

  private static double value(String[] fields, List<String> header, String column) {
    int i = header.indexOf(column);
    return i < 0 ? 0 : Double.parseDouble(fields[i]);
  }
}
