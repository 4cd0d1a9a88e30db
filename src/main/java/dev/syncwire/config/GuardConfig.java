package dev.syncwire.config;

import static dev.syncwire.config.SyncwireConfig.GUARD_CHECK_INTERVAL_MS;
import static dev.syncwire.config.SyncwireConfig.GUARD_HEAP_HIGH_PERCENT;
import static dev.syncwire.config.SyncwireConfig.GUARD_HEAP_LOW_PERCENT;
import static dev.syncwire.config.SyncwireConfig.LIMITS_NODE_OUTBOUND_BYTES;

/**
 * The node's memory bounds, checked on one timer: {@code guard.*} and {@code limits.nodeOutboundBytes}.
 *
 * @param nodeOutboundBytes bytes all slow subscribers of the node may have queued; an eighth of the
 *                          maximum heap when the key is 0
 */
public record GuardConfig(int heapHighPercent, int heapLowPercent, long checkIntervalMs, long nodeOutboundBytes) {
  static GuardConfig from(ConfigValues v) {
    long nodeOutbound = v.number(LIMITS_NODE_OUTBOUND_BYTES);
    return new GuardConfig(v.integer(GUARD_HEAP_HIGH_PERCENT), v.integer(GUARD_HEAP_LOW_PERCENT),
        v.number(GUARD_CHECK_INTERVAL_MS), nodeOutbound == 0 ? Runtime.getRuntime().maxMemory() / 8 : nodeOutbound);
  }
}
