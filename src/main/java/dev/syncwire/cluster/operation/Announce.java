package dev.syncwire.cluster.operation;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;

import java.util.HashSet;
import java.util.Map;

/** Reads what an owner announces; null for channels nobody follows. */
public final class Announce extends Stateless<Announcement> implements ReadOnly {
  @Override
  public Announcement process(Map.Entry<String, ChannelEntry> entry) {
    ChannelEntry e = entry.getValue();
    if (e == null || e.nodes.isEmpty()) {
      return null;
    }
    return new Announcement(e.log.epoch(), e.log.seq(), new HashSet<>(e.nodes));
  }

  @Override
  public EntryProcessor<String, ChannelEntry, Announcement> getBackupProcessor() {
    return null;
  }

  @Override
  public int getClassId() {
    return ClusterSerialization.ANNOUNCE;
  }
}
