package dev.syncwire.cluster;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
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

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.syncwire.cluster.ClusterSerialization.readPublication;
import static dev.syncwire.cluster.ClusterSerialization.readPublications;
import static dev.syncwire.cluster.ClusterSerialization.readSettings;
import static dev.syncwire.cluster.ClusterSerialization.readStrings;
import static dev.syncwire.cluster.ClusterSerialization.writePublication;
import static dev.syncwire.cluster.ClusterSerialization.writePublications;
import static dev.syncwire.cluster.ClusterSerialization.writeSettings;
import static dev.syncwire.cluster.ClusterSerialization.writeStrings;

/**
 * The operations on a channel's entry, run by Hazelcast on the partition owner of the channel's key,
 * one at a time per key: that is what gives each channel one sequence across the cluster. Operations
 * that change an entry hand their decision to a backup processor, which replays it on each backup
 * copy before the caller hears back. Everything here crosses the network, field by field
 * ({@link ClusterSerialization}).
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

  private static ChannelEntry create(Map.Entry<String, ChannelEntry> entry, ChannelSettings settings, String epoch) {
    return new ChannelEntry(new ChannelLog(id(entry.getKey()), epoch, settings));
  }

  /** A Hazelcast type of this module; subclasses give their id. */
  private abstract static class Identified implements IdentifiedDataSerializable {
    @Override
    public int getFactoryId() {
      return ClusterSerialization.FACTORY_ID;
    }
  }

  /** An operation that writes nothing of its own. */
  private abstract static class Stateless<R> extends Identified implements EntryProcessor<String, ChannelEntry, R> {
    @Override
    public void writeData(ObjectDataOutput out) {
    }

    @Override
    public void readData(ObjectDataInput in) {
    }
  }

  // ---- replies ----

  /** What became of a publish. {@code kind} is one of the constants below. */
  static final class PublishReply extends Identified {
    static final int ACCEPTED = 0;
    static final int DUPLICATE = 1;
    static final int CONFLICT = 2;
    static final int INVALID = 3;
    static final int TOO_LARGE = 4;

    private int kind;
    private String epoch;
    private long seq;
    private String message;
    private String currentJson;
    private Publication publication;
    private Set<String> nodes;

    PublishReply() {
    }

    PublishReply(int kind, String epoch, long seq, String message, String currentJson, Publication publication,
                 Set<String> nodes) {
      this.kind = kind;
      this.epoch = epoch;
      this.seq = seq;
      this.message = message;
      this.currentJson = currentJson;
      this.publication = publication;
      this.nodes = nodes;
    }

    int kind() {
      return kind;
    }

    String epoch() {
      return epoch;
    }

    long seq() {
      return seq;
    }

    String message() {
      return message;
    }

    String currentJson() {
      return currentJson;
    }

    Publication publication() {
      return publication;
    }

    Set<String> nodes() {
      return nodes;
    }

    @Override
    public int getClassId() {
      return ClusterSerialization.PUBLISH_REPLY;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeInt(kind);
      out.writeString(epoch);
      out.writeLong(seq);
      out.writeString(message);
      out.writeString(currentJson);
      writePublication(out, publication);
      writeStrings(out, nodes);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      kind = in.readInt();
      epoch = in.readString();
      seq = in.readLong();
      message = in.readString();
      currentJson = in.readString();
      publication = readPublication(in);
      nodes = readStrings(in);
    }
  }

  /** A position in a channel as {@link ChannelLog#subscribe} answers it. */
  static final class PositionReply extends Identified {
    private String epoch;
    private long seq;
    private boolean recovered;
    private List<Publication> pubs;
    private String snapshotJson;

    PositionReply() {
    }

    PositionReply(String epoch, long seq, boolean recovered, List<Publication> pubs, String snapshotJson) {
      this.epoch = epoch;
      this.seq = seq;
      this.recovered = recovered;
      this.pubs = pubs;
      this.snapshotJson = snapshotJson;
    }

    String epoch() {
      return epoch;
    }

    long seq() {
      return seq;
    }

    boolean recovered() {
      return recovered;
    }

    List<Publication> pubs() {
      return pubs;
    }

    String snapshotJson() {
      return snapshotJson;
    }

    @Override
    public int getClassId() {
      return ClusterSerialization.POSITION_REPLY;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(epoch);
      out.writeLong(seq);
      out.writeBoolean(recovered);
      writePublications(out, pubs);
      out.writeString(snapshotJson);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      epoch = in.readString();
      seq = in.readLong();
      recovered = in.readBoolean();
      pubs = readPublications(in);
      snapshotJson = in.readString();
    }
  }

  /** What an owner announces of a channel: its position and the nodes that follow it. */
  static final class Announcement extends Identified {
    private String epoch;
    private long seq;
    private Set<String> nodes;

    Announcement() {
    }

    Announcement(String epoch, long seq, Set<String> nodes) {
      this.epoch = epoch;
      this.seq = seq;
      this.nodes = nodes;
    }

    String epoch() {
      return epoch;
    }

    long seq() {
      return seq;
    }

    Set<String> nodes() {
      return nodes;
    }

    @Override
    public int getClassId() {
      return ClusterSerialization.ANNOUNCEMENT;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(epoch);
      out.writeLong(seq);
      writeStrings(out, nodes);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      epoch = in.readString();
      seq = in.readLong();
      nodes = readStrings(in);
    }
  }

  /** One channel as the admin API lists it. */
  static final class Summary extends Identified {
    private String channel;
    private String epoch;
    private long seq;
    private int nodes;
    private String snapshotJson;

    Summary() {
    }

    Summary(String channel, String epoch, long seq, int nodes, String snapshotJson) {
      this.channel = channel;
      this.epoch = epoch;
      this.seq = seq;
      this.nodes = nodes;
      this.snapshotJson = snapshotJson;
    }

    String channel() {
      return channel;
    }

    String epoch() {
      return epoch;
    }

    long seq() {
      return seq;
    }

    int nodes() {
      return nodes;
    }

    String snapshotJson() {
      return snapshotJson;
    }

    @Override
    public int getClassId() {
      return ClusterSerialization.SUMMARY;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(channel);
      out.writeString(epoch);
      out.writeLong(seq);
      out.writeInt(nodes);
      out.writeString(snapshotJson);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      channel = in.readString();
      epoch = in.readString();
      seq = in.readLong();
      nodes = in.readInt();
      snapshotJson = in.readString();
    }
  }

  // ---- operations ----

  /** Sequences a publish; the decision goes to backups as a {@link Replicate}. */
  static final class Publish extends Identified implements EntryProcessor<String, ChannelEntry, PublishReply> {
    private String key;
    private String dataJson;
    private String patchJson;
    private ChannelSettings settings;
    private transient Replicate backup;

    Publish() {
    }

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

    @Override
    public int getClassId() {
      return ClusterSerialization.PUBLISH;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(key);
      out.writeString(dataJson);
      out.writeString(patchJson);
      writeSettings(out, settings);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      key = in.readString();
      dataJson = in.readString();
      patchJson = in.readString();
      settings = readSettings(in);
    }
  }

  /** Applies on a backup copy what the primary accepted. */
  static final class Replicate extends Identified implements EntryProcessor<String, ChannelEntry, PublishReply> {
    private String createdEpoch;
    private ChannelSettings settings;
    private Publication publication;
    private String patchJson;

    Replicate() {
    }

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

    @Override
    public int getClassId() {
      return ClusterSerialization.REPLICATE;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(createdEpoch);
      writeSettings(out, settings);
      writePublication(out, publication);
      out.writeString(patchJson);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      createdEpoch = in.readString();
      settings = readSettings(in);
      publication = readPublication(in);
      patchJson = in.readString();
    }
  }

  /**
   * Registers a node as a follower of the channel (creating the channel if new) and answers the position
   * for {@code since}: the one operation behind a first subscribe, a resubscribe, and a node's repair.
   */
  static final class Subscribe extends Identified implements EntryProcessor<String, ChannelEntry, PositionReply> {
    private String node;
    private String sinceEpoch;
    private long sinceSeq;
    private boolean hasSince;
    private ChannelSettings settings;
    private transient AddNode backup;

    Subscribe() {
    }

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

    @Override
    public int getClassId() {
      return ClusterSerialization.SUBSCRIBE;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(node);
      out.writeString(sinceEpoch);
      out.writeLong(sinceSeq);
      out.writeBoolean(hasSince);
      writeSettings(out, settings);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      node = in.readString();
      sinceEpoch = in.readString();
      sinceSeq = in.readLong();
      hasSince = in.readBoolean();
      settings = readSettings(in);
    }
  }

  /** Backup side of {@link Subscribe}: adds the node (creating the channel with the primary's epoch). */
  static final class AddNode extends Identified implements EntryProcessor<String, ChannelEntry, PositionReply> {
    private String node;
    private String createdEpoch;
    private ChannelSettings settings;

    AddNode() {
    }

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

    @Override
    public int getClassId() {
      return ClusterSerialization.ADD_NODE;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(node);
      out.writeString(createdEpoch);
      writeSettings(out, settings);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      node = in.readString();
      createdEpoch = in.readString();
      settings = readSettings(in);
    }
  }

  /** A node no longer follows the channel (run on the primary and, as is, on backups). */
  static final class RemoveNode extends Identified implements EntryProcessor<String, ChannelEntry, Boolean> {
    private String node;

    RemoveNode() {
    }

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

    @Override
    public int getClassId() {
      return ClusterSerialization.REMOVE_NODE;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(node);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      node = in.readString();
    }
  }

  /**
   * Forgets a channel that no node follows and whose log holds nothing (no state, history or dedup
   * keys), as a node alone does; its backups are told to forget it too.
   */
  static final class Sweep extends Stateless<Boolean> {
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

    @Override
    public int getClassId() {
      return ClusterSerialization.SWEEP;
    }
  }

  /** Backup side of {@link Sweep}: the primary decided. */
  static final class Forget extends Stateless<Boolean> {
    @Override
    public Boolean process(Map.Entry<String, ChannelEntry> entry) {
      entry.setValue(null);
      return true;
    }

    @Override
    public EntryProcessor<String, ChannelEntry, Boolean> getBackupProcessor() {
      return null;
    }

    @Override
    public int getClassId() {
      return ClusterSerialization.FORGET;
    }
  }

  /** Reads what an owner announces; null for channels nobody follows. */
  static final class Announce extends Stateless<Announcement> implements ReadOnly {
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

    @Override
    public int getClassId() {
      return ClusterSerialization.ANNOUNCE;
    }
  }

  /** Reads a channel for the admin API, with its snapshot when {@code withSnapshot}. */
  static final class Describe extends Identified implements EntryProcessor<String, ChannelEntry, Summary>, ReadOnly {
    private boolean withSnapshot;

    Describe() {
    }

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

    @Override
    public int getClassId() {
      return ClusterSerialization.DESCRIBE;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeBoolean(withSnapshot);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      withSnapshot = in.readBoolean();
    }
  }

  /** Selects the entries of one tenant. */
  static final class TenantKeys extends Identified implements com.hazelcast.query.Predicate<String, ChannelEntry> {
    private String prefix;

    TenantKeys() {
    }

    TenantKeys(String tenant) {
      this.prefix = tenant + "/";
    }

    @Override
    public boolean apply(Map.Entry<String, ChannelEntry> entry) {
      return entry.getKey().startsWith(prefix);
    }

    @Override
    public int getClassId() {
      return ClusterSerialization.TENANT_KEYS;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(prefix);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      prefix = in.readString();
    }
  }
}
