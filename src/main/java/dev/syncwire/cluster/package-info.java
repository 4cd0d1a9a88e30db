/**
 * Syncwire across nodes: channel logs live in a Hazelcast map whose partition owner is each channel's
 * owner (entry processors sequence publishes; synchronous backups copy them before the ack), and
 * publications cross the clustered event bus once per subscribed node, with gap repair from the
 * owner's history. Implements the broker seam; depends on channel, protocol, broker and config. The
 * operations that run on a channel's entry, and their replies, live in {@code cluster.operation}.
 */
package dev.syncwire.cluster;
