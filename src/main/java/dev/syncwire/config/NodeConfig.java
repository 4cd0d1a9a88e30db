package dev.syncwire.config;

import static dev.syncwire.config.SyncwireConfig.NODE_EVENT_LOOPS;
import static dev.syncwire.config.SyncwireConfig.NODE_ID;

/**
 * The node itself: {@code node.id} and {@code node.eventLoops}.
 *
 * @param id the node's name; empty when the node is to pick a random one
 * @param eventLoops event-loop threads, one per CPU when the key is 0
 */
public record NodeConfig(String id, int eventLoops) {
  static NodeConfig from(ConfigValues v) {
    int loops = v.integer(NODE_EVENT_LOOPS);
    return new NodeConfig(v.get(NODE_ID), loops > 0 ? loops : Runtime.getRuntime().availableProcessors());
  }
}
