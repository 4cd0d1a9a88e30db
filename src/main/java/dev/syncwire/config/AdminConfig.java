package dev.syncwire.config;

import static dev.syncwire.config.SyncwireConfig.ADMIN_HOST;
import static dev.syncwire.config.SyncwireConfig.ADMIN_KEY;
import static dev.syncwire.config.SyncwireConfig.ADMIN_PORT;
import static dev.syncwire.config.SyncwireConfig.ADMIN_TLS_CERT_PATH;
import static dev.syncwire.config.SyncwireConfig.ADMIN_TLS_KEY_PATH;

/**
 * The admin port: {@code admin.*}.
 *
 * @param key the bearer key of {@code /api/v1}; empty disables the admin API
 * @param tls the port's certificate and key, {@link TlsConfig#OFF} for plain HTTP
 */
public record AdminConfig(String host, int port, String key, TlsConfig tls) {
  /** An admin port in plain HTTP. */
  public AdminConfig(String host, int port, String key) {
    this(host, port, key, TlsConfig.OFF);
  }

  static AdminConfig from(ConfigValues v) {
    return new AdminConfig(v.get(ADMIN_HOST), v.integer(ADMIN_PORT), v.get(ADMIN_KEY),
        TlsConfig.from(v, ADMIN_TLS_CERT_PATH, ADMIN_TLS_KEY_PATH));
  }

  // The key is a secret: keep it out of logs.
  @Override
  public String toString() {
    return "AdminConfig[host=" + host + ", port=" + port + ", key=" + (key.isEmpty() ? "" : "***") + ", tls=" + tls
        + "]";
  }
}
