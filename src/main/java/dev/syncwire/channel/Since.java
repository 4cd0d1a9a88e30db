package dev.syncwire.channel;

/**
 * The position a subscriber says it has reached, a subscribe's {@code since} (docs/protocol.md §6.3):
 * the epoch and the last seq it applied, or {@link #NONE} when it names none.
 */
public record Since(String epoch, long seq) {
  /** No position: the subscriber starts at the channel's current one. */
  public static final Since NONE = new Since(null, 0);

  public Since {
    if (seq < 0 || (epoch == null && seq != 0)) {
      throw new IllegalArgumentException("no position at epoch " + epoch + ", seq " + seq);
    }
  }

  /** Whether this is a position in {@code epoch}: only then can what followed it be replayed. */
  public boolean isIn(String epoch) {
    return this.epoch != null && this.epoch.equals(epoch);
  }
}
