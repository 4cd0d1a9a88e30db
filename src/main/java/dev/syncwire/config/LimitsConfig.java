package dev.syncwire.config;

import static dev.syncwire.config.SyncwireConfig.LIMITS_COMMAND_BURST;
import static dev.syncwire.config.SyncwireConfig.LIMITS_COMMAND_RATE;
import static dev.syncwire.config.SyncwireConfig.LIMITS_CONNECTIONS_PER_IP;
import static dev.syncwire.config.SyncwireConfig.LIMITS_CONNECTIONS_PER_TENANT;
import static dev.syncwire.config.SyncwireConfig.LIMITS_CONNECT_TIMEOUT_MS;
import static dev.syncwire.config.SyncwireConfig.LIMITS_MAX_SUBSCRIPTIONS;
import static dev.syncwire.config.SyncwireConfig.LIMITS_OUTBOUND_BUFFER_BYTES;
import static dev.syncwire.config.SyncwireConfig.LIMITS_OUTBOUND_HIGH_WATER_BYTES;

/**
 * What one session may do and how many sessions there may be: the {@code limits.*} keys but
 * {@code limits.maxFrameBytes} (in {@link WebSocketConfig}) and {@code limits.nodeOutboundBytes} (in
 * {@link GuardConfig}).
 *
 * @param commandRate commands per second; 0 = unlimited
 * @param connectionsPerIp live sessions per client address; 0 = unlimited
 * @param connectionsPerTenant live sessions per tenant on this node; 0 = unlimited
 */
public record LimitsConfig(long connectTimeoutMs, int maxSubscriptions, long outboundBufferBytes,
                           long outboundHighWaterBytes, int commandRate, int commandBurst, int connectionsPerIp,
                           int connectionsPerTenant) {
  static LimitsConfig from(ConfigValues v) {
    return new LimitsConfig(v.number(LIMITS_CONNECT_TIMEOUT_MS), v.integer(LIMITS_MAX_SUBSCRIPTIONS),
        v.number(LIMITS_OUTBOUND_BUFFER_BYTES), v.number(LIMITS_OUTBOUND_HIGH_WATER_BYTES),
        v.integer(LIMITS_COMMAND_RATE), v.integer(LIMITS_COMMAND_BURST), v.integer(LIMITS_CONNECTIONS_PER_IP),
        v.integer(LIMITS_CONNECTIONS_PER_TENANT));
  }
}
