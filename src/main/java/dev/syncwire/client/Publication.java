package dev.syncwire.client;

import io.vertx.core.json.JsonObject;

/**
 * One publication of a channel, handed to the application in {@code seq} order, once.
 *
 * @param channel   the channel
 * @param epoch     the channel's epoch
 * @param seq       its position; for a merged push (docs/protocol.md §8.2) the last position it covers
 * @param from      the first position a merged push covers, or {@code null}
 * @param key       the idempotency key it was published with, or {@code null}
 * @param data      the data of a data publication (a {@link JsonObject}, {@link io.vertx.core.json.JsonArray},
 *                  String, Number, Boolean or {@code null}); {@code null} for a patch
 * @param patch     the patch of a state change, with {@code versions}; {@code null} for data
 * @param recovered whether it came with a subscribe's recovery rather than as a push
 */
public record Publication(String channel, String epoch, long seq, Long from, String key, Object data,
    JsonObject patch, boolean recovered) {

  /** Whether this is a state change rather than data. */
  public boolean isPatch() {
    return patch != null;
  }
}
