package dev.syncwire.client;

import io.vertx.core.json.JsonObject;

/**
 * Why a command failed: an error reply of the server (its code, docs/protocol.md §4.2) or one of the
 * client's own codes: {@code closed} (the client was closed first), {@code expired} (a queued publish
 * outlived its time to live), {@code timeout}, {@code transport_failed}, {@code storage} (the outbox
 * could not be written), {@code gave_up}.
 */
public class SyncwireException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;
  private final boolean retry;
  private final Long retryAfterMs;
  private final transient JsonObject current;

  public SyncwireException(String code, String message, boolean retry, Long retryAfterMs, JsonObject current) {
    super(code + ": " + message);
    this.code = code;
    this.retry = retry;
    this.retryAfterMs = retryAfterMs;
    this.current = current;
  }

  SyncwireException(String code, String message) {
    this(code, message, false, null, null);
  }

  static SyncwireException fromReply(JsonObject error) {
    Object current = error.getValue("current");
    return new SyncwireException(error.getString("code", "internal"), error.getString("message", ""),
        Boolean.TRUE.equals(error.getBoolean("retry")), error.getLong("retryAfterMs"),
        current instanceof JsonObject ? (JsonObject) current : null);
  }

  /** The wire code ({@code conflict}, {@code forbidden}, ...) or the client's own. */
  public String code() {
    return code;
  }

  /** Whether the same command may succeed later. */
  public boolean retry() {
    return retry;
  }

  /** How long to wait before trying again, when the server said; else {@code null}. */
  public Long retryAfterMs() {
    return retryAfterMs;
  }

  /** For {@code conflict}: the current versions of the fields the patch's {@code if} named. */
  public JsonObject current() {
    return current;
  }
}
