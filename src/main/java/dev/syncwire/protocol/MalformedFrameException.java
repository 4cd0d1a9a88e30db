package dev.syncwire.protocol;

/**
 * A frame that is not a command at all (not a JSON object, no integer {@code id}, wrong frame kind).
 * The connection cannot be trusted to stay in sync and is closed with {@link CloseCode#MALFORMED_FRAME}.
 */
public class MalformedFrameException extends RuntimeException {
  public MalformedFrameException(String message) {
    super(message, null, false, false);
  }
}
