package dev.syncwire.broker;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * Hosts one {@link ChannelShard} of a {@link LocalChannelBroker} on this verticle's event loop, and
 * now and then forgets the shard's channels that hold nothing and have no subscribers.
 */
public final class ChannelVerticle extends VerticleBase {
  static final long SWEEP_INTERVAL_MS = 30_000;

  private final LocalChannelBroker broker;

  public ChannelVerticle(LocalChannelBroker broker) {
    this.broker = broker;
  }

  @Override
  public Future<?> start() {
    ChannelShard shard = broker.addShard(context);
    vertx.setPeriodic(SWEEP_INTERVAL_MS, id -> shard.sweep());
    return Future.succeededFuture();
  }
}
