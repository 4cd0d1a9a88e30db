package dev.syncwire.cluster.operation;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;

import java.io.IOException;
import java.util.Map;

/**
 * Tells a channel's owner that the store holds it up to {@code seq}, so that later publishes carry only
 * what comes after. Not backed up: a backup that lags only makes a later write longer.
 */
public final class Stored extends Identified implements EntryProcessor<String, ChannelEntry, Void> {
  private String epoch;
  private long seq;

  Stored() {
  }

  public Stored(String epoch, long seq) {
    this.epoch = epoch;
    this.seq = seq;
  }

  @Override
  public Void process(Map.Entry<String, ChannelEntry> entry) {
    ChannelEntry e = entry.getValue();
    if (e != null && e.log.epoch().equals(epoch) && seq > e.storedSeq) {
      e.storedSeq = Math.min(seq, e.log.seq());
      entry.setValue(e);
    }
    return null;
  }

  @Override
  public EntryProcessor<String, ChannelEntry, Void> getBackupProcessor() {
    return null;
  }

  @Override
  public int getClassId() {
    return ClusterSerialization.STORED;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(epoch);
    out.writeLong(seq);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    epoch = in.readString();
    seq = in.readLong();
  }
}
