package dev.syncwire.client;

import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * One entity of a state channel changed.
 *
 * @param fields   the entity's fields after the change, or {@code null} when it disappeared
 * @param versions each field's version (the seq of its last write)
 * @param seq      the channel position the replica is at
 */
public record EntityChange(String channel, String entity, JsonObject fields, Map<String, Long> versions, long seq) {

  /** Whether the entity is gone (its last field was unset, or a snapshot no longer has it). */
  public boolean removed() {
    return fields == null;
  }
}
