package dev.syncwire.broker;

import dev.syncwire.channel.ChannelId;
import dev.syncwire.channel.ChannelSettings;
import dev.syncwire.channel.Publication;
import dev.syncwire.channel.StoredLog;
import io.vertx.core.Future;

import java.util.List;

/**
 * Where channel logs are kept beyond the nodes ({@code history.store}), so that a channel continues
 * its epoch after every node restarted. A publish is acknowledged only once its store has it.
 */
public interface LogStore {

  /**
   * Writes {@code pubs} (consecutive, of {@code epoch}) after what the store holds; those it already
   * holds are skipped, so a write may be repeated. {@code acceptedAtMs} are wall-clock times, one per
   * publication; {@code snapshot} is the state after them, or null when they left it unchanged.
   * When the store holds less than the publication before the first of {@code pubs}, the write fails with
   * {@link Gap}, or, with {@code restartIfBehind}, the store's history starts again at {@code pubs}.
   *
   * @return the seq the store now holds; fails with {@link Gap}, or with another exception when the store
   *     is unavailable
   */
  Future<Long> append(ChannelId id, ChannelSettings settings, String epoch, List<Publication> pubs,
                      long[] acceptedAtMs, String snapshot, boolean restartIfBehind);

  /** What the store holds of the channel, ages measured from {@code wallNowMs}; null when nothing. */
  Future<StoredLog> load(ChannelId id, ChannelSettings settings, long wallNowMs);

  /** Whether the store can be reached now; publishes fail fast with {@code unavailable} while it cannot. */
  boolean available();

  /** A write that would leave a hole: the store holds the channel up to {@code storedSeq} only. */
  final class Gap extends IllegalStateException {
    private final long storedSeq;

    public Gap(long storedSeq) {
      super("the store holds the channel up to " + storedSeq + " only", null);
      this.storedSeq = storedSeq;
    }

    public long storedSeq() {
      return storedSeq;
    }
  }
}
