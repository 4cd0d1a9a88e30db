package dev.syncwire.broker;

import dev.syncwire.channel.ChannelId;
import dev.syncwire.channel.Position;
import dev.syncwire.channel.PublishOutcome;
import dev.syncwire.channel.Since;
import dev.syncwire.protocol.ErrorCode;
import dev.syncwire.protocol.ProtocolException;
import io.vertx.core.Future;

import java.util.List;

/**
 * Sequences publications and routes them to subscribers. Contract, for every channel:
 * <ul>
 *   <li>{@link #publish} completes after the publication has its {@code seq}; every sink subscribed
 *   before that moment receives it, in {@code seq} order, exactly once. A key already accepted in the
 *   dedup window completes with the original seq and {@code duplicate}; a refused patch fails with a
 *   {@link ProtocolException} carrying the error code ({@link PublishAck#of}).</li>
 *   <li>{@link #subscribe} registers the sink and completes with the channel's position at that
 *   moment (with the replay or snapshot of docs/protocol.md §6.3); the sink receives every publication after
 *   it. Publications at or before that position may also reach the sink (when other subscriptions of
 *   the same sink exist) and must be ignored by the new subscription.</li>
 *   <li>{@link #unsubscribe} undoes one {@link #subscribe} of that sink.</li>
 * </ul>
 * Futures complete on the caller's context.
 */
public interface ChannelBroker {

  Future<PublishAck> publish(ChannelId channel, PublishRequest request);

  /** {@code since} is {@link Since#NONE} for a subscribe that names no position. */
  Future<Position> subscribe(ChannelId channel, Since since, PublicationSink sink);

  void unsubscribe(ChannelId channel, PublicationSink sink);

  /** The channels of {@code tenant} this node owns, with their position and subscriptions. */
  Future<List<ChannelInfo>> channels(String tenant);

  /** One channel's position and state snapshot (null without state); fails with not_found if unknown. */
  Future<ChannelDetail> channel(ChannelId channel);

  /** Exactly one of {@code dataJson} and {@code patchJson}; {@code key} is the optional idempotency key. */
  /**
   * One publish. {@code traceparent} is the W3C context of the publish's span, set only while tracing is on,
   * so that the owner and the fan-out continue its trace.
   */
  record PublishRequest(String key, String dataJson, String patchJson, String traceparent) {
    public PublishRequest(String key, String dataJson, String patchJson) {
      this(key, dataJson, patchJson, null);
    }

    /** About the memory this request holds while it waits (characters of its strings). */
    public int bytes() {
      return 64 + length(key) + length(dataJson) + length(patchJson);
    }

    private static int length(String s) {
      return s == null ? 0 : s.length();
    }
  }

  /** The {@code ack} of a publish: its position, and whether its key had already been accepted. */
  record PublishAck(String epoch, long seq, boolean duplicate) {
    /**
     * Translates a publish's outcome for the client, the one place this is done: accepted and duplicate
     * are acknowledged; the others fail with their error code (docs/protocol.md §4.2).
     *
     * @throws ProtocolException {@code conflict} (with the current versions), {@code bad_request} or
     *     {@code too_large}
     */
    public static PublishAck of(PublishOutcome outcome) {
      if (outcome instanceof PublishOutcome.Accepted accepted) {
        return new PublishAck(accepted.publication().epoch(), accepted.publication().seq(), false);
      }
      if (outcome instanceof PublishOutcome.Duplicate duplicate) {
        return new PublishAck(duplicate.epoch(), duplicate.seq(), true);
      }
      if (outcome instanceof PublishOutcome.Conflicted conflicted) {
        throw new ProtocolException(ErrorCode.CONFLICT, conflicted.message(), null, conflicted.currentJson());
      }
      PublishOutcome.Refused refused = (PublishOutcome.Refused) outcome;
      ErrorCode code = switch (refused.reason()) {
        case INVALID -> ErrorCode.BAD_REQUEST;
        case TOO_LARGE -> ErrorCode.TOO_LARGE;
      };
      throw new ProtocolException(code, refused.message());
    }
  }

  record ChannelInfo(String channel, String epoch, long seq, int subscriptions) {
  }

  /** {@code owner} names the node that owns the channel (this node when it runs alone). */
  record ChannelDetail(ChannelInfo info, String snapshotJson, String owner) {
  }
}
