package dev.syncwire.bench;

import dev.syncwire.channel.ChannelId;
import dev.syncwire.channel.ChannelLog;
import dev.syncwire.channel.ChannelSettings;
import dev.syncwire.channel.StateLimits;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Heap used by many channels each holding a full history of small publications: reports bytes per
 * publication held. Run with a heap large enough for the load (scripts/bench.sh uses -Xmx6g).
 * Arguments: channels (default 10000), publications per channel (default 1000).
 */
public final class HistoryMemoryBench {
  private HistoryMemoryBench() {
  }

  public static void main(String[] args) {
    int channels = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int perChannel = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    ChannelSettings settings = new ChannelSettings(perChannel, Long.MAX_VALUE / 4, 600_000, 0,
        new StateLimits(1, 1, 1), Long.MAX_VALUE);
    long before = usedAfterGc();
    List<ChannelLog> logs = new ArrayList<>(channels);
    long now = System.nanoTime() / 1_000_000;
    long payload = 0;
    for (int c = 0; c < channels; c++) {
      ChannelLog log = new ChannelLog(new ChannelId("bench", "channel-" + c), "epoch" + c, settings);
      for (int i = 0; i < perChannel; i++) {
        String data = "{\"n\":" + i + ",\"v\":\"ok\"}";
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

  private static long usedAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
