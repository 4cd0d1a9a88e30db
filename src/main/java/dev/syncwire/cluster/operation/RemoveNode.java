package dev.syncwire.cluster.operation;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;

import java.io.IOException;
import java.util.Map;

/** A node no longer follows the channel (run on the primary and, as is, on backups). */
public final class RemoveNode extends Identified implements EntryProcessor<String, ChannelEntry, Boolean> {
  private String node;

  RemoveNode() {
  }

  public RemoveNode(String node) {
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
