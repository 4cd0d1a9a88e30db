package dev.syncwire.protocol;

/**
 * A command that cannot be carried out, answered with an {@code error} reply. {@code commandId} is the
 * id of the offending command, or {@code null} when the frame had none.
 */
public class ProtocolException extends RuntimeException {
  private final ErrorCode code;
  private final Long commandId;

  public ProtocolException(ErrorCode code, String message) {
    this(code, message, null);
  }

  public ProtocolException(ErrorCode code, String message, Long commandId) {
    super(message, null, false, false);
    this.code = code;
    this.commandId = commandId;
  }

  public ErrorCode code() {
    return code;
  }

  public Long commandId() {
    return commandId;
  }

  public ProtocolException withCommandId(long id) {
    return new ProtocolException(code, getMessage(), id);
  }
}
