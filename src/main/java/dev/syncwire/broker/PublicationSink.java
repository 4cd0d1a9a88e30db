package dev.syncwire.broker;

import dev.syncwire.channel.ChannelId;

/**
 * Receives the publications of channels it subscribed to, from any thread. For each channel, calls
 * arrive in strictly increasing {@code seq} order; an implementation hands them to its own thread.
 */
public interface PublicationSink {
  void deliver(ChannelId channel, OutboundPublication publication);

  /** The channel can no longer continue in order for this sink's subscribers (docs/protocol.md §6.2). */
  void reset(ChannelId channel, String reason);
}
