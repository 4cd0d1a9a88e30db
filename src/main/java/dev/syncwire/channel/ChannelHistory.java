package dev.syncwire.channel;

import java.util.List;

/**
 * The recent publications of one channel, for recovery after a disconnect (docs/protocol.md §6.3).
 * Contract: {@link #append} is called for every accepted publication in {@code seq} order;
 * {@link #after} returns either <em>every</em> publication after a position, in order, or nothing:
 * never a partial replay. Implementations keep at least the last {@code size} publications for
 * {@code ttlMs}. Calls come from the channel owner's single thread; an implementation backed by a
 * remote store keeps the tail it serves in memory and writes through, so these calls stay synchronous.
 */
public interface ChannelHistory {

  void append(Publication publication, long nowMs);

  /**
   * The publications with {@code seq} greater than {@code afterSeq}, if all of them are still held
   * (an empty list when {@code afterSeq} is the last seq); {@code null} when any of them has left
   * history or {@code afterSeq} is ahead of the channel.
   */
  List<Publication> after(long afterSeq, long nowMs);

  /** Publications currently held (after dropping expired ones). */
  int size(long nowMs);

  /** Approximate bytes of payload held, for memory accounting. */
  long payloadBytes();
}
