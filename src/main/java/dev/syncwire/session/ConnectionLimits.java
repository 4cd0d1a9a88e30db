package dev.syncwire.session;

import dev.syncwire.config.LimitsConfig;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Live sessions of this node, WebSocket and HTTP alike, counted per client address against
 * {@code limits.connectionsPerIp} and per tenant against {@code limits.connectionsPerTenant}. One instance
 * serves every event loop, so the limits hold per node; a limit of 0 counts nothing. Each successful
 * {@code tryAcquire...} must be matched by one {@code release...} when the session ends.
 */
public final class ConnectionLimits {
  /** How long a refused client is asked to wait: HTTP {@code Retry-After}, and {@code retryAfterMs} of the error. */
  public static final int RETRY_AFTER_SECONDS = 5;

  private final Counter perIp;
  private final Counter perTenant;

  public ConnectionLimits(int perIp, int perTenant) {
    this.perIp = new Counter(perIp);
    this.perTenant = new Counter(perTenant);
  }

  public static ConnectionLimits from(LimitsConfig limits) {
    return new ConnectionLimits(limits.connectionsPerIp(), limits.connectionsPerTenant());
  }

  /** Counts one more session from {@code ip}, unless that would pass the limit. */
  public boolean tryAcquireIp(String ip) {
    return perIp.tryAcquire(ip);
  }

  public void releaseIp(String ip) {
    perIp.release(ip);
  }

  /** Counts one more session of {@code tenant}, unless that would pass the limit. */
  public boolean tryAcquireTenant(String tenant) {
    return perTenant.tryAcquire(tenant);
  }

  public void releaseTenant(String tenant) {
    perTenant.release(tenant);
  }

  /** Sessions counted from {@code ip} (0 when there is no limit). */
  public int ipCount(String ip) {
    return perIp.count(ip);
  }

  /** Sessions counted for {@code tenant} (0 when there is no limit). */
  public int tenantCount(String tenant) {
    return perTenant.count(tenant);
  }

  public int perIpLimit() {
    return perIp.limit;
  }

  public int perTenantLimit() {
    return perTenant.limit;
  }

  /** Counts per key; a key whose count falls to zero is forgotten, so the map holds only live keys. */
  private static final class Counter {
    private final int limit;
    private final ConcurrentHashMap<String, Integer> counts = new ConcurrentHashMap<>();

    Counter(int limit) {
      this.limit = limit;
    }

    boolean tryAcquire(String key) {
      if (limit == 0) {
        return true;
      }
      boolean[] acquired = new boolean[1];
      counts.compute(key, (k, n) -> {
        int count = n == null ? 0 : n;
        if (count >= limit) {
          return n;
        }
        acquired[0] = true;
        return count + 1;
      });
      return acquired[0];
    }

    void release(String key) {
      if (limit > 0) {
        counts.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
      }
    }

    int count(String key) {
      return counts.getOrDefault(key, 0);
    }
  }
}
