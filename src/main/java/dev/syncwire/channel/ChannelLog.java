package dev.syncwire.channel;

/**
 * The ordered log of one channel. Every accepted publication gets {@code seq} = previous + 1 within the
 * channel's epoch, starting at 1. Not thread-safe: the channel's owner calls it from one thread.
 */
public final class ChannelLog {
  private final ChannelId id;
  private final String epoch;
  private long seq;

  public ChannelLog(ChannelId id, String epoch) {
    this.id = id;
    this.epoch = epoch;
  }

  public ChannelId id() {
    return id;
  }

  public String epoch() {
    return epoch;
  }

  /** The seq of the last accepted publication, 0 before the first. */
  public long seq() {
    return seq;
  }

  /** Accepts a publication and gives it the next seq. */
  public Publication append(String key, String dataJson, String patchJson) {
    return new Publication(epoch, ++seq, key, dataJson, patchJson);
  }

  /**
   * Whether a subscriber at {@code sinceEpoch}/{@code sinceSeq} has missed nothing, so that it can
   * continue without a reset.
   */
  public boolean isCurrent(String sinceEpoch, long sinceSeq) {
    return epoch.equals(sinceEpoch) && sinceSeq == seq;
  }
}
