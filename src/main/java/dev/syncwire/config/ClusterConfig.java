package dev.syncwire.config;

import java.util.List;

import static dev.syncwire.config.SyncwireConfig.CLUSTER_ANNOUNCE_INTERVAL_MS;
import static dev.syncwire.config.SyncwireConfig.CLUSTER_BACKUPS;
import static dev.syncwire.config.SyncwireConfig.CLUSTER_PARTITIONS;
import static dev.syncwire.config.SyncwireConfig.CLUSTER_CONFIG;
import static dev.syncwire.config.SyncwireConfig.CLUSTER_MEMBERS;
import static dev.syncwire.config.SyncwireConfig.CLUSTER_NAME;
import static dev.syncwire.config.SyncwireConfig.CLUSTER_PORT;
import static dev.syncwire.config.SyncwireConfig.CLUSTER_PUBLISH_BATCH;
import static dev.syncwire.config.SyncwireConfig.CLUSTER_REPAIR_DELAY_MS;

/**
 * The cluster: {@code cluster.*}; read only when the node starts with {@code -cluster}.
 *
 * @param configFile the Hazelcast XML file ({@code cluster.config})
 * @param members TCP-IP members to join; empty = those of the file
 * @param partitions the cluster's partition count ({@code cluster.partitions})
 */
public record ClusterConfig(String name, int port, int backups, String configFile, List<String> members,
                            long announceIntervalMs, int publishBatch, long repairDelayMs, int partitions) {
  static ClusterConfig from(ConfigValues v) {
    return new ClusterConfig(v.get(CLUSTER_NAME), v.integer(CLUSTER_PORT), v.integer(CLUSTER_BACKUPS),
        v.get(CLUSTER_CONFIG), v.strings(CLUSTER_MEMBERS), v.number(CLUSTER_ANNOUNCE_INTERVAL_MS),
        v.integer(CLUSTER_PUBLISH_BATCH), v.number(CLUSTER_REPAIR_DELAY_MS),
        v.integer(CLUSTER_PARTITIONS));
  }
}
