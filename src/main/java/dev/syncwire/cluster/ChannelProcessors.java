package dev.syncwire.cluster;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import dev.syncwire.channel.ChannelId;
import dev.syncwire.channel.ChannelLog;
import dev.syncwire.channel.ChannelSettings;
import dev.syncwire.channel.Epochs;
import dev.syncwire.channel.MonotonicClock;
import dev.syncwire.channel.Patch;
import dev.syncwire.channel.PatchException;
import dev.syncwire.channel.Publication;
import dev.syncwire.channel.PublishOutcome;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.Serializable;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The operations on a channel's entry, run by Hazelcast on the partition owner of the channel's key,
 * one at a time per key: that is what gives each channel one sequence across the cluster. Operations
 * that change an entry hand their decision to a backup processor, which replays it on each backup
 * copy before the caller hears back.
 */
final class ChannelProcessors {
  private ChannelProcessors() {
  }

  static String key(ChannelId id) {
    return id.tenant() + "/" + id.name();
  }

  private static ChannelId id(String key) {
    int slash = key.indexOf('/');
    return new ChannelId(key.substring(0, slash), key.substring(slash + 1));
  }

  /** What became of a publish. {@code kind} is one of the constants below. */
  record PublishReply(int kind, String epoch, long seq, String message, String currentJson,
                      Publication publication, Set<String> nodes) implements Serializable {
    static final int ACCEPTED = 0;
    static final int DUPLICATE = 1;
    static final int CONFLICT = 2;
    static final int INVALID = 3;
    static final int TOO_LARGE = 4;
  }

  /** A position in a channel as {@link ChannelLog#subscribe} answers it. */
  record PositionReply(String epoch, long seq, boolean recovered, List<Publication> pubs, String snapshotJson)
      implements Serializable {
  }

  /** What an owner announces of a channel: its position and the nodes that follow it. */
  record Announcement(String epoch, long seq, Set<String> nodes) implements Serializable {
  }

  /** One channel as the admin API lists it. */
  record Summary(String channel, String epoch, long seq, int nodes, String snapshotJson) implements Serializable {
  }

  private static ChannelEntry create(Map.Entry<String, ChannelEntry> entry, ChannelSettings settings, String epoch) {
    return new ChannelEntry(new ChannelLog(id(entry.getKey()), epoch, settings));
  }

  /** Sequences a publish; the decision goes to backups as a {@link Replicate}. */
  static final class Publish implements EntryProcessor<String, ChannelEntry, PublishReply> {
    private final String key;
    private final String dataJson;
    private final String patchJson;
    private final ChannelSettings settings;
    private transient Replicate backup;

    Publish(String key, String dataJson, String patchJson, ChannelSettings settings) {
      this.key = key;
      this.dataJson = dataJson;
      this.patchJson = patchJson;
      this.settings = settings;
    }

    @Override
    public PublishReply process(Map.Entry<String, ChannelEntry> entry) {
      ChannelEntry e = entry.getValue();
      boolean created = e == null;
      if (created) {
        e = create(entry, settings, Epochs.next());
      }
      PublishOutcome outcome;
      try {
        Patch patch = patchJson == null ? null : Patch.parse(new JsonObject(patchJson));
        outcome = e.log.publish(key, dataJson, patch, MonotonicClock.nowMs());
      } catch (PatchException ex) {
        return new PublishReply(ex.kind() == PatchException.Kind.TOO_LARGE ? PublishReply.TOO_LARGE : PublishReply.INVALID,
            null, 0, ex.getMessage(), null, null, null);
      } catch (DecodeException | ClassCastException ex) {
        return new PublishReply(PublishReply.INVALID, null, 0, "patch must be a JSON object", null, null, null);
      }
      if (outcome instanceof PublishOutcome.Duplicate) {
        PublishOutcome.Duplicate d = (PublishOutcome.Duplicate) outcome;
        return new PublishReply(PublishReply.DUPLICATE, d.epoch(), d.seq(), null, null, null, null);
      }
      if (outcome instanceof PublishOutcome.Conflicted) {
        PublishOutcome.Conflicted c = (PublishOutcome.Conflicted) outcome;
        return new PublishReply(PublishReply.CONFLICT, e.log.epoch(), e.log.seq(), c.conflict().message(),
            c.conflict().current().encode(), null, null);
      }
      Publication p = ((PublishOutcome.Accepted) outcome).publication();
      entry.setValue(e);
      backup = new Replicate(created ? p.epoch() : null, settings, p, patchJson);
      return new PublishReply(PublishReply.ACCEPTED, p.epoch(), p.seq(), null, null, p, new HashSet<>(e.nodes));
    }

