package dev.syncwire.channel;

import java.util.List;

/**
 * A channel's log as an outside store kept it, to continue it in a new process: its position, the tail
 * of its history (oldest first, each with its age) and its state's snapshot, if it has state.
 *
 * @param tail          the newest publications the store holds, in seq order, ending at {@code seq}
 *                      (empty when it holds none)
 * @param agesMs        how long ago each publication of {@code tail} was accepted
 * @param stateSnapshot the snapshot (docs/protocol.md §7.4) of the channel's state; null without state
 */
public record StoredLog(String epoch, long seq, List<Publication> tail, List<Long> agesMs, String stateSnapshot) {
  public StoredLog {
    if (tail.size() != agesMs.size()) {
      throw new IllegalArgumentException("one age per publication");
    }
  }
}
