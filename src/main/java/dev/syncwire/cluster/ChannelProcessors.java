package dev.syncwire.cluster;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import dev.syncwire.broker.ChannelBroker.PublishRequest;
import dev.syncwire.channel.ChannelId;
import dev.syncwire.channel.ChannelLog;
import dev.syncwire.channel.ChannelSettings;
import dev.syncwire.channel.Epochs;
import dev.syncwire.channel.MonotonicClock;
import dev.syncwire.channel.Patch;
import dev.syncwire.channel.PatchException;
import dev.syncwire.channel.Position;
import dev.syncwire.channel.Publication;
import dev.syncwire.channel.PublishOutcome;
import dev.syncwire.channel.Since;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.util.ArrayList;
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

  /**
   * The outcomes of a {@link Publish}, one per publish in its order, and the nodes that follow the
   * channel. Each outcome crosses the network as its {@link Kind} and that kind's fields.
   */
  static final class PublishReplies extends Identified {
    /** The variants of {@link PublishOutcome}, as written on the wire. */
    enum Kind { ACCEPTED, DUPLICATE, CONFLICTED, REFUSED }

    private static final Kind[] KINDS = Kind.values();
    private static final PatchException.Kind[] REFUSALS = PatchException.Kind.values();

    private List<PublishOutcome> outcomes;
    private Set<String> nodes;

    PublishReplies() {
    }

    PublishReplies(List<PublishOutcome> outcomes, Set<String> nodes) {
      this.outcomes = outcomes;
      this.nodes = nodes;
    }

    List<PublishOutcome> outcomes() {
      return outcomes;
    }

    Set<String> nodes() {
      return nodes;
    }

    @Override
    public int getClassId() {
      return ClusterSerialization.PUBLISH_REPLIES;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeInt(outcomes.size());
      for (PublishOutcome outcome : outcomes) {
        if (outcome instanceof PublishOutcome.Accepted accepted) {
          out.writeByte(Kind.ACCEPTED.ordinal());
          writePublication(out, accepted.publication());
        } else if (outcome instanceof PublishOutcome.Duplicate duplicate) {
          out.writeByte(Kind.DUPLICATE.ordinal());
          out.writeString(duplicate.epoch());
          out.writeLong(duplicate.seq());
        } else if (outcome instanceof PublishOutcome.Conflicted conflicted) {
          out.writeByte(Kind.CONFLICTED.ordinal());
          out.writeString(conflicted.message());
          out.writeString(conflicted.currentJson());
        } else {
          PublishOutcome.Refused refused = (PublishOutcome.Refused) outcome;
          out.writeByte(Kind.REFUSED.ordinal());
          out.writeByte(refused.reason().ordinal());
          out.writeString(refused.message());
        }
      }
      writeStrings(out, nodes);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      int n = in.readInt();
      outcomes = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        outcomes.add(switch (KINDS[in.readByte()]) {
          case ACCEPTED -> new PublishOutcome.Accepted(readPublication(in), null, null);
          case DUPLICATE -> new PublishOutcome.Duplicate(in.readString(), in.readLong());
          case CONFLICTED -> new PublishOutcome.Conflicted(in.readString(), in.readString());
          case REFUSED -> new PublishOutcome.Refused(REFUSALS[in.readByte()], in.readString());
        });
      }
      nodes = readStrings(in);
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

  /**
   * Sequences publishes to one channel, in order: one publish, or several that arrived together at one
   * node (group commit: one operation and one backup for all of them). What was accepted goes to the
   * backups as one {@link PublishBackup}.
   */
  static final class Publish extends Identified implements EntryProcessor<String, ChannelEntry, PublishReplies> {
    private List<PublishRequest> requests;
    private ChannelSettings settings;
    private transient PublishBackup backup;

    Publish() {
    }

    Publish(List<PublishRequest> requests, ChannelSettings settings) {
      this.requests = requests;
      this.settings = settings;
    }

    @Override
    public PublishReplies process(Map.Entry<String, ChannelEntry> entry) {
      ChannelEntry e = entry.getValue();
      if (e == null) {
        // Absent on the owner: the channel never existed, or it was swept empty, or every copy was lost.
        e = create(entry, settings, Epochs.next());
      }
      List<PublishOutcome> outcomes = new ArrayList<>(requests.size());
      List<Publication> accepted = new ArrayList<>(requests.size());
      List<String> patches = new ArrayList<>(requests.size());
      long now = MonotonicClock.nowMs();
      for (PublishRequest r : requests) {
        PublishOutcome outcome = e.log.publish(r.key(), r.dataJson(), r.patchJson(), now);
        outcomes.add(outcome);
        if (outcome instanceof PublishOutcome.Accepted a) {
          accepted.add(a.publication());
          patches.add(r.patchJson());
        }
      }
      if (!accepted.isEmpty()) {
        entry.setValue(e);
        backup = new PublishBackup(settings, accepted, patches);
      }
      return new PublishReplies(outcomes, new HashSet<>(e.nodes));
    }

    @Override
    public EntryProcessor<String, ChannelEntry, PublishReplies> getBackupProcessor() {
      return backup;
    }

    @Override
    public int getClassId() {
      return ClusterSerialization.PUBLISH;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeInt(requests.size());
      for (PublishRequest r : requests) {
        out.writeString(r.key());
        out.writeString(r.dataJson());
        out.writeString(r.patchJson());
      }
      writeSettings(out, settings);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      int n = in.readInt();
      requests = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        requests.add(new PublishRequest(in.readString(), in.readString(), in.readString()));
      }
      settings = readSettings(in);
    }
  }

  /**
   * Backup side of {@link Publish}: applies on a backup copy what the primary accepted, without deciding
   * anything itself. A copy that is not exactly one step behind (it missed earlier operations, which
   * Hazelcast's replica sync repairs later) takes the primary's position rather than inventing one.
   */
  static final class PublishBackup extends Identified implements EntryProcessor<String, ChannelEntry, PublishReplies> {
    private ChannelSettings settings;
    private List<Publication> publications;
    private List<String> patches;

    PublishBackup() {
    }

    PublishBackup(ChannelSettings settings, List<Publication> publications, List<String> patches) {
      this.settings = settings;
      this.publications = publications;
      this.patches = patches;
    }

    @Override
    public PublishReplies process(Map.Entry<String, ChannelEntry> entry) {
      ChannelEntry e = entry.getValue();
      long now = MonotonicClock.nowMs();
      for (int i = 0; i < publications.size(); i++) {
        Publication p = publications.get(i);
        if (e != null && e.log.epoch().equals(p.epoch()) && p.seq() <= e.log.seq()) {
          continue;
        }
        if (e == null || !e.log.epoch().equals(p.epoch()) || p.seq() != e.log.seq() + 1) {
          e = resumed(entry, e, p.epoch(), p.seq() - 1, settings);
        }
        String patchJson = patches.get(i);
        e.log.replicate(p, patchJson == null ? null : Patch.parse(new JsonObject(patchJson)), now);
      }
      entry.setValue(e);
      return null;
    }

    @Override
    public EntryProcessor<String, ChannelEntry, PublishReplies> getBackupProcessor() {
      return null;
    }

    @Override
    public int getClassId() {
      return ClusterSerialization.PUBLISH_BACKUP;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      writeSettings(out, settings);
      writePublications(out, publications);
      out.writeInt(patches.size());
      for (String patch : patches) {
        out.writeString(patch);
      }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      settings = readSettings(in);
      publications = readPublications(in);
      int n = in.readInt();
      patches = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        patches.add(in.readString());
      }
    }
  }

  /** A copy of a channel continuing the primary's epoch at {@code seq}, keeping the followers it knew. */
  private static ChannelEntry resumed(Map.Entry<String, ChannelEntry> entry, ChannelEntry stale, String epoch, long seq,
                                      ChannelSettings settings) {
    ChannelEntry e = new ChannelEntry(ChannelLog.resumeAt(id(entry.getKey()), epoch, settings, seq));
    if (stale != null) {
      e.nodes.addAll(stale.nodes);
    }
    return e;
  }

  /**
   * Registers a node as a follower of the channel (creating the channel if new) and answers the position
   * for {@code since}: the one operation behind a first subscribe, a resubscribe, and a node's repair.
   */
  static final class Subscribe extends Identified implements EntryProcessor<String, ChannelEntry, Position> {
    private String node;
    private Since since;
    private ChannelSettings settings;
    private transient SubscribeBackup backup;

    Subscribe() {
    }

    Subscribe(String node, Since since, ChannelSettings settings) {
      this.node = node;
      this.since = since;
      this.settings = settings;
    }

    @Override
    public Position process(Map.Entry<String, ChannelEntry> entry) {
      ChannelEntry e = entry.getValue();
      boolean created = e == null;
      if (created) {
        e = create(entry, settings, Epochs.next());
      }
      if (e.nodes.add(node) || created) {
        entry.setValue(e);
        backup = new SubscribeBackup(node, e.log.epoch(), e.log.seq(), settings);
      }
      return e.log.subscribe(since, MonotonicClock.nowMs());
    }

    @Override
    public EntryProcessor<String, ChannelEntry, Position> getBackupProcessor() {
      return backup;
    }

    @Override
    public int getClassId() {
      return ClusterSerialization.SUBSCRIBE;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(node);
      out.writeString(since.epoch());
      out.writeLong(since.seq());
      writeSettings(out, settings);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      node = in.readString();
      since = new Since(in.readString(), in.readLong());
      settings = readSettings(in);
    }
  }

  /**
   * Backup side of {@link Subscribe}: adds the node. A copy that lacks the channel, or holds another
   * epoch, takes the primary's epoch and position: a backup never invents an epoch.
   */
  static final class SubscribeBackup extends Identified implements EntryProcessor<String, ChannelEntry, Position> {
    private String node;
    private String epoch;
    private long seq;
    private ChannelSettings settings;

    SubscribeBackup() {
    }

    SubscribeBackup(String node, String epoch, long seq, ChannelSettings settings) {
      this.node = node;
      this.epoch = epoch;
      this.seq = seq;
      this.settings = settings;
    }

    @Override
    public Position process(Map.Entry<String, ChannelEntry> entry) {
      ChannelEntry e = entry.getValue();
      if (e == null || !e.log.epoch().equals(epoch) || e.log.seq() < seq) {
        e = resumed(entry, e, epoch, seq, settings);
      }
      e.nodes.add(node);
      entry.setValue(e);
      return null;
    }

    @Override
    public EntryProcessor<String, ChannelEntry, Position> getBackupProcessor() {
      return null;
    }

    @Override
    public int getClassId() {
      return ClusterSerialization.SUBSCRIBE_BACKUP;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(node);
      out.writeString(epoch);
      out.writeLong(seq);
      writeSettings(out, settings);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      node = in.readString();
      epoch = in.readString();
      seq = in.readLong();
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
