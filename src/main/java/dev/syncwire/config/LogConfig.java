package dev.syncwire.config;

import static dev.syncwire.config.SyncwireConfig.LOG_FORMAT;

/**
 * The node's log lines: {@code log.format}.
 *
 * @param json whether each line is one JSON object rather than java.util.logging's text
 */
public record LogConfig(boolean json) {
  static LogConfig from(ConfigValues v) {
    String format = v.get(LOG_FORMAT).trim();
    if (!format.equals("text") && !format.equals("json")) {
      throw new ConfigException(LOG_FORMAT.path(), "must be \"text\" or \"json\"", v.get(LOG_FORMAT));
    }
    return new LogConfig(format.equals("json"));
  }
}
