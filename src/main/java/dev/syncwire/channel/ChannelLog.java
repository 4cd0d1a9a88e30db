package dev.syncwire.channel;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The ordered log of one channel: sequencing within an epoch, history for recovery, the dedup window
 * and, once it has accepted a patch, its state. Not thread-safe: the channel's owner calls it from one
 * thread, which is what makes each publish atomic.
 */
public final class ChannelLog {
  private static final int FORMAT = 2;
  /**
   * The node's history budget, shared by every log of the process. Static because logs are also
   * created by the cluster's deserialization, which has no way to hand them node services.
   */
  private static volatile HistoryBudget budget;

  private final ChannelId id;
  private final String epoch;
  private final ChannelSettings settings;
  private final MemoryChannelHistory history;
  private final DedupWindow dedup;
  private ChannelState state;
  private long seq;

  public ChannelLog(ChannelId id, String epoch, ChannelSettings settings) {
    this(id, epoch, settings, new MemoryChannelHistory(epoch, id.tenant(), settings.historySize(),
        settings.historyTtlMs(), settings.historyMaxBytes(), budget));
  }

  /** Makes logs created from now on count against {@code budget} ({@code null}: no node budget). */
  public static void useBudget(HistoryBudget budget) {
    ChannelLog.budget = budget;
  }

  /** The budget logs count against, if any. */
  public static HistoryBudget budget() {
    return budget;
  }

  /**
   * A log that continues another copy's epoch at {@code seq} without what came before: a replica that
   * missed the start of a channel keeps the primary's position (never a new epoch, never seq 0) and
   * simply cannot replay what precedes it.
   */
  public static ChannelLog resumeAt(ChannelId id, String epoch, ChannelSettings settings, long seq) {
    ChannelLog log = new ChannelLog(id, epoch, settings);
    log.history.startAfter(seq);
    log.seq = seq;
    return log;
  }

  /**
   * Continues a log that an outside store kept: same epoch and seq, its history tail as history (what is
   * older than the history's bounds is left out), its keys in the dedup window for as long as the window
   * still covers them, and its state from the snapshot.
   */
  public static ChannelLog restore(ChannelId id, ChannelSettings settings, StoredLog stored, long nowMs) {
    ChannelLog log = new ChannelLog(id, stored.epoch(), settings);
    List<Publication> tail = stored.tail();
    boolean contiguous = !tail.isEmpty() && tail.get(tail.size() - 1).seq() == stored.seq();
    for (int i = 1; contiguous && i < tail.size(); i++) {
      contiguous = tail.get(i).seq() == tail.get(i - 1).seq() + 1;
    }
    if (!contiguous) {
      log.history.startAfter(stored.seq());
    } else {
      log.history.startAfter(tail.get(0).seq() - 1);
      for (int i = 0; i < tail.size(); i++) {
        Publication p = tail.get(i);
        long at = nowMs - stored.agesMs().get(i);
        log.history.append(p, at);
        if (p.key() != null) {
          log.dedup.record(p.key(), p.seq(), at);
        }
      }
    }
    log.seq = stored.seq();
    if (stored.stateSnapshot() != null) {
      log.state = ChannelState.fromSnapshot(new JsonObject(stored.stateSnapshot()), settings.stateLimits());
    }
    return log;
  }

  private ChannelLog(ChannelId id, String epoch, ChannelSettings settings, MemoryChannelHistory history) {
    this.id = id;
    this.epoch = epoch;
    this.settings = settings;
    this.history = history;
    this.dedup = new DedupWindow(settings.dedupWindowMs(), settings.dedupMaxKeys());
  }

  /**
   * Writes the whole log (position, settings, history, dedup keys, state) so that another process can
   * continue it with {@link #readFrom}: same epoch, same seq, same answers.
   */
  public void writeTo(DataOutput out, long nowMs) throws IOException {
    out.writeByte(FORMAT);
    out.writeUTF(id.tenant());
    out.writeUTF(id.name());
    out.writeUTF(epoch);
    out.writeInt(settings.historySize());
    out.writeLong(settings.historyTtlMs());
    out.writeLong(settings.dedupWindowMs());
    out.writeInt(settings.dedupMaxKeys());
    out.writeInt(settings.stateLimits().maxEntities());
    out.writeInt(settings.stateLimits().maxFields());
    out.writeInt(settings.stateLimits().maxValueBytes());
    out.writeLong(settings.maxRecoveryBytes());
    out.writeLong(settings.historyMaxBytes());
    out.writeLong(seq);
    history.writeTo(out, nowMs);
    dedup.writeTo(out, nowMs);
    out.writeBoolean(state != null);
    if (state != null) {
      state.writeTo(out);
    }
  }

