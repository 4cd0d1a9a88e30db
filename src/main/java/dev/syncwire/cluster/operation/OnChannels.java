package dev.syncwire.cluster.operation;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs operations on channels of one group, in order, as one Hazelcast operation on the group's entry:
 * answers their results in the same order. What they back up goes to the backups as one
 * {@code OnChannels} too, each channel getting only its own operation's backup.
 */
public final class OnChannels extends Identified implements EntryProcessor<String, ChannelGroup, List<Object>> {
  private List<String> keys;
  private List<EntryProcessor<String, ChannelEntry, ?>> operations;
  private transient OnChannels backup;

  OnChannels() {
  }

  /** {@code operations.get(i)} runs on the channel of {@code keys.get(i)}; every key is of the same group. */
  public OnChannels(List<String> keys, List<EntryProcessor<String, ChannelEntry, ?>> operations) {
    if (keys.size() != operations.size()) {
      throw new IllegalArgumentException("one key per operation");
    }
    this.keys = keys;
    this.operations = operations;
  }

  /** One operation on one channel. */
  public static OnChannels of(String key, EntryProcessor<String, ChannelEntry, ?> operation) {
    return new OnChannels(List.of(key), List.of(operation));
  }

  @Override
  public List<Object> process(Map.Entry<String, ChannelGroup> entry) {
    ChannelGroup group = entry.getValue();
    if (group == null) {
      group = new ChannelGroup();
    }
    List<Object> results = new ArrayList<>(operations.size());
    List<String> backupKeys = null;
    List<EntryProcessor<String, ChannelEntry, ?>> backups = null;
    boolean changed = false;
    for (int i = 0; i < operations.size(); i++) {
      EntryProcessor<String, ChannelEntry, ?> operation = operations.get(i);
      ChannelView view = new ChannelView(keys.get(i), group);
      results.add(operation.process(view));
      changed |= view.changed();
      EntryProcessor<String, ChannelEntry, ?> b = operation.getBackupProcessor();
      if (b != null) {
        if (backups == null) {
          backupKeys = new ArrayList<>();
          backups = new ArrayList<>();
        }
        backupKeys.add(keys.get(i));
        backups.add(b);
      }
    }
    if (changed) {
      // An empty group leaves the map, as an absent channel did when it had an entry of its own.
      entry.setValue(group.channels.isEmpty() ? null : group);
    }
    backup = backups == null ? null : new OnChannels(backupKeys, backups);
    return results;
  }

  @Override
  public EntryProcessor<String, ChannelGroup, List<Object>> getBackupProcessor() {
    return backup;
  }

  @Override
  public int getClassId() {
    return ClusterSerialization.ON_CHANNELS;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeInt(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      out.writeString(keys.get(i));
      out.writeObject(operations.get(i));
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    int n = in.readInt();
    keys = new ArrayList<>(n);
    operations = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      keys.add(in.readString());
      operations.add(in.readObject());
    }
  }
}
