package dev.syncwire.session;

import dev.syncwire.protocol.CloseCode;

/**
 * What a session needs from the connection under it. All methods are called on the session's event
 * loop. Writes are buffered until {@link #flush()} so that a turn's frames leave in one system call.
 */
public interface Transport {

  /** Queues one encoded frame; does not flush. */
  void write(byte[] frame);

  void flush();

  /** Whether the connection's own send buffer is below its high-water mark. */
  boolean writable();

  /** Bytes written to the connection and not yet handed to the kernel. */
  long pendingBytes();

  /** Sends a transport-level heartbeat (a WebSocket ping frame). */
  void ping();

  /** Closes with a close code, and drops the connection if the peer does not complete the close. */
  void close(CloseCode code, String reason);

  /** Drops the connection at once, without a close frame. */
  void terminate();
}
