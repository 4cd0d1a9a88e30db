package dev.syncwire.channel;

/** A patch that cannot be applied; {@link Kind} says why, the message says how to fix it. */
public final class PatchException extends RuntimeException {
  public enum Kind { INVALID, TOO_LARGE }

  private final Kind kind;

  public PatchException(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
