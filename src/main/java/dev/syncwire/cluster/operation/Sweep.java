package dev.syncwire.cluster.operation;

import com.hazelcast.map.EntryProcessor;
import dev.syncwire.channel.MonotonicClock;

import java.util.Map;

/**
 * Forgets a channel that no node follows and whose log holds nothing (no state, history or dedup
 * keys), as a node alone does; its backups are told to forget it too. One channel per operation: a
 * multi-key operation would send its one backup to every key it was given.
 */
public final class Sweep extends Stateless<Boolean> {
  private transient SweepBackup backup;

  @Override
  public Boolean process(Map.Entry<String, ChannelEntry> entry) {
    ChannelEntry e = entry.getValue();
    if (e != null && e.disposable(MonotonicClock.nowMs())) {
      entry.setValue(null);
      backup = new SweepBackup();
      return true;
    }
    return false;
  }

  @Override
  public EntryProcessor<String, ChannelEntry, Boolean> getBackupProcessor() {
    return backup;
  }

  @Override
  public int getClassId() {
    return ClusterSerialization.SWEEP;
  }
}
