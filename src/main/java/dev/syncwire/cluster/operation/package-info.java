/**
 * What runs on a channel's entry in the Hazelcast map, and what crosses the network for it: each
 * operation is an entry processor that Hazelcast runs on the partition owner of the channel's key, one
 * at a time per key, and each that changes the entry has a backup processor named after it
 * ({@code Publish} / {@code PublishBackup}) that replays its decision on the backup copies. Replies have
 * files of their own; {@link dev.syncwire.cluster.operation.ClusterSerialization} numbers every type.
 * Depends on channel and broker (the publish request); the cluster broker is its only caller.
 */
package dev.syncwire.cluster.operation;
