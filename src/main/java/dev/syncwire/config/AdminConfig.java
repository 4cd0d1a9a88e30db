package dev.syncwire.config;

import static dev.syncwire.config.SyncwireConfig.ADMIN_HOST;
import static dev.syncwire.config.SyncwireConfig.ADMIN_KEY;
import static dev.syncwire.config.SyncwireConfig.ADMIN_PORT;

/**
 * The admin port: {@code admin.*}.
 *
 * @param key the bearer key of {@code /api/v1}; empty disables the admin API
 */
public record AdminConfig(String host, int port, String key) {
  static AdminConfig from(ConfigValues v) {
    return new AdminConfig(v.get(ADMIN_HOST), v.integer(ADMIN_PORT), v.get(ADMIN_KEY));
  }

  // The key is a secret: keep it out of logs.
  @Override
  public String toString() {
    return "AdminConfig[host=" + host + ", port=" + port + ", key=" + (key.isEmpty() ? "" : "***") + "]";
  }
}
