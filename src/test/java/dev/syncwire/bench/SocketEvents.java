package dev.syncwire.bench;

/**
 * What happened to a group of sockets besides publications: acks, errors, resets, closes the client
 * did not ask for. Anything but acks means the figures measured with these sockets are suspect.
 * Touched only on the load generator's event loop.
 */
final class SocketEvents {
  long acks;
  /** Keyed publishes refused with a retryable error and sent again with their key (not a problem). */
  long retried;
  long errors;
  long resets;
  long unexpectedFrames;
  long unexpectedCloses;
  String lastProblem;

  long problems() {
    return errors + resets + unexpectedFrames + unexpectedCloses;
  }

  @Override
  public String toString() {
    return "retried=" + retried + " errors=" + errors + " resets=" + resets + " unexpectedFrames=" + unexpectedFrames
        + " unexpectedCloses=" + unexpectedCloses + (lastProblem == null ? "" : " last=" + lastProblem);
  }
}
