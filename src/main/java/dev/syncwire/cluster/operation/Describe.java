package dev.syncwire.cluster.operation;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;

import java.io.IOException;
import java.util.Map;

/** Reads a channel for the admin API, with its snapshot when {@code withSnapshot}. */
public final class Describe extends Identified implements EntryProcessor<String, ChannelEntry, Summary>, ReadOnly {
  private boolean withSnapshot;

  Describe() {
  }

  public Describe(boolean withSnapshot) {
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
