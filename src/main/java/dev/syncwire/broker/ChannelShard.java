package dev.syncwire.broker;

import dev.syncwire.channel.ChannelId;
import dev.syncwire.channel.ChannelLog;
import dev.syncwire.channel.Epochs;
import dev.syncwire.channel.Publication;
import dev.syncwire.protocol.Command;
import io.vertx.core.Context;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Owns a share of the node's channels. Every method runs on the shard's event loop; this is the only
 * place a channel's log is read or written.
 */
final class ChannelShard {
  private final Context context;
  private final Map<ChannelId, OwnedChannel> channels = new HashMap<>();

  ChannelShard(Context context) {
    this.context = context;
  }

  Context context() {
    return context;
  }

  ChannelBroker.PublishResult publish(ChannelId id, ChannelBroker.PublishRequest request) {
    OwnedChannel channel = channel(id);
    Publication publication = channel.log.append(request.key(), request.dataJson(), request.patchJson());
    OutboundPublication outbound = new OutboundPublication(id, publication);
    for (PublicationSink sink : channel.sinks.keySet()) {
      sink.deliver(id, outbound);
    }
    return new ChannelBroker.PublishResult(publication.epoch(), publication.seq(), false);
  }

  ChannelBroker.SubscribeResult subscribe(ChannelId id, Command.Since since, PublicationSink sink) {
    OwnedChannel channel = channel(id);
    channel.sinks.merge(sink, 1, Integer::sum);
    boolean recovered = since != null && channel.log.isCurrent(since.epoch(), since.seq());
    return new ChannelBroker.SubscribeResult(channel.log.epoch(), channel.log.seq(), recovered);
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
        out.add(new ChannelBroker.ChannelInfo(id.name(), ch.log.epoch(), ch.log.seq(),
            ch.sinks.values().stream().mapToInt(Integer::intValue).sum()));
      }
    });
    return out;
  }

  private OwnedChannel channel(ChannelId id) {
    return channels.computeIfAbsent(id, k -> new OwnedChannel(new ChannelLog(k, Epochs.next())));
  }

  /** A channel's log and the sinks that follow it, each with its number of subscriptions. */
  private static final class OwnedChannel {
    final ChannelLog log;
    final Map<PublicationSink, Integer> sinks = new HashMap<>();

    OwnedChannel(ChannelLog log) {
      this.log = log;
    }
  }
}
