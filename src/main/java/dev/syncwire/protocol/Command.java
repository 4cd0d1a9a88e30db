package dev.syncwire.protocol;

/**
 * A client command (docs/protocol.md §3.2). Every command carries the client's {@code id}; the
 * server answers each with exactly one reply carrying the same id.
 */
public sealed interface Command {
  long id();

  /**
   * Starts a session with a JWT, or anonymously for a tenant that allows it. {@code traceparent} (W3C, or
   * null) makes the connection's trace span a child of the client's.
   */
  record Connect(long id, String token, String tenant, String client, String traceparent) implements Command {
    public Connect(long id, String token, String tenant, String client) {
      this(id, token, tenant, client, null);
    }
  }

  /** Follows a channel, optionally resuming after a known position. */
  record Subscribe(long id, String channel, Since since) implements Command {
  }

  record Unsubscribe(long id, String channel) implements Command {
  }

  /**
   * Publishes exactly one of {@code dataJson} (any JSON value, already encoded) or {@code patch} to a
   * channel; {@code key} is the optional idempotency key; {@code traceparent} (W3C, or null) the trace the
   * publish continues.
   */
  record Publish(long id, String channel, String key, String dataJson, String patchJson, String traceparent)
      implements Command {
    public Publish(long id, String channel, String key, String dataJson, String patchJson) {
      this(id, channel, key, dataJson, patchJson, null);
    }

    public Publish {
      if (key != null && (key.isEmpty() || key.length() > JsonCodec.MAX_KEY_LENGTH)) {
        throw new ProtocolException(ErrorCode.BAD_REQUEST, "key must be 1-" + JsonCodec.MAX_KEY_LENGTH + " characters");
      }
      if ((dataJson == null) == (patchJson == null)) {
        throw new ProtocolException(ErrorCode.BAD_REQUEST, "a publish carries exactly one of \"data\" or \"patch\"");
      }
    }
  }

  record Ping(long id) implements Command {
  }

  /** Replaces the session's token by a later one of the same user and tenant (docs/protocol.md §5.4). */
  record Refresh(long id, String token) implements Command {
  }

  /** A position in a channel's log: its epoch and the last seq the client applied. */
  record Since(String epoch, long seq) {
    public Since {
      if (seq < 0) {
        throw new ProtocolException(ErrorCode.BAD_REQUEST, "\"since.seq\" must be a non-negative integer");
      }
    }
  }
}
