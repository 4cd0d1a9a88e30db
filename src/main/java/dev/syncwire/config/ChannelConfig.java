package dev.syncwire.config;

import static dev.syncwire.config.SyncwireConfig.DEDUP_MAX_KEYS;
import static dev.syncwire.config.SyncwireConfig.DEDUP_WINDOW_MS;
import static dev.syncwire.config.SyncwireConfig.HISTORY_MAX_BYTES;
import static dev.syncwire.config.SyncwireConfig.HISTORY_NODE_MAX_BYTES;
import static dev.syncwire.config.SyncwireConfig.HISTORY_SIZE;
import static dev.syncwire.config.SyncwireConfig.HISTORY_TENANT_MAX_BYTES;
import static dev.syncwire.config.SyncwireConfig.HISTORY_TTL_MS;
import static dev.syncwire.config.SyncwireConfig.STATE_MAX_ENTITIES;
import static dev.syncwire.config.SyncwireConfig.STATE_MAX_FIELDS;
import static dev.syncwire.config.SyncwireConfig.STATE_MAX_VALUE_BYTES;

/**
 * What each channel keeps, and what all histories may hold: {@code history.*}, {@code dedup.*} and
 * {@code state.*}. A tenant may set its own history size, age and bytes ({@link TenantConfig}).
 *
 * @param historyTenantMaxBytes one tenant's history budget on this node; {@code Long.MAX_VALUE} when the
 *                              key is 0 (only the node's budget applies)
 * @param historyNodeMaxBytes the node's history budget; a quarter of the maximum heap when the key is 0
 */
public record ChannelConfig(int historySize, long historyTtlMs, long historyMaxBytes, long historyTenantMaxBytes,
                            long historyNodeMaxBytes, long dedupWindowMs, int dedupMaxKeys, int stateMaxEntities,
                            int stateMaxFields, int stateMaxValueBytes) {
  static ChannelConfig from(ConfigValues v) {
    long tenantMax = v.number(HISTORY_TENANT_MAX_BYTES);
    long nodeMax = v.number(HISTORY_NODE_MAX_BYTES);
    return new ChannelConfig(v.integer(HISTORY_SIZE), v.number(HISTORY_TTL_MS), v.number(HISTORY_MAX_BYTES),
        tenantMax == 0 ? Long.MAX_VALUE : tenantMax, nodeMax == 0 ? Runtime.getRuntime().maxMemory() / 4 : nodeMax,
        v.number(DEDUP_WINDOW_MS), v.integer(DEDUP_MAX_KEYS), v.integer(STATE_MAX_ENTITIES),
        v.integer(STATE_MAX_FIELDS), v.integer(STATE_MAX_VALUE_BYTES));
  }
}
