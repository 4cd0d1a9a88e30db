package dev.syncwire.cluster.operation;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import dev.syncwire.channel.ChannelSettings;
import dev.syncwire.channel.StoredLog;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.syncwire.cluster.operation.ClusterSerialization.readPublications;
import static dev.syncwire.cluster.operation.ClusterSerialization.readSettings;
import static dev.syncwire.cluster.operation.ClusterSerialization.writePublications;
import static dev.syncwire.cluster.operation.ClusterSerialization.writeSettings;

/**
 * Installs a channel that no node holds from what the store kept of it ({@code null}: the store has
 * nothing, so the channel starts with a new epoch). A channel already present is left as it is: another
 * node loaded it first, or it was created meanwhile. The same operation installs the backups.
 */
public final class Restore extends Identified implements EntryProcessor<String, ChannelEntry, Void> {
  private StoredLog stored;
  private ChannelSettings settings;

  Restore() {
  }

  public Restore(StoredLog stored, ChannelSettings settings) {
    this.stored = stored;
    this.settings = settings;
  }

  @Override
  public Void process(Map.Entry<String, ChannelEntry> entry) {
    if (entry.getValue() == null) {
      entry.setValue(stored == null ? ChannelEntry.withNewEpoch(entry.getKey(), settings)
          : ChannelEntry.restored(entry.getKey(), stored, settings));
    }
    return null;
  }

  @Override
  public EntryProcessor<String, ChannelEntry, Void> getBackupProcessor() {
    // A new epoch is minted on the owner only; its backups follow with the publications.
    return stored == null ? null : this;
  }

  @Override
  public int getClassId() {
    return ClusterSerialization.RESTORE;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    writeSettings(out, settings);
    out.writeBoolean(stored != null);
    if (stored != null) {
      out.writeString(stored.epoch());
      out.writeLong(stored.seq());
      writePublications(out, stored.tail());
      out.writeInt(stored.agesMs().size());
      for (long age : stored.agesMs()) {
        out.writeLong(age);
      }
      out.writeString(stored.stateSnapshot());
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    settings = readSettings(in);
    if (in.readBoolean()) {
      String epoch = in.readString();
      long seq = in.readLong();
      var tail = readPublications(in);
      int n = in.readInt();
      List<Long> ages = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        ages.add(in.readLong());
      }
      stored = new StoredLog(epoch, seq, tail, ages, in.readString());
    }
  }
}
