package dev.syncwire.bench;

import dev.syncwire.channel.ChannelId;
import dev.syncwire.channel.ChannelLog;
import dev.syncwire.channel.ChannelSettings;
import dev.syncwire.channel.StateLimits;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What channel history costs: the heap each held publication takes, and the time to append one to a
 * channel whose history is full (each append drops the oldest). The heap is measured directly: many
 * channels are filled with small publications and the heap is read after full collections, before and
 * after; JMH times steady-state throughput, not retained memory, so it runs only the append.
 * Run with a heap large enough for the fill (scripts/bench.sh uses -Xmx6g). Arguments: {@code --quick}
 * (2,000 channels and a short JMH run), then optionally channels (default 10000) and publications per
 * channel (default 1000).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(java.util.concurrent.TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class HistoryMemoryBench {
  private static final int PER_CHANNEL = 1000;
  /** Payloads to append, cycled: the same shape as the fill's, built beforehand so that the append is timed alone. */
  private static final String[] PAYLOADS = new String[1024];

  static {
    for (int i = 0; i < PAYLOADS.length; i++) {
      PAYLOADS[i] = payload(i);
    }
  }

  private ChannelLog log;
  private long now;
  private int next;

  @Setup
  public void fill() {
    now = System.currentTimeMillis();
    log = new ChannelLog(new ChannelId("bench", "append"), "epoch", settings(PER_CHANNEL));
    for (int i = 0; i < PER_CHANNEL; i++) {
      log.publish(null, PAYLOADS[i % PAYLOADS.length], null, now);
    }
  }

  /** One publication appended to a full history of {@value #PER_CHANNEL}. */
  @Benchmark
  public Object appendToFullHistory() {
    next = (next + 1) & (PAYLOADS.length - 1);
    return log.publish(null, PAYLOADS[next], null, now);
  }

  public static void main(String[] args) {
    List<String> rest = new ArrayList<>(Arrays.asList(args));
    boolean quick = rest.remove("--quick");
    int channels = rest.size() > 0 ? Integer.parseInt(rest.get(0)) : quick ? 2_000 : 10_000;
    int perChannel = rest.size() > 1 ? Integer.parseInt(rest.get(1)) : PER_CHANNEL;
    memory(channels, perChannel);
    for (RunResult r : Jmh.run(HistoryMemoryBench.class, quick)) {
      double error = r.getPrimaryResult().getScoreError();
      System.out.printf(Locale.ROOT, "append to a full history of %d: %.0f ns per publication%s%n", PER_CHANNEL,
          r.getPrimaryResult().getScore(), Double.isNaN(error) ? "" : String.format(Locale.ROOT, " (± %.0f)", error));
    }
  }

  /** Fills {@code channels} logs with {@code perChannel} publications each and prints the heap they hold. */
  private static void memory(int channels, int perChannel) {
    ChannelSettings settings = settings(perChannel);
    long before = usedAfterGc();
    List<ChannelLog> logs = new ArrayList<>(channels);
    long now = System.nanoTime() / 1_000_000;
    long payload = 0;
    for (int c = 0; c < channels; c++) {
      ChannelLog log = new ChannelLog(new ChannelId("bench", "channel-" + c), "epoch" + c, settings);
      for (int i = 0; i < perChannel; i++) {
        String data = payload(i);
        payload += data.length();
        log.publish(null, data, null, now);
      }
      logs.add(log);
    }
    long after = usedAfterGc();
    long pubs = (long) channels * perChannel;
    double perPub = (double) (after - before) / pubs;
    System.out.printf(Locale.ROOT, "channels %d, publications per channel %d, held %d%n", channels, perChannel,
        logs.stream().mapToLong(l -> l.history().size(now)).sum());
    System.out.printf(Locale.ROOT, "heap used by history: %.1f MiB (%.1f bytes per publication, of which %.1f payload)%n",
        (after - before) / 1048576.0, perPub, (double) payload / pubs);
  }

  private static ChannelSettings settings(int historySize) {
    return new ChannelSettings(historySize, Long.MAX_VALUE / 4, 600_000, 0, new StateLimits(1, 1, 1), Long.MAX_VALUE);
  }

  private static String payload(int n) {
    return "{\"n\":" + n + ",\"v\":\"ok\"}";
  }

  private static long usedAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
