package dev.syncwire.cluster.operation;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;

import java.io.IOException;
import java.util.Set;

import static dev.syncwire.cluster.operation.ClusterSerialization.readStrings;
import static dev.syncwire.cluster.operation.ClusterSerialization.writeStrings;

/**
 * What an owner announces of a channel: its position and the nodes that follow it, and for a channel
 * nobody follows whether it holds nothing any more (the sweep's candidates).
 */
public final class Announcement extends Identified {
  private String epoch;
  private long seq;
  private Set<String> nodes;
  private boolean disposable;

  Announcement() {
  }

  Announcement(String epoch, long seq, Set<String> nodes, boolean disposable) {
    this.epoch = epoch;
    this.seq = seq;
    this.nodes = nodes;
    this.disposable = disposable;
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

  /** Nobody follows the channel and its log holds nothing: a sweep would forget it. */
  public boolean disposable() {
    return disposable;
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
    out.writeBoolean(disposable);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    epoch = in.readString();
    seq = in.readLong();
    nodes = readStrings(in);
    disposable = in.readBoolean();
  }
}
