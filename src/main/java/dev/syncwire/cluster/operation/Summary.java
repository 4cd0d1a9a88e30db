package dev.syncwire.cluster.operation;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;

import java.io.IOException;

/** One channel as the admin API lists it. */
public final class Summary extends Identified {
  private String channel;
  private String epoch;
  private long seq;
  private int nodes;
  private String snapshotJson;

  Summary() {
  }

  Summary(String channel, String epoch, long seq, int nodes, String snapshotJson) {
    this.channel = channel;
    this.epoch = epoch;
    this.seq = seq;
    this.nodes = nodes;
    this.snapshotJson = snapshotJson;
  }

  public String channel() {
    return channel;
  }

  public String epoch() {
    return epoch;
  }

  public long seq() {
    return seq;
  }

  public int nodes() {
    return nodes;
  }

  public String snapshotJson() {
    return snapshotJson;
  }

  @Override
  public int getClassId() {
    return ClusterSerialization.SUMMARY;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(channel);
    out.writeString(epoch);
    out.writeLong(seq);
    out.writeInt(nodes);
    out.writeString(snapshotJson);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    channel = in.readString();
    epoch = in.readString();
    seq = in.readLong();
    nodes = in.readInt();
    snapshotJson = in.readString();
  }
}
