package dev.syncwire.cluster.operation;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import dev.syncwire.channel.ChannelSettings;
import dev.syncwire.channel.MonotonicClock;
import dev.syncwire.channel.Position;
import dev.syncwire.channel.Since;

import java.io.IOException;
import java.util.Map;

import static dev.syncwire.cluster.operation.ClusterSerialization.readSettings;
import static dev.syncwire.cluster.operation.ClusterSerialization.writeSettings;

/**
 * Registers a node as a follower of the channel (creating the channel if new) and answers the position
 * for {@code since}: the one operation behind a first subscribe, a resubscribe, and a node's repair.
 */
public final class Subscribe extends Identified implements EntryProcessor<String, ChannelEntry, Position> {
  private String node;
  private long follow;
  private Since since;
  private ChannelSettings settings;
  private boolean stored;
  private transient SubscribeBackup backup;

  Subscribe() {
  }

  /**
   * Registers {@code node} as a follower for its {@code follow} (see {@link ChannelEntry#follow}), and
   * answers where the channel stands after {@code since}. {@code stored}: channel logs live in a store
   * too; an absent channel answers null (load it first).
   */
  public Subscribe(String node, long follow, Since since, ChannelSettings settings, boolean stored) {
    this.node = node;
    this.follow = follow;
    this.since = since;
    this.settings = settings;
    this.stored = stored;
  }

  @Override
  public Position process(Map.Entry<String, ChannelEntry> entry) {
    ChannelEntry e = entry.getValue();
    if (e == null && stored) {
      return null;
    }
    boolean created = e == null;
    if (created) {
      e = ChannelEntry.withNewEpoch(entry.getKey(), settings);
    }
    if (e.follow(node, follow) || created) {
      entry.setValue(e);
      backup = new SubscribeBackup(node, follow, e.log.epoch(), e.log.seq(), settings);
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
    out.writeLong(follow);
    out.writeString(since.epoch());
    out.writeLong(since.seq());
    writeSettings(out, settings);
    out.writeBoolean(stored);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    node = in.readString();
    follow = in.readLong();
    since = new Since(in.readString(), in.readLong());
    settings = readSettings(in);
    stored = in.readBoolean();
  }
}
