package dev.syncwire.cluster.operation;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;

import dev.syncwire.channel.MonotonicClock;

import java.util.Map;

/**
 * Reads what an owner announces of a channel. Null for a channel nobody follows unless the sweep would
 * forget it, so that the sweep runs only on channels it would forget.
 */
public final class Announce extends Stateless<Announcement> implements ReadOnly {
  @Override
  public Announcement process(Map.Entry<String, ChannelEntry> entry) {
    ChannelEntry e = entry.getValue();
    if (e == null) {
      return null;
    }
    boolean disposable = e.disposable(MonotonicClock.nowMs());
    if (e.nodes.isEmpty() && !disposable) {
      return null;
    }
    return new Announcement(e.log.epoch(), e.log.seq(), e.followers(), disposable);
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
