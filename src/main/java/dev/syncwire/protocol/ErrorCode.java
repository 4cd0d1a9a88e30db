package dev.syncwire.protocol;

/** The error codes a reply of type {@code error} may carry (docs/protocol.md §4.2). */
public enum ErrorCode {
  BAD_REQUEST("bad_request", false),
  UNAUTHORIZED("unauthorized", false),
  FORBIDDEN("forbidden", false),
  NOT_FOUND("not_found", false),
  TOO_LARGE("too_large", false),
  RATE_LIMITED("rate_limited", true),
  CONFLICT("conflict", false),
  OVERLOADED("overloaded", true),
  UNAVAILABLE("unavailable", true),
  INTERNAL("internal", true);

  private final String wireName;
  private final boolean retryable;

  ErrorCode(String wireName, boolean retryable) {
    this.wireName = wireName;
    this.retryable = retryable;
  }

  /** The code as it appears on the wire, for example {@code bad_request}. */
  public String wireName() {
    return wireName;
  }

  /** Whether the same command may succeed if sent again later. */
  public boolean retryable() {
    return retryable;
  }
}
