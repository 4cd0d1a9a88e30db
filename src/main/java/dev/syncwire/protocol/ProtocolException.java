package dev.syncwire.protocol;

/**
 * A command that cannot be carried out, answered with an {@code error} reply. {@code commandId} is the
 * id of the offending command, or {@code null} when the frame had none.
 */
public class ProtocolException extends RuntimeException {
  private final ErrorCode code;
  private final Long commandId;
  private final String currentJson;
  private final Long retryAfterMs;

  public ProtocolException(ErrorCode code, String message) {
    this(code, message, null, null);
  }

  public ProtocolException(ErrorCode code, String message, Long commandId) {
    this(code, message, commandId, null);
  }

  /** With {@code currentJson}: for {@code conflict}, the current versions of the fields the patch named. */
  public ProtocolException(ErrorCode code, String message, Long commandId, String currentJson) {
    this(code, message, commandId, currentJson, null);
  }

  /** With {@code retryAfterMs}: how long a client should wait before retrying a retryable failure. */
  public ProtocolException(ErrorCode code, String message, Long commandId, String currentJson, Long retryAfterMs) {
    super(message, null, false, false);
    this.code = code;
    this.commandId = commandId;
    this.currentJson = currentJson;
    this.retryAfterMs = retryAfterMs;
  }

  public Long retryAfterMs() {
    return retryAfterMs;
  }

  public String currentJson() {
    return currentJson;
  }

  /** The {@code error} reply for this failure. */
  public ServerFrame.Error toFrame() {
    return new ServerFrame.Error(commandId, code, getMessage(), code.retryable(), retryAfterMs, currentJson);
  }

  public ErrorCode code() {
    return code;
  }

  public Long commandId() {
    return commandId;
  }

  public ProtocolException withCommandId(long id) {
    return new ProtocolException(code, getMessage(), id, currentJson, retryAfterMs);
  }
}
