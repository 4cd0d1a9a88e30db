package dev.syncwire.client;

import io.vertx.core.json.JsonObject;

/**
 * The channel could not be continued in order: a {@code reset} push, or {@code recovered:false} for a
 * subscribe with {@code since}. The subscription already started again at {@code epoch}/{@code seq}.
 *
 * @param reason    the server's reason ({@code epoch_changed}, {@code slow_consumer}, ...) or
 *                  {@code not_recovered}
 * @param recovered true when the resubscribe recovered what was missed after all (only for a reset push)
 * @param snapshot  the fresh state of a state channel ({@code {seq, entities}}), or {@code null}
 */
public record Reset(String channel, String reason, boolean recovered, String epoch, long seq, JsonObject snapshot) {}
