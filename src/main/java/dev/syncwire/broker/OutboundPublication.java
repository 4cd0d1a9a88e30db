package dev.syncwire.broker;

import dev.syncwire.channel.ChannelId;
import dev.syncwire.channel.Patch;
import dev.syncwire.channel.Publication;
import dev.syncwire.protocol.FrameCodec;
import dev.syncwire.protocol.ServerFrame;

import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;

/**
 * A publication on its way to subscribers, with its {@code pub} frame encoded at most once per codec
 * and then shared by every subscriber of every event loop. A patch publication also carries the parsed
 * patch and its field versions, which a slow subscriber's queue needs for conflation.
 */
public final class OutboundPublication {
  private final ChannelId channel;
  private final Publication publication;
  private final Patch patch;
  private final Map<String, Long> versions;
  /** When the publication entered this node ({@link System#nanoTime()}), for the delivery latency. */
  private final long enteredNanos = System.nanoTime();
  // Each slot is written at most a few times with identical content (benign race between event loops).
  private final byte[][] encoded = new byte[2][];

  public OutboundPublication(ChannelId channel, Publication publication, Patch patch, Map<String, Long> versions) {
    this.channel = channel;
    this.publication = publication;
    this.patch = patch;
    this.versions = versions;
  }

  /**
   * A publication that comes as stored (from another node or a store): its patch and versions are read
   * back from the {@code pub} form of the patch.
   */
  public static OutboundPublication of(ChannelId id, Publication p) {
    if (p.patchJson() == null) {
      return new OutboundPublication(id, p, null, null);
    }
    JsonObject pubPatch = new JsonObject(p.patchJson());
    Map<String, Long> versions = new HashMap<>();
    pubPatch.getJsonObject("versions", new JsonObject())
        .forEach(e -> versions.put(e.getKey(), ((Number) e.getValue()).longValue()));
    return new OutboundPublication(id, p, Patch.parse(pubPatch), versions);
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

  /** The parsed patch of a state publication, or null for data (and for publications read back from history). */
  public Patch patch() {
    return patch;
  }

  public Map<String, Long> versions() {
    return versions;
  }

  public long enteredNanos() {
    return enteredNanos;
  }

  public ServerFrame.Pub frame() {
    return toFrame(channel.name(), publication);
  }

  public static ServerFrame.Pub toFrame(String channel, Publication p) {
    return new ServerFrame.Pub(channel, p.epoch(), p.seq(), 0, p.key(), p.dataJson(), p.patchJson());
  }

  /** The {@code pub} frame in {@code codec}'s encoding, encoded on first use. */
  public byte[] encoded(FrameCodec codec) {
    byte[] bytes = encoded[codec.slot()];
    if (bytes == null) {
      bytes = codec.encode(frame());
      encoded[codec.slot()] = bytes;
    }
    return bytes;
  }
}
