package dev.syncwire.transport.http;

import java.util.List;

/** Where an HTTP session's pushes go: an open SSE stream or a waiting poll, here or on another node. */
interface Downstream {

  /** Sends pushes (already numbered). */
  void deliver(List<CursorBuffer.Entry> pushes);

  /** Whether it can take more now (an SSE stream whose socket is backed up cannot). */
  boolean writable();

  /** A poll answers once and is then done; a stream stays. */
  boolean oneShot();

  /** Replaced by a newer downstream, or the session ended: finish cleanly. */
  void end();

  /** The id under which another node relays this stream; null for a downstream held here. */
  default String relayId() {
    return null;
  }
}
