package dev.syncwire.cluster.operation;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;

import java.io.IOException;
import java.util.Map;

/**
 * A node no longer follows the channel (run on the primary and, as is, on backups). It ends one follow of
 * the node, so that it removes nothing when it lands after the subscribe of the node's next follow.
 */
public final class RemoveNode extends Identified implements EntryProcessor<String, ChannelEntry, Boolean> {
  private String node;
  private long follow;

  RemoveNode() {
  }

  /** The node stopped the follow {@code follow}. */
  public RemoveNode(String node, long follow) {
    this.node = node;
    this.follow = follow;
  }

  /** The node left the cluster: whatever it followed ends. */
  public static RemoveNode departed(String node) {
    return new RemoveNode(node, Long.MAX_VALUE);
  }

  @Override
  public Boolean process(Map.Entry<String, ChannelEntry> entry) {
    ChannelEntry e = entry.getValue();
    if (e != null && e.unfollow(node, follow)) {
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
    out.writeLong(follow);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    node = in.readString();
    follow = in.readLong();
  }
}
