package dev.syncwire.config;

import static dev.syncwire.config.SyncwireConfig.HEARTBEAT_INTERVAL_MS;
import static dev.syncwire.config.SyncwireConfig.HEARTBEAT_MAX_MISSED_PONGS;

/** Session heartbeats: {@code heartbeat.*}. */
public record HeartbeatConfig(long intervalMs, int maxMissedPongs) {
  static HeartbeatConfig from(ConfigValues v) {
    return new HeartbeatConfig(v.number(HEARTBEAT_INTERVAL_MS), v.integer(HEARTBEAT_MAX_MISSED_PONGS));
  }
}
