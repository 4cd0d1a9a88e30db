package dev.syncwire.broker;

import dev.syncwire.channel.ChannelId;
import dev.syncwire.channel.ChannelLog;
import dev.syncwire.channel.ChannelSettings;
import dev.syncwire.channel.Epochs;
import dev.syncwire.channel.MonotonicClock;
import dev.syncwire.channel.Position;
import dev.syncwire.channel.PublishOutcome;
import dev.syncwire.channel.Since;
import dev.syncwire.protocol.ErrorCode;
import dev.syncwire.protocol.ProtocolException;
import io.vertx.core.Context;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Owns a share of the node's channels. Every method runs on the shard's event loop; this is the only
 * place a channel's log is read or written.
 */
final class ChannelShard {
  private final Context context;
  private final Function<String, ChannelSettings> settings;
  private final Map<ChannelId, OwnedChannel> channels = new HashMap<>();

  ChannelShard(Context context, Function<String, ChannelSettings> settings) {
    this.context = context;
    this.settings = settings;
  }

  Context context() {
    return context;
  }

  ChannelBroker.PublishAck publish(ChannelId id, ChannelBroker.PublishRequest request) {
    OwnedChannel channel = channel(id);
    PublishOutcome outcome = channel.log.publish(request.key(), request.dataJson(), request.patchJson(), now());
    if (outcome instanceof PublishOutcome.Accepted accepted) {
      OutboundPublication outbound = new OutboundPublication(id, accepted.publication(), accepted.patch(),
          accepted.versions());
      for (PublicationSink sink : channel.sinks.keySet()) {
        sink.deliver(id, outbound);
      }
    }
    return ChannelBroker.PublishAck.of(outcome);
  }

  Position subscribe(ChannelId id, Since since, PublicationSink sink) {
    OwnedChannel channel = channel(id);
    channel.sinks.merge(sink, 1, Integer::sum);
    return channel.log.subscribe(since, now());
  }

  void unsubscribe(ChannelId id, PublicationSink sink) {
    OwnedChannel channel = channels.get(id);
    if (channel != null) {
      channel.sinks.computeIfPresent(sink, (s, n) -> n > 1 ? n - 1 : null);
    }
  }

  List<ChannelBroker.ChannelInfo> channels(String tenant) {
    List<ChannelBroker.ChannelInfo> out = new ArrayList<>();
    channels.forEach((id, ch) -> {
      if (tenant == null || tenant.equals(id.tenant())) {
        out.add(ch.info());
      }
    });
    return out;
  }

  ChannelBroker.ChannelDetail detail(ChannelId id) {
    OwnedChannel channel = channels.get(id);
    if (channel == null) {
      throw new ProtocolException(ErrorCode.NOT_FOUND, "no such channel");
    }
    return new ChannelBroker.ChannelDetail(channel.info(), channel.log.snapshotJson(), null);
  }

  /** Forgets channels that nobody follows and that hold nothing: no state, history or dedup keys. */
  int sweep() {
    long now = now();
    int removed = 0;
    for (Iterator<OwnedChannel> it = channels.values().iterator(); it.hasNext(); ) {
      OwnedChannel channel = it.next();
      if (channel.sinks.isEmpty() && channel.log.isDisposable(now)) {
        it.remove();
        removed++;
      }
    }
    return removed;
  }

  int channelCount() {
    return channels.size();
  }

  private OwnedChannel channel(ChannelId id) {
    return channels.computeIfAbsent(id, k -> new OwnedChannel(new ChannelLog(k, Epochs.next(), settings.apply(k.tenant()))));
  }

  private static long now() {
    return MonotonicClock.nowMs();
  }

  /** A channel's log and the sinks that follow it, each with its number of subscriptions. */
  private static final class OwnedChannel {
    final ChannelLog log;
    // One entry per event loop with subscribers: usually one or two.
    final Map<PublicationSink, Integer> sinks = new HashMap<>(4);

    OwnedChannel(ChannelLog log) {
      this.log = log;
    }

    ChannelBroker.ChannelInfo info() {
      return new ChannelBroker.ChannelInfo(log.id().name(), log.epoch(), log.seq(),
          sinks.values().stream().mapToInt(Integer::intValue).sum());
    }
  }
}
