package dev.syncwire.channel;

/**
 * How much a channel remembers: history (count, age and bytes), the dedup window (age and keys), the
 * bounds of its state, and the largest recovery it answers with a replay instead of a snapshot.
 */
public record ChannelSettings(int historySize, long historyTtlMs, long dedupWindowMs, int dedupMaxKeys,
                              StateLimits stateLimits, long maxRecoveryBytes, long historyMaxBytes)
    implements java.io.Serializable {

  /** Settings without a byte bound on history (count and age still apply). */
  public ChannelSettings(int historySize, long historyTtlMs, long dedupWindowMs, int dedupMaxKeys,
                         StateLimits stateLimits, long maxRecoveryBytes) {
    this(historySize, historyTtlMs, dedupWindowMs, dedupMaxKeys, stateLimits, maxRecoveryBytes, Long.MAX_VALUE);
  }
}
