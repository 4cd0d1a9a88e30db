package dev.syncwire.session;

import java.util.ArrayDeque;

/**
 * A session's frames on their way out. Frames go straight to the transport while it has room; after
 * that they wait here, where they can be counted against the limit and, for a subscriber that stopped
 * reading, dropped all at once instead of growing the server's memory.
 */
final class OutboundBuffer {
  private final Transport transport;
  private final long limitBytes;
  private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
  private long queuedBytes;

  OutboundBuffer(Transport transport, long limitBytes) {
    this.transport = transport;
    this.limitBytes = limitBytes;
  }

  /**
   * Adds a frame. Returns {@code false} when the session's outbound bytes now exceed the limit; the
   * caller must then close the session.
   */
  boolean offer(byte[] frame) {
    if (queue.isEmpty() && transport.writable()) {
      transport.write(frame);
      return true;
    }
    queue.add(frame);
    queuedBytes += frame.length;
    return queuedBytes + transport.pendingBytes() <= limitBytes;
  }

  /** Moves waiting frames to the transport while it has room. Returns whether anything moved. */
  boolean drainToTransport() {
    boolean moved = false;
    while (!queue.isEmpty() && transport.writable()) {
      byte[] frame = queue.poll();
      queuedBytes -= frame.length;
      transport.write(frame);
      moved = true;
    }
    return moved;
  }

  long queuedBytes() {
    return queuedBytes;
  }

  void clear() {
    queue.clear();
    queuedBytes = 0;
  }
}
