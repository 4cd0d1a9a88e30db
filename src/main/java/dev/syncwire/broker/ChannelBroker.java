package dev.syncwire.broker;

import dev.syncwire.channel.ChannelId;
import dev.syncwire.protocol.Command;
import io.vertx.core.Future;

/**
 * Sequences publications and routes them to subscribers. Contract, for every channel:
 * <ul>
 *   <li>{@link #publish} completes after the publication has its {@code seq}; every sink subscribed
 *   before that moment receives it, in {@code seq} order, exactly once.</li>
 *   <li>{@link #subscribe} registers the sink and completes with the channel's position at that
 *   moment; the sink receives every publication after it. Publications at or before that position
 *   may also reach the sink (when other subscriptions of the same sink exist) and must be ignored by
 *   the new subscription.</li>
 *   <li>{@link #unsubscribe} undoes one {@link #subscribe} of that sink.</li>
 * </ul>
 * Futures complete on the caller's context.
 */
public interface ChannelBroker {

  Future<PublishResult> publish(ChannelId channel, PublishRequest request);

  Future<SubscribeResult> subscribe(ChannelId channel, Command.Since since, PublicationSink sink);

  void unsubscribe(ChannelId channel, PublicationSink sink);

  /** Channels this node currently owns, with their position and subscriber sinks. */
  Future<java.util.List<ChannelInfo>> channels(String tenant);

  record PublishRequest(String key, String dataJson, String patchJson) {
  }

  record PublishResult(String epoch, long seq, boolean duplicate) {
  }

  /** The channel's position for a new subscription; {@code recovered} when {@code since} missed nothing. */
  record SubscribeResult(String epoch, long seq, boolean recovered) {
  }

  record ChannelInfo(String channel, String epoch, long seq, int sinks) {
  }
}
