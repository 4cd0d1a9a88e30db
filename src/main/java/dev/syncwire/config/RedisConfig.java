package dev.syncwire.config;

import static dev.syncwire.config.SyncwireConfig.HISTORY_STORE;
import static dev.syncwire.config.SyncwireConfig.REDIS_BRIDGE_CLAIM_IDLE_MS;
import static dev.syncwire.config.SyncwireConfig.REDIS_BRIDGE_ENABLED;
import static dev.syncwire.config.SyncwireConfig.REDIS_TIMEOUT_MS;
import static dev.syncwire.config.SyncwireConfig.REDIS_URL;

/**
 * Redis, when the node uses it: {@code redis.*} and {@code history.store}.
 *
 * @param url             the connection string; empty when the node uses no Redis
 * @param timeoutMs       how long one command may take
 * @param bridgeEnabled   whether the node takes publications from Redis
 * @param claimIdleMs     how long a stream message may stay with a consumer that stopped
 * @param historyInRedis  whether channel logs are kept in Redis streams
 */
public record RedisConfig(String url, long timeoutMs, boolean bridgeEnabled, long claimIdleMs,
                          boolean historyInRedis) {
  static RedisConfig from(ConfigValues v) {
    String url = v.get(REDIS_URL).trim();
    String store = v.get(HISTORY_STORE).trim();
    if (!store.equals("memory") && !store.equals("redis")) {
      throw new ConfigException(HISTORY_STORE.path(), "must be \"memory\" or \"redis\"", v.get(HISTORY_STORE));
    }
    if (!url.isEmpty() && !url.startsWith("redis://") && !url.startsWith("rediss://")) {
      throw new ConfigException(REDIS_URL.path(), "must start with redis:// or rediss://", url);
    }
    boolean bridge = v.get(REDIS_BRIDGE_ENABLED);
    if (url.isEmpty() && bridge) {
      throw new ConfigException(REDIS_URL.path(), "is needed by " + REDIS_BRIDGE_ENABLED.path(), url);
    }
    if (url.isEmpty() && store.equals("redis")) {
      throw new ConfigException(REDIS_URL.path(), "is needed by " + HISTORY_STORE.path() + " redis", url);
    }
    return new RedisConfig(url, v.number(REDIS_TIMEOUT_MS), bridge, v.number(REDIS_BRIDGE_CLAIM_IDLE_MS),
        store.equals("redis"));
  }

  /** Whether the node talks to Redis at all. */
  public boolean enabled() {
    return !url.isEmpty();
  }
}
