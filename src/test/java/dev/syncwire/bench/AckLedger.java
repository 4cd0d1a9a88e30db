package dev.syncwire.bench;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks the positions that acks hand out (the ack rules of docs/protocol.md §6.4 and §6.5). Every publish
 * checked here carries a key of its own, so no ack may say {@code duplicate} and no two acks may name the
 * same seq of one epoch; and since nothing else publishes to these channels meanwhile, the seqs acked in an
 * epoch must run on without a gap from where the channel stood (seq 1 for a channel or an epoch that starts
 * here). Lives on the load generator's loop.
 */
final class AckLedger {
  /** Violations described in full; the rest are only counted. */
  private static final int DESCRIBED = 5;

  private final Map<String, Map<String, Epoch>> channels = new HashMap<>();
  private final List<String> described = new ArrayList<>();
  private long violations;
  long acks;

  /** The seqs acked in one epoch of a channel, as offsets from the seq it stood at before. */
  private static final class Epoch {
    final long base;
    final BitSet acked = new BitSet();

    Epoch(long base) {
      this.base = base;
    }
  }

  /** A channel that already exists: its acks continue from {@code seq} of {@code epoch}. */
  void startsAt(String channel, String epoch, long seq) {
    channels.computeIfAbsent(channel, c -> new HashMap<>()).put(epoch, new Epoch(seq));
  }

  void onAck(JsonObject ack) {
    acks++;
    String channel = ack.getString("channel");
    String epochName = ack.getString("epoch");
    long seq = ack.getLong("seq", -1L);
    if (ack.getBoolean("duplicate", false)) {
      violation("ack of a fresh key marked duplicate: " + ack.encode());
    }
    Epoch epoch = channels.computeIfAbsent(channel, c -> new HashMap<>()).computeIfAbsent(epochName, e -> new Epoch(0));
    long offset = seq - epoch.base - 1;
    if (offset < 0 || offset > Integer.MAX_VALUE) {
      violation(channel + " epoch " + epochName + ": seq " + seq + " acked, the channel stood at " + epoch.base);
    } else if (epoch.acked.get((int) offset)) {
      violation(channel + " epoch " + epochName + ": seq " + seq + " acked for two keys");
    } else {
      epoch.acked.set((int) offset);
    }
  }

  /**
   * Everything wrong so far, gaps included (a seq missing between acked ones); call it once every publish
   * has its ack, or a seq still in flight counts as a gap. Empty when all is well.
   */
  List<String> problems() {
    List<String> problems = new ArrayList<>(described);
    long total = violations;
    for (Map.Entry<String, Map<String, Epoch>> channel : channels.entrySet()) {
      for (Map.Entry<String, Epoch> e : channel.getValue().entrySet()) {
        BitSet acked = e.getValue().acked;
        int missing = acked.length() - acked.cardinality();
        if (missing > 0) {
          total++;
          if (problems.size() < DESCRIBED) {
            problems.add(String.format("%s epoch %s: %d seq(s) never acked between %d and %d, first %d",
                channel.getKey(), e.getKey(), missing, e.getValue().base + 1, e.getValue().base + acked.length(),
                e.getValue().base + 1 + acked.nextClearBit(0)));
          }
        }
      }
    }
    if (total > problems.size()) {
      problems.add((total - problems.size()) + " more");
    }
    return problems;
  }

  private void violation(String description) {
    violations++;
    if (described.size() < DESCRIBED) {
      described.add(description);
    }
  }
}