    @Override
    public EntryProcessor<String, ChannelEntry, PublishReply> getBackupProcessor() {
      return backup;
    }
  }

  /** Applies on a backup copy what the primary accepted. */
  static final class Replicate implements EntryProcessor<String, ChannelEntry, PublishReply> {
    private final String createdEpoch;
    private final ChannelSettings settings;
    private final Publication publication;
    private final String patchJson;

    Replicate(String createdEpoch, ChannelSettings settings, Publication publication, String patchJson) {
      this.createdEpoch = createdEpoch;
      this.settings = settings;
      this.publication = publication;
      this.patchJson = patchJson;
    }

    @Override
    public PublishReply process(Map.Entry<String, ChannelEntry> entry) {
      ChannelEntry e = entry.getValue();
      if (e == null) {
        e = create(entry, settings, createdEpoch != null ? createdEpoch : publication.epoch());
      }
      Patch patch = patchJson == null ? null : Patch.parse(new JsonObject(patchJson));
      e.log.replicate(publication, patch, MonotonicClock.nowMs());
      entry.setValue(e);
      return null;
    }

    @Override
    public EntryProcessor<String, ChannelEntry, PublishReply> getBackupProcessor() {
      return null;
    }
  }

  /**
   * Registers a node as a follower of the channel (creating the channel if new) and answers the position
   * for {@code since}: the one operation behind a first subscribe, a resubscribe, and a node's repair.
   */
  static final class Subscribe implements EntryProcessor<String, ChannelEntry, PositionReply> {
    private final String node;
    private final String sinceEpoch;
    private final long sinceSeq;
    private final boolean hasSince;
    private final ChannelSettings settings;
    private transient AddNode backup;

    Subscribe(String node, String sinceEpoch, long sinceSeq, boolean hasSince, ChannelSettings settings) {
      this.node = node;
      this.sinceEpoch = sinceEpoch;
      this.sinceSeq = sinceSeq;
      this.hasSince = hasSince;
      this.settings = settings;
    }

    @Override
    public PositionReply process(Map.Entry<String, ChannelEntry> entry) {
      ChannelEntry e = entry.getValue();
      boolean created = e == null;
      if (created) {
        e = create(entry, settings, Epochs.next());
      }
      if (e.nodes.add(node) || created) {
        entry.setValue(e);
        backup = new AddNode(node, created ? e.log.epoch() : null, settings);
      }
      ChannelLog.Position p = e.log.subscribe(sinceEpoch, sinceSeq, hasSince, MonotonicClock.nowMs());
      return new PositionReply(p.epoch(), p.seq(), p.recovered(), p.pubs(), p.snapshotJson());
    }

    @Override
    public EntryProcessor<String, ChannelEntry, PositionReply> getBackupProcessor() {
      return backup;
    }
  }

  /** Backup side of {@link Subscribe}: adds the node (creating the channel with the primary's epoch). */
  static final class AddNode implements EntryProcessor<String, ChannelEntry, PositionReply> {
    private final String node;
    private final String createdEpoch;
    private final ChannelSettings settings;

    AddNode(String node, String createdEpoch, ChannelSettings settings) {
      this.node = node;
      this.createdEpoch = createdEpoch;
      this.settings = settings;
    }

