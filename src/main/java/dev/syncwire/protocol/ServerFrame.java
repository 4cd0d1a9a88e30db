package dev.syncwire.protocol;

import java.util.List;

/** Frames the server sends: replies (with the command's id) and pushes (without). */
public sealed interface ServerFrame {

  /** The id of the command this frame answers; null for pushes (and errors about frames without one). */
  default Long replyTo() {
    return null;
  }

  record Connected(long id, String session, String key, String user, String tenant, String node,
                   long heartbeatMs) implements ServerFrame {
    @Override
    public Long replyTo() {
      return id;
    }
  }

  /**
   * Reply to {@code subscribe}. {@code pubs} holds recovered publications when {@code recovered}; a
   * {@code snapshotJson} (already encoded) accompanies channels with state.
   */
  record Subscribed(long id, String channel, String epoch, long seq, boolean recovered, List<Pub> pubs,
                    String snapshotJson) implements ServerFrame {
    @Override
    public Long replyTo() {
      return id;
    }
  }

  record Unsubscribed(long id, String channel) implements ServerFrame {
    @Override
    public Long replyTo() {
      return id;
    }
  }

  record Ack(long id, String channel, long seq, String epoch, boolean duplicate) implements ServerFrame {
    @Override
    public Long replyTo() {
      return id;
    }
  }

  record Pong(long id) implements ServerFrame {
    @Override
    public Long replyTo() {
      return id;
    }
  }

  /** Reply to {@code refresh}: the session's new expiry (ms since the epoch), null for a token without one. */
  record Refreshed(long id, Long expiresAt) implements ServerFrame {
    @Override
    public Long replyTo() {
      return id;
    }
  }

  /** An error reply; {@code id} is null when the offending frame carried none. */
  record Error(Long id, ErrorCode code, String message, boolean retry, Long retryAfterMs,
               String currentJson) implements ServerFrame {
    @Override
    public Long replyTo() {
      return id;
    }

    public static Error of(Long id, ErrorCode code, String message) {
      return new Error(id, code, message, code.retryable(), null, null);
    }
  }

  /**
   * A publication pushed to a subscriber. Exactly one of {@code dataJson} and {@code patchJson} is set;
   * {@code from} is non-zero only for conflated patches.
   */
  record Pub(String channel, String epoch, long seq, long from, String key, String dataJson,
             String patchJson) implements ServerFrame {
  }

  record Reset(String channel, String reason) implements ServerFrame {
  }

  record Reconnect(long delayMs, String reason) implements ServerFrame {
  }
}
