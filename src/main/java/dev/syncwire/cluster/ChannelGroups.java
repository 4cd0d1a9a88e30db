package dev.syncwire.cluster;

import com.hazelcast.partition.PartitionService;
import dev.syncwire.channel.ChannelId;
import dev.syncwire.cluster.operation.ChannelEntry;

/**
 * Which entry of the channels map holds a channel: one entry per partition of the cluster
 * ({@code cluster.partitions}), holding every channel whose key falls in that partition. A partition is
 * owned, backed up and migrated as one, and publishes waiting at a node for channels of one partition go
 * together in one operation and one backup: fewer partitions give larger batches when many channels are
 * busy, more spread the owners' work more finely over the nodes. Hazelcast refuses a member whose
 * partition count differs, so every node finds a channel in the same entry.
 */
final class ChannelGroups {
  private final PartitionService partitions;
  /** Per partition id, the key of the entry that holds that partition's channels. */
  private final String[] keys;

  ChannelGroups(PartitionService partitions) {
    this.partitions = partitions;
    int count = partitions.getPartitions().size();
    keys = new String[count];
    // The first "g<n>" that falls in each partition: the same on every node, as the partition hash is.
    int found = 0;
    for (int n = 0; found < count; n++) {
      String key = "g" + n;
      int id = partitions.getPartition(key).getPartitionId();
      if (keys[id] == null) {
        keys[id] = key;
        found++;
      }
    }
  }

  /** The key of the entry that holds {@code channel}. */
  String key(ChannelId channel) {
    return key(ChannelEntry.key(channel));
  }

  /** The key of the entry that holds the channel of {@code channelKey} ({@code tenant/name}). */
  String key(String channelKey) {
    return keys[partitions.getPartition(channelKey).getPartitionId()];
  }
}
