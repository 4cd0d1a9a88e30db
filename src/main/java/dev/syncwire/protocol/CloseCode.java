package dev.syncwire.protocol;

/** WebSocket close codes the server uses (docs/protocol.md §10.2). */
public enum CloseCode {
  NORMAL(1000, "normal close"),
  GOING_AWAY(1001, "server going away"),
  PROTOCOL_ERROR(1002, "protocol error"),
  INVALID_PAYLOAD(1007, "invalid payload"),
  POLICY_VIOLATION(1008, "policy violation"),
  MESSAGE_TOO_BIG(1009, "frame too large"),
  INTERNAL_ERROR(1011, "internal error"),
  SERVICE_RESTART(1012, "service restart"),
  TRY_AGAIN_LATER(1013, "try again later"),
  UNAUTHORIZED(4001, "unauthorized"),
  FORBIDDEN(4003, "forbidden"),
  RATE_LIMITED(4008, "rate limited"),
  SLOW_CONSUMER(4009, "slow consumer"),
  MALFORMED_FRAME(4400, "malformed frame");

  private final short code;
  private final String reason;

  CloseCode(int code, String reason) {
    this.code = (short) code;
    this.reason = reason;
  }

  /** The constant for a numeric code, or {@code null} if the server never uses it. */
  public static CloseCode of(int code) {
    for (CloseCode c : values()) {
      if (c.code == code) {
        return c;
      }
    }
    return null;
  }

  /**
   * Whether a client reconnects on its own after this close (§10.2): not after a normal close, a
   * policy or protocol violation, a frame it must fix, or an admin's disconnect. Codes the server never
   * sends (1006 for a dropped connection) allow it. 4001 needs a fresh token, which only the client knows.
   */
  public static boolean clientReconnects(int code) {
    return switch (code) {
      case 1000, 1002, 1007, 1008, 1009, 4003, 4400 -> false;
      default -> true;
    };
  }

  public short code() {
    return code;
  }

  /** A short default reason phrase sent with the close frame. */
  public String reason() {
    return reason;
  }
}
