package dev.syncwire.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import dev.syncwire.channel.ChannelLog;
import dev.syncwire.channel.MonotonicClock;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * The value of one channel in the channels map: its log and the nodes that follow it. Entry processors
 * change it in place on the partition owner; Hazelcast serializes it only to migrate or back it up.
 */
public final class ChannelEntry implements IdentifiedDataSerializable {
  ChannelLog log;
  final Set<String> nodes = new HashSet<>();

  /** For Hazelcast's deserialization. */
  public ChannelEntry() {
  }

  ChannelEntry(ChannelLog log) {
    this.log = log;
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
    out.writeInt(nodes.size());
    for (String node : nodes) {
      out.writeString(node);
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    log = ChannelLog.readFrom(in, MonotonicClock.nowMs());
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      nodes.add(in.readString());
    }
  }
}
