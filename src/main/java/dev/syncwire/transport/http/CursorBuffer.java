package dev.syncwire.transport.http;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The pushes an HTTP session has handed to a downstream, numbered by cursor (1, 2, ...), kept until the
 * client acknowledges them so that a lost response can be repeated and an SSE reconnect can resume
 * exactly after its {@code Last-Event-ID}. Bounded by bytes: past the bound the oldest go first, and a
 * client asking for something older can no longer be served in order.
 */
final class CursorBuffer {
  /** One push and its cursor. */
  record Entry(long cursor, byte[] frame) {
  }

  private final long limitBytes;
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private long nextCursor = 1;
  private long firstCursor = 1;
  private long bytes;

  CursorBuffer(long limitBytes) {
    this.limitBytes = limitBytes;
  }

  Entry append(byte[] frame) {
    Entry e = new Entry(nextCursor++, frame);
    entries.add(e);
    bytes += frame.length;
    while (bytes > limitBytes && entries.size() > 1) {
      Entry dropped = entries.poll();
      bytes -= dropped.frame().length;
      firstCursor = dropped.cursor() + 1;
    }
    return e;
  }

  /** The pushes after {@code cursor}; null when some of them are no longer held (or it is ahead). */
  List<Entry> after(long cursor) {
    if (cursor < firstCursor - 1 || cursor > lastCursor()) {
      return null;
    }
    List<Entry> out = new ArrayList<>();
    for (Entry e : entries) {
      if (e.cursor() > cursor) {
        out.add(e);
      }
    }
    return out;
  }

  /** The client has everything up to {@code cursor}. */
  void acknowledge(long cursor) {
    while (!entries.isEmpty() && entries.peek().cursor() <= cursor) {
      Entry e = entries.poll();
      bytes -= e.frame().length;
      firstCursor = e.cursor() + 1;
    }
  }

  long lastCursor() {
    return nextCursor - 1;
  }

  long bytes() {
    return bytes;
  }
}