    @Override
    public PositionReply process(Map.Entry<String, ChannelEntry> entry) {
      ChannelEntry e = entry.getValue();
      if (e == null) {
        e = create(entry, settings, createdEpoch != null ? createdEpoch : Epochs.next());
      }
      e.nodes.add(node);
      entry.setValue(e);
      return null;
    }

    @Override
    public EntryProcessor<String, ChannelEntry, PositionReply> getBackupProcessor() {
      return null;
    }
  }

  /** A node no longer follows the channel (run on the primary and, as is, on backups). */
  static final class RemoveNode implements EntryProcessor<String, ChannelEntry, Boolean> {
    private final String node;

    RemoveNode(String node) {
      this.node = node;
    }

    @Override
    public Boolean process(Map.Entry<String, ChannelEntry> entry) {
      ChannelEntry e = entry.getValue();
      if (e != null && e.nodes.remove(node)) {
        entry.setValue(e);
        return true;
      }
      return false;
    }
  }

  /**
   * Forgets a channel that no node follows and whose log holds nothing (no state, history or dedup
   * keys), as a node alone does; its backups are told to forget it too.
   */
  static final class Sweep implements EntryProcessor<String, ChannelEntry, Boolean> {
    private transient Forget backup;

    @Override
    public Boolean process(Map.Entry<String, ChannelEntry> entry) {
      ChannelEntry e = entry.getValue();
      if (e != null && e.nodes.isEmpty() && e.log.isDisposable(MonotonicClock.nowMs())) {
        entry.setValue(null);
        backup = new Forget();
        return true;
      }
      return false;
    }

    @Override
    public EntryProcessor<String, ChannelEntry, Boolean> getBackupProcessor() {
      return backup;
    }
  }

  /** Backup side of {@link Sweep}: the primary decided. */
  static final class Forget implements EntryProcessor<String, ChannelEntry, Boolean> {
    @Override
    public Boolean process(Map.Entry<String, ChannelEntry> entry) {
      entry.setValue(null);
      return true;
    }

    @Override
    public EntryProcessor<String, ChannelEntry, Boolean> getBackupProcessor() {
      return null;
    }
  }

  /** Reads what an owner announces; null for channels nobody follows. */
  static final class Announce implements EntryProcessor<String, ChannelEntry, Announcement>, ReadOnly {
    @Override
    public Announcement process(Map.Entry<String, ChannelEntry> entry) {
      ChannelEntry e = entry.getValue();
      if (e == null || e.nodes.isEmpty()) {
        return null;
      }
      return new Announcement(e.log.epoch(), e.log.seq(), new HashSet<>(e.nodes));
    }

    @Override
    public EntryProcessor<String, ChannelEntry, Announcement> getBackupProcessor() {
      return null;
    }
  }

  /** Reads a channel for the admin API, with its snapshot when {@code withSnapshot}. */
  static final class Describe implements EntryProcessor<String, ChannelEntry, Summary>, ReadOnly {
    private final boolean withSnapshot;

    Describe(boolean withSnapshot) {
      this.withSnapshot = withSnapshot;
    }

    @Override
    public Summary process(Map.Entry<String, ChannelEntry> entry) {
      ChannelEntry e = entry.getValue();
      if (e == null) {
        return null;
      }
      return new Summary(e.log.id().name(), e.log.epoch(), e.log.seq(), e.nodes.size(),
          withSnapshot ? e.log.snapshotJson() : null);
    }

    @Override
    public EntryProcessor<String, ChannelEntry, Summary> getBackupProcessor() {
      return null;
    }
  }

  /** Selects the entries of one tenant. */
  static final class TenantKeys implements com.hazelcast.query.Predicate<String, ChannelEntry> {
    private final String prefix;

    TenantKeys(String tenant) {
      this.prefix = tenant + "/";
    }

    @Override
    public boolean apply(Map.Entry<String, ChannelEntry> entry) {
      return entry.getKey().startsWith(prefix);
    }
  }
}
