package dev.syncwire.broker;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** Hosts one {@link ChannelShard} of a {@link LocalChannelBroker} on this verticle's event loop. */
public final class ChannelVerticle extends VerticleBase {
  private final LocalChannelBroker broker;

  public ChannelVerticle(LocalChannelBroker broker) {
    this.broker = broker;
  }

  @Override
  public Future<?> start() {
    broker.addShard(context);
    return Future.succeededFuture();
  }
}
