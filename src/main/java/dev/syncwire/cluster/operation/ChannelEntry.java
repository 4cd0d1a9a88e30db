package dev.syncwire.cluster.operation;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import dev.syncwire.channel.ChannelId;
import dev.syncwire.channel.ChannelLog;
import dev.syncwire.channel.ChannelSettings;
import dev.syncwire.channel.Epochs;
import dev.syncwire.channel.MonotonicClock;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One channel of a {@link ChannelGroup}: its log and the nodes that follow it. Channel operations change it
 * in place on the owner of its group; Hazelcast serializes it only to migrate or back up the group.
 */
public final class ChannelEntry implements IdentifiedDataSerializable {
  ChannelLog log;
  /**
   * The nodes that follow the channel, each with the follow (a number the node gives each time it starts
   * following the channel) that registered it: a removal sent for an earlier follow, which may reach the
   * owner after the next follow's subscribe (a retried invocation during a migration does), removes nothing.
   */
  final Map<String, Long> nodes = new HashMap<>();
  /** With channel logs in a store: the highest seq a node confirmed the store holds. */
  long storedSeq;

  /** For Hazelcast's deserialization. */
  public ChannelEntry() {
  }

  ChannelEntry(ChannelLog log) {
    this.log = log;
  }

  /** Registers a node's follow; false when this follow or a later one of the node is registered already. */
  boolean follow(String node, long follow) {
    Long known = nodes.get(node);
    if (known != null && known >= follow) {
      return false;
    }
    nodes.put(node, follow);
    return true;
  }

  /** Ends a node's follow: removes the node unless a later follow of it is registered. */
  boolean unfollow(String node, long follow) {
    Long known = nodes.get(node);
    if (known == null || known > follow) {
      return false;
    }
    nodes.remove(node);
    return true;
  }

  /** Each following node with the follow that registered it, as a copy. */
  public Map<String, Long> follows() {
    return Map.copyOf(nodes);
  }

  /** The nodes that follow the channel, as a copy. */
  Set<String> followers() {
    return new HashSet<>(nodes.keySet());
  }

  /** Nobody follows the channel and its log holds nothing (no state, history or dedup keys). */
  boolean disposable(long nowMs) {
    return nodes.isEmpty() && log.isDisposable(nowMs);
  }

  /** The key of a channel's entry: {@code tenant/name}. */
  public static String key(ChannelId id) {
    return id.tenant() + "/" + id.name();
  }

  static ChannelId channelId(String key) {
    int slash = key.indexOf('/');
    return new ChannelId(key.substring(0, slash), key.substring(slash + 1));
  }

  /** A channel that starts now, with a new epoch. */
  static ChannelEntry withNewEpoch(String key, ChannelSettings settings) {
    return new ChannelEntry(new ChannelLog(channelId(key), Epochs.next(), settings));
  }

  /** A channel continued from what a store kept of it. */
  static ChannelEntry restored(String key, dev.syncwire.channel.StoredLog stored, ChannelSettings settings) {
    ChannelEntry e = new ChannelEntry(ChannelLog.restore(channelId(key), settings, stored, MonotonicClock.nowMs()));
    e.storedSeq = stored.seq();
    return e;
  }

  /** A copy of a channel continuing the primary's epoch at {@code seq}, keeping the followers it knew. */
  static ChannelEntry resumedAt(String key, ChannelEntry stale, String epoch, long seq, ChannelSettings settings) {
    ChannelEntry e = new ChannelEntry(ChannelLog.resumeAt(channelId(key), epoch, settings, seq));
    if (stale != null) {
      e.nodes.putAll(stale.nodes);
    }
    return e;
  }

  @Override
  public int getFactoryId() {
    return ClusterSerialization.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return ClusterSerialization.CHANNEL_ENTRY;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    log.writeTo(out, MonotonicClock.nowMs());
    out.writeLong(storedSeq);
    out.writeInt(nodes.size());
    for (Map.Entry<String, Long> node : nodes.entrySet()) {
      out.writeString(node.getKey());
      out.writeLong(node.getValue());
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    log = ChannelLog.readFrom(in, MonotonicClock.nowMs());
    storedSeq = in.readLong();
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      nodes.put(in.readString(), in.readLong());
    }
  }
}
