package dev.syncwire.cluster.operation;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import dev.syncwire.channel.ChannelSettings;
import dev.syncwire.channel.Position;

import java.io.IOException;
import java.util.Map;

import static dev.syncwire.cluster.operation.ClusterSerialization.readSettings;
import static dev.syncwire.cluster.operation.ClusterSerialization.writeSettings;

/**
 * Backup side of {@link Subscribe}: adds the node. A copy that lacks the channel, or holds another
 * epoch, takes the primary's epoch and position: a backup never invents an epoch.
 */
final class SubscribeBackup extends Identified implements EntryProcessor<String, ChannelEntry, Position> {
  private String node;
  private long follow;
  private String epoch;
  private long seq;
  private ChannelSettings settings;

  SubscribeBackup() {
  }

  SubscribeBackup(String node, long follow, String epoch, long seq, ChannelSettings settings) {
    this.node = node;
    this.follow = follow;
    this.epoch = epoch;
    this.seq = seq;
    this.settings = settings;
  }

  @Override
  public Position process(Map.Entry<String, ChannelEntry> entry) {
    ChannelEntry e = entry.getValue();
    if (e == null || !e.log.epoch().equals(epoch) || e.log.seq() < seq) {
      e = ChannelEntry.resumedAt(entry.getKey(), e, epoch, seq, settings);
    }
    e.follow(node, follow);
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
    out.writeLong(follow);
    out.writeString(epoch);
    out.writeLong(seq);
    writeSettings(out, settings);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    node = in.readString();
    follow = in.readLong();
    epoch = in.readString();
    seq = in.readLong();
    settings = readSettings(in);
  }
}
