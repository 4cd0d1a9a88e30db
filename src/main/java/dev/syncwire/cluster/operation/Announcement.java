package dev.syncwire.cluster.operation;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;

import java.io.IOException;
import java.util.Set;

import static dev.syncwire.cluster.operation.ClusterSerialization.readStrings;
import static dev.syncwire.cluster.operation.ClusterSerialization.writeStrings;

/** What an owner announces of a channel: its position and the nodes that follow it. */
public final class Announcement extends Identified {
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

  public String epoch() {
    return epoch;
  }

  public long seq() {
    return seq;
  }

  public Set<String> nodes() {
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
