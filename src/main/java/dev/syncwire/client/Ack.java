package dev.syncwire.client;

/**
 * The server's acknowledgement of a publish: the publication has this position and will be delivered.
 *
 * @param duplicate true when the channel had already accepted the same key (docs/protocol.md §6.4)
 */
public record Ack(String channel, String epoch, long seq, boolean duplicate) {}
