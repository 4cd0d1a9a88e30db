package dev.syncwire.channel;

/**
 * How much a channel remembers: history (count and age), the dedup window (age and keys), the bounds
 * of its state, and the largest recovery it answers with a replay instead of a snapshot.
 */
public record ChannelSettings(int historySize, long historyTtlMs, long dedupWindowMs, int dedupMaxKeys,
                              StateLimits stateLimits, long maxRecoveryBytes) implements java.io.Serializable {
}
