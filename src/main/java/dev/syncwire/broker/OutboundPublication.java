package dev.syncwire.broker;

import dev.syncwire.channel.ChannelId;
import dev.syncwire.channel.Publication;
import dev.syncwire.protocol.JsonCodec;
import dev.syncwire.protocol.ServerFrame;

/**
 * A publication on its way to subscribers, with its {@code pub} frame encoded at most once per
 * encoding and then shared by every subscriber of every event loop.
 */
public final class OutboundPublication {
  private final ChannelId channel;
  private final Publication publication;
  // Written at most a few times with identical content (benign race between event loops).
  private volatile byte[] json;

  public OutboundPublication(ChannelId channel, Publication publication) {
    this.channel = channel;
    this.publication = publication;
  }

  public ChannelId channel() {
    return channel;
  }

  public Publication publication() {
    return publication;
  }

  public long seq() {
    return publication.seq();
  }

  public ServerFrame.Pub frame() {
    return new ServerFrame.Pub(channel.name(), publication.epoch(), publication.seq(), 0, publication.key(),
        publication.dataJson(), publication.patchJson());
  }

  /** The {@code pub} frame in JSON, encoded on first use. */
  public byte[] json() {
    byte[] bytes = json;
    if (bytes == null) {
      bytes = JsonCodec.encode(frame());
      json = bytes;
    }
    return bytes;
  }
}
