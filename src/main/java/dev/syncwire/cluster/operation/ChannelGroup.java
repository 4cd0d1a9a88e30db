package dev.syncwire.cluster.operation;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The value of one entry of the channels map: the channels of one partition, by key ({@code tenant/name}).
 * It is the cluster's unit of ownership, replication and group commit: publishes to different channels of
 * one partition that wait at a node together share one operation and one backup.
 */
public final class ChannelGroup extends Identified {
  final Map<String, ChannelEntry> channels = new HashMap<>();

  /** For Hazelcast's deserialization. */
  public ChannelGroup() {
  }

  /** The channel's entry, or null when the group does not hold it. */
  public ChannelEntry channel(String key) {
    return channels.get(key);
  }

  /** How many channels the group holds. */
  public int size() {
    return channels.size();
  }

  @Override
  public int getClassId() {
    return ClusterSerialization.CHANNEL_GROUP;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeInt(channels.size());
    for (Map.Entry<String, ChannelEntry> c : channels.entrySet()) {
      out.writeString(c.getKey());
      c.getValue().writeData(out);
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      String key = in.readString();
      ChannelEntry e = new ChannelEntry();
      e.readData(in);
      channels.put(key, e);
    }
  }
}
