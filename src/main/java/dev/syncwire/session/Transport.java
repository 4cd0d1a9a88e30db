package dev.syncwire.session;

import dev.syncwire.protocol.TransportKind;
import dev.syncwire.protocol.CloseCode;

/**
 * What a session needs from the connection under it. All methods are called on the session's event
 * loop. Writes are buffered until {@link #flush()} so that a turn's frames leave in one system call.
 */
public interface Transport {

  /** The transport as metrics name it; an HTTP session's changes as it moves between SSE and polls. */
  TransportKind kind();

  /** Queues one encoded frame; does not flush. */
  void write(byte[] frame);

  void flush();

  /** Whether the connection's own send buffer is below its high-water mark. */
  boolean writable();

  /** Bytes written to the connection and not yet handed to the kernel. */
  long pendingBytes();

  /**
   * Bytes the transport keeps after sending, for a reconnecting client to catch up (the HTTP
   * transports' replay buffer): memory the node's bounds count, but not the session's outbound limit.
   */
  default long retainedBytes() {
    return 0;
  }

  /** Sends a transport-level heartbeat (a WebSocket ping frame). */
  void ping();

  /** Closes with a close code, and drops the connection if the peer does not complete the close. */
  void close(CloseCode code, String reason);

  /** Drops the connection at once, without a close frame. */
  void terminate();

  /**
   * Whether replies travel apart from pushes (HTTP: in the response of the request that carried the
   * command); then {@link #reply} receives them instead of {@link #write}.
   */
  default boolean separatesReplies() {
    return false;
  }

  /** A reply to command {@code id}, for transports that {@link #separatesReplies()}. */
  default void reply(Long id, byte[] frame) {
    throw new UnsupportedOperationException();
  }

  /** Whether the session's heartbeat pings this transport and drops it after missed pongs. */
  default boolean usesHeartbeat() {
    return true;
  }

  /**
   * What to do when a subscriber's outbound bytes pass the limit: {@code true} resets the channels whose
   * publications wait (the session goes on), {@code false} closes the session with 4009.
   */
  default boolean resetsOnOverflow() {
    return false;
  }
}
