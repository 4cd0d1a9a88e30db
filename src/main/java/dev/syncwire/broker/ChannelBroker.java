package dev.syncwire.broker;

import dev.syncwire.channel.ChannelId;
import dev.syncwire.channel.Publication;
import dev.syncwire.protocol.Command;
import io.vertx.core.Future;

import java.util.List;

/**
 * Sequences publications and routes them to subscribers. Contract, for every channel:
 * <ul>
 *   <li>{@link #publish} completes after the publication has its {@code seq}; every sink subscribed
 *   before that moment receives it, in {@code seq} order, exactly once. A key already accepted in the
 *   dedup window completes with the original seq and {@code duplicate}; a refused patch fails with a
 *   {@link dev.syncwire.protocol.ProtocolException} carrying the error code.</li>
 *   <li>{@link #subscribe} registers the sink and completes with the channel's position at that
 *   moment (with the replay or snapshot of docs/protocol.md §6.3); the sink receives every publication after
 *   it. Publications at or before that position may also reach the sink (when other subscriptions of
 *   the same sink exist) and must be ignored by the new subscription.</li>
 *   <li>{@link #unsubscribe} undoes one {@link #subscribe} of that sink.</li>
 * </ul>
 * Futures complete on the caller's context.
 */
public interface ChannelBroker {

  Future<PublishResult> publish(ChannelId channel, PublishRequest request);

  Future<SubscribeResult> subscribe(ChannelId channel, Command.Since since, PublicationSink sink);

  void unsubscribe(ChannelId channel, PublicationSink sink);

  /** The channels of {@code tenant} this node owns, with their position and subscriptions. */
  Future<List<ChannelInfo>> channels(String tenant);

  /** One channel's position and state snapshot (null without state); fails with not_found if unknown. */
  Future<ChannelDetail> channel(ChannelId channel);

  /** Exactly one of {@code dataJson} and {@code patchJson}; {@code key} is the optional idempotency key. */
  record PublishRequest(String key, String dataJson, String patchJson) {
    /** About the memory this request holds while it waits (characters of its strings). */
    public int bytes() {
      return 64 + length(key) + length(dataJson) + length(patchJson);
    }

    private static int length(String s) {
      return s == null ? 0 : s.length();
    }
  }

  record PublishResult(String epoch, long seq, boolean duplicate) {
  }

  /**
   * Where a new subscription starts: {@code recovered} with the missed {@code pubs}, or not, with the
   * {@code snapshotJson} of a channel with state.
   */
  record SubscribeResult(String epoch, long seq, boolean recovered, List<Publication> pubs, String snapshotJson) {
  }

  record ChannelInfo(String channel, String epoch, long seq, int subscriptions) {
  }

  /** {@code owner} names the node that owns the channel (this node when it runs alone). */
  record ChannelDetail(ChannelInfo info, String snapshotJson, String owner) {
  }
}
