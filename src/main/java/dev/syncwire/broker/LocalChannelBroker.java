package dev.syncwire.broker;

import dev.syncwire.channel.ChannelId;
import dev.syncwire.channel.ChannelSettings;
import dev.syncwire.channel.Position;
import dev.syncwire.channel.Since;
import dev.syncwire.internals.VertxInternals;
import dev.syncwire.protocol.Command;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The single-node broker: each channel is owned by one {@link ChannelShard}, chosen by hash, and all of
 * a channel's state lives on that shard's event loop, so it needs no locks.
 */
public final class LocalChannelBroker implements ChannelBroker {
  private final List<ChannelShard> shards = new CopyOnWriteArrayList<>();
  private final Vertx vertx;
  private final Function<String, ChannelSettings> settings;
  private final LogStore store;

  /** {@code settings} gives the history, dedup and state bounds of a tenant's channels. */
  public LocalChannelBroker(Vertx vertx, Function<String, ChannelSettings> settings) {
    this(vertx, settings, null);
  }

  /** With {@code store}, channel logs are kept there too, and a publish is acknowledged once it has it. */
  public LocalChannelBroker(Vertx vertx, Function<String, ChannelSettings> settings, LogStore store) {
    this.vertx = vertx;
    this.settings = settings;
    this.store = store;
  }

  /** Adds a shard running on {@code context}; called by each {@link ChannelVerticle} as it starts. */
  ChannelShard addShard(Context context) {
    ChannelShard shard = new ChannelShard(context, settings, store);
    shards.add(shard);
    return shard;
  }

  int shardCount() {
    return shards.size();
  }

  private ChannelShard shardFor(ChannelId id) {
    return shards.get(Math.floorMod(id.hashCode(), shards.size()));
  }

  @Override
  public Future<PublishAck> publish(ChannelId channel, PublishRequest request) {
    ChannelShard shard = shardFor(channel);
    Promise<PublishAck> promise = callerPromise();
    shard.context().runOnContext(v -> {
      try {
        shard.publish(channel, request).onComplete(promise);
      } catch (RuntimeException e) {
        promise.fail(e);
      }
    });
    return promise.future();
  }

  @Override
  public Future<Position> subscribe(ChannelId channel, Since since, PublicationSink sink) {
    ChannelShard shard = shardFor(channel);
    Promise<Position> promise = callerPromise();
    shard.context().runOnContext(v -> shard.subscribe(channel, since, sink).onComplete(promise));
    return promise.future();
  }

  @Override
  public void unsubscribe(ChannelId channel, PublicationSink sink) {
    ChannelShard shard = shardFor(channel);
    shard.context().runOnContext(v -> shard.unsubscribe(channel, sink));
  }

  @Override
  public Future<ChannelDetail> channel(ChannelId channel) {
    ChannelShard shard = shardFor(channel);
    Promise<ChannelDetail> promise = callerPromise();
    shard.context().runOnContext(v -> {
      shard.detail(channel).onComplete(promise);
    });
    return promise.future();
  }

  @Override
  public Future<List<ChannelInfo>> channels(String tenant) {
    Promise<List<ChannelInfo>> promise = callerPromise();
    List<Future<List<ChannelInfo>>> parts = new ArrayList<>();
    for (ChannelShard shard : shards) {
      Promise<List<ChannelInfo>> part = Promise.promise();
      shard.context().runOnContext(v -> part.complete(shard.channels(tenant)));
      parts.add(part.future());
    }
    Future.all(parts).onComplete(ar -> {
      List<ChannelInfo> all = new ArrayList<>();
      parts.forEach(p -> all.addAll(p.result()));
      all.sort(java.util.Comparator.comparing(ChannelInfo::channel));
      promise.complete(all);
    });
    return promise.future();
  }

  // Completing this promise from a shard runs the caller's callbacks back on the caller's context.
  private <T> Promise<T> callerPromise() {
    Context current = vertx.getOrCreateContext();
    return VertxInternals.promise(current);
  }
}