  public static ChannelLog readFrom(DataInput in, long nowMs) throws IOException {
    int format = in.readByte();
    if (format != FORMAT) {
      throw new IOException("unknown channel log format " + format);
    }
    ChannelId id = new ChannelId(in.readUTF(), in.readUTF());
    String epoch = in.readUTF();
    ChannelSettings settings = new ChannelSettings(in.readInt(), in.readLong(), in.readLong(), in.readInt(),
        new StateLimits(in.readInt(), in.readInt(), in.readInt()), in.readLong(), in.readLong());
    long seq = in.readLong();
    MemoryChannelHistory history = MemoryChannelHistory.readFrom(in, epoch, id.tenant(), settings.historySize(),
        settings.historyTtlMs(), settings.historyMaxBytes(), budget, nowMs);
    ChannelLog log = new ChannelLog(id, epoch, settings, history);
    log.seq = seq;
    log.dedup.readFrom(in, nowMs);
    if (in.readBoolean()) {
      log.state = ChannelState.readFrom(in, settings.stateLimits());
    }
    return log;
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

  public boolean hasState() {
    return state != null;
  }

  public ChannelHistory history() {
    return history;
  }

  /**
   * Publishes {@code dataJson} or the patch in {@code patchJson} (exactly one), idempotently under
   * {@code key}. Whatever the client sent, the answer is an outcome, never an exception: a patch that
   * does not parse, is not valid or would pass a state limit is {@link PublishOutcome.Refused}.
   */
  public PublishOutcome publish(String key, String dataJson, String patchJson, long nowMs) {
    Patch patch = null;
    if (patchJson != null) {
      try {
        patch = Patch.parse(new JsonObject(patchJson));
      } catch (PatchException e) {
        return new PublishOutcome.Refused(e.kind(), e.getMessage());
      } catch (DecodeException | ClassCastException e) {
        return new PublishOutcome.Refused(PatchException.Kind.INVALID, "patch must be a JSON object");
      }
    }
    if (key != null) {
      long original = dedup.seqOf(key, nowMs);
      if (original > 0) {
        return new PublishOutcome.Duplicate(epoch, original);
      }
    }
    Map<String, Long> versions = null;
    String pubPatchJson = null;
    if (patch != null) {
      ChannelState target = state != null ? state : new ChannelState(settings.stateLimits());
      ChannelState.Conflict conflict = target.check(patch);
      if (conflict != null) {
        return new PublishOutcome.Conflicted(conflict.message(), conflict.current().encode());
      }
      try {
        target.validate(patch);
      } catch (PatchException e) {
        return new PublishOutcome.Refused(e.kind(), e.getMessage());
      }
      state = target;
      versions = state.apply(patch, seq + 1);
      pubPatchJson = patch.toPubJson(versions).encode();
    }
    Publication publication = new Publication(epoch, ++seq, key, dataJson, pubPatchJson);
    history.append(publication, nowMs);
    if (key != null) {
      dedup.record(key, publication.seq(), nowMs);
    }
    return new PublishOutcome.Accepted(publication, patch, versions);
  }

  /**
   * Applies a publication that this log's primary copy accepted, so that a replica stays identical
   * without deciding anything itself (clocks and windows may differ slightly between processes).
   */
  public void replicate(Publication publication, Patch patch, long nowMs) {
    if (publication.seq() != seq + 1 || !publication.epoch().equals(epoch)) {
      throw new IllegalStateException("replica of " + id + " at " + epoch + "/" + seq + " cannot take "
          + publication.epoch() + "/" + publication.seq());
    }
    if (patch != null) {
      if (state == null) {
        state = new ChannelState(settings.stateLimits());
      }
      state.apply(patch, publication.seq());
    }
    seq = publication.seq();
    history.append(publication, nowMs);
    if (publication.key() != null) {
      dedup.record(publication.key(), publication.seq(), nowMs);
    }
  }

  /**
   * Where a new subscriber starts. With {@code since} in this epoch and everything after it still in
   * history (and not larger than the recovery bound), the publications after it; otherwise the
   * current position, with the state's snapshot if the channel has state.
   */
  public Position subscribe(Since since, long nowMs) {
    if (since.isIn(epoch)) {
      List<Publication> missed = history.after(since.seq(), nowMs);
      if (missed != null && bytes(missed) <= settings.maxRecoveryBytes()) {
        return new Position(epoch, seq, true, missed, null);
      }
    }
    return new Position(epoch, seq, false, null, state == null ? null : state.snapshot(seq).encode());
  }

  /** The whole state as a snapshot, or null for a channel without state. */
  public String snapshotJson() {
    return state == null ? null : state.snapshot(seq).encode();
  }

  /**
   * Whether this log holds nothing worth keeping: no state, nothing in history or the dedup window.
   * Such a channel can be dropped when nobody follows it; it restarts with a new epoch.
   */
  public boolean isDisposable(long nowMs) {
    return state == null && history.size(nowMs) == 0 && dedup.size(nowMs) == 0;
  }

  private static long bytes(List<Publication> pubs) {
    long total = 0;
    for (Publication p : pubs) {
      total += (p.dataJson() != null ? p.dataJson().length() : p.patchJson().length()) + 64;
    }
    return total;
  }
}
