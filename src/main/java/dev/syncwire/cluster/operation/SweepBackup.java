package dev.syncwire.cluster.operation;

import com.hazelcast.map.EntryProcessor;

import java.util.Map;

/** Backup side of {@link Sweep}: the primary decided. */
final class SweepBackup extends Stateless<Boolean> {
  @Override
  public Boolean process(Map.Entry<String, ChannelEntry> entry) {
    entry.setValue(null);
    return true;
  }

  @Override
  public EntryProcessor<String, ChannelEntry, Boolean> getBackupProcessor() {
    return null;
  }

  @Override
  public int getClassId() {
    return ClusterSerialization.SWEEP_BACKUP;
  }
}
