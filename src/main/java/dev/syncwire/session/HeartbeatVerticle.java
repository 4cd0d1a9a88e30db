package dev.syncwire.session;

import dev.syncwire.config.HeartbeatConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * One timer for the whole node: every {@code heartbeat.intervalMs} it asks each event loop to ping its
 * sessions and to drop those that missed {@code heartbeat.maxMissedPongs} pongs in a row.
 */
public final class HeartbeatVerticle extends VerticleBase {
  private final Hubs hubs;
  private final long intervalMs;
  private final int maxMissedPongs;

  public HeartbeatVerticle(Hubs hubs, HeartbeatConfig config) {
    this.hubs = hubs;
    this.intervalMs = config.intervalMs();
    this.maxMissedPongs = config.maxMissedPongs();
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(intervalMs, id -> {
      for (EventLoopHub hub : hubs.all()) {
        hub.context().runOnContext(v -> hub.heartbeat(maxMissedPongs));
      }
    });
    return Future.succeededFuture();
  }
}
