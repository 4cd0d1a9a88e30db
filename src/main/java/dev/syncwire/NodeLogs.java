package dev.syncwire;

import dev.syncwire.config.SyncwireConfig;
import dev.syncwire.config.TenantConfig;
import dev.syncwire.telemetry.JsonLogFormatter;
import dev.syncwire.telemetry.LogSetup;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;

/** The launcher's side of logging: the format and the secrets to mask, from the configuration. */
final class NodeLogs {
  private NodeLogs() {
  }

  /** From now on log lines take {@code log.format}, and never show the configuration's secrets. */
  static void install(SyncwireConfig config) {
    LogSetup.install(config.log().json(), config.node().id(), secrets(config));
  }

  /**
   * Writes the one line that stops the node at start (a configuration it refuses) on standard error: a JSON
   * line when JSON logs were asked for, even by a configuration that does not load ({@code conf} may be null).
   */
  static void printError(String message, JsonObject conf) {
    if (jsonRequested(conf)) {
      System.err.print(JsonLogFormatter.line(Level.SEVERE, Syncwire.class.getName(), message, ""));
    } else {
      System.err.println(message);
    }
  }

  /** What the log lines must never show: the admin key and the tenants' HMAC secrets. */
  private static List<String> secrets(SyncwireConfig config) {
    List<String> secrets = new ArrayList<>();
    secrets.add(config.admin().key());
    for (TenantConfig tenant : config.tenants()) {
      for (TenantConfig.KeyConfig key : tenant.keys()) {
        if (key.secret() != null) {
          secrets.add(key.secret());
        }
      }
    }
    return secrets;
  }

  // Where the configuration would have read log.format from, in the same order: environment, property, file.
  private static boolean jsonRequested(JsonObject conf) {
    String format = System.getenv(SyncwireConfig.LOG_FORMAT.envName());
    if (format == null) {
      format = System.getProperty(SyncwireConfig.LOG_FORMAT.propertyName());
    }
    if (format == null && conf != null && SyncwireConfig.rawValue(conf, SyncwireConfig.LOG_FORMAT) instanceof String) {
      format = (String) SyncwireConfig.rawValue(conf, SyncwireConfig.LOG_FORMAT);
    }
    return format != null && format.trim().equals("json");
  }
}
