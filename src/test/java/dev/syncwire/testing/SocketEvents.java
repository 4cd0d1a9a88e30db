package dev.syncwire.testing;

/**
 * What happened to a group of sockets besides publications: acks, errors, resets, closes the client
 * did not ask for. Anything but acks means the figures measured with these sockets are suspect.
 * Touched only on the load generator's event loop.
 */
public final class SocketEvents {
  public long acks;
  /** Keyed publishes refused with a retryable error and sent again with their key (not a problem). */
  public long retried;
  public long errors;
  public long resets;
  public long unexpectedFrames;
  public long unexpectedCloses;
  public String lastProblem;

  public long problems() {
    return errors + resets + unexpectedFrames + unexpectedCloses;
  }

  @Override
  public String toString() {
    return "retried=" + retried + " errors=" + errors + " resets=" + resets + " unexpectedFrames=" + unexpectedFrames
        + " unexpectedCloses=" + unexpectedCloses + (lastProblem == null ? "" : " last=" + lastProblem);
  }
}
