package dev.syncwire.broker;

import dev.syncwire.channel.ChannelSettings;
import dev.syncwire.channel.StateLimits;
import dev.syncwire.config.ChannelConfig;
import dev.syncwire.config.SyncwireConfig;
import dev.syncwire.config.TenantConfig;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/** Channel settings per tenant: the node's defaults, with a tenant's own history size, age and bytes. */
public final class TenantChannelSettings {
  private TenantChannelSettings() {
  }

  public static Function<String, ChannelSettings> from(SyncwireConfig config) {
    ChannelConfig channel = config.channel();
    StateLimits limits = new StateLimits(channel.stateMaxEntities(), channel.stateMaxFields(),
        channel.stateMaxValueBytes());
    // A replay larger than half a subscriber's outbound buffer would cut that subscriber off; send a
    // snapshot (recovered:false) instead.
    long maxRecoveryBytes = config.limits().outboundBufferBytes() / 2;
    ChannelSettings defaults = new ChannelSettings(channel.historySize(), channel.historyTtlMs(),
        channel.dedupWindowMs(), channel.dedupMaxKeys(), limits, maxRecoveryBytes, channel.historyMaxBytes());
    Map<String, ChannelSettings> byTenant = new HashMap<>();
    for (TenantConfig t : config.tenants()) {
      byTenant.put(t.id(), new ChannelSettings(
          t.historySize() != null ? t.historySize() : defaults.historySize(),
          t.historyTtlMs() != null ? t.historyTtlMs() : defaults.historyTtlMs(),
          defaults.dedupWindowMs(), defaults.dedupMaxKeys(), limits, maxRecoveryBytes,
          t.historyMaxBytes() != null ? t.historyMaxBytes() : defaults.historyMaxBytes()));
    }
    return tenant -> byTenant.getOrDefault(tenant, defaults);
  }
}
