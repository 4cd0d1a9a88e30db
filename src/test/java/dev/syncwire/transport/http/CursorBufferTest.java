package dev.syncwire.transport.http;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** An HTTP session's handed-out pushes, numbered by cursor (docs/protocol.md §11.5). */
class CursorBufferTest {

  private static byte[] push(int bytes) {
    return new byte[bytes];
  }

  private static List<Long> cursors(List<CursorBuffer.Entry> entries) {
    return entries.stream().map(CursorBuffer.Entry::cursor).toList();
  }

  @Test
  void pushesAreNumberedFromOneAndAfterACursorComeTheOnesAfterItInOrder() {
    CursorBuffer buffer = new CursorBuffer(1000);
    assertEquals(0, buffer.lastCursor(), "cursor 0: nothing received yet");
    assertEquals(List.of(), buffer.after(0));
    for (int i = 0; i < 5; i++) {
      buffer.append(push(10));
    }
    assertEquals(5, buffer.lastCursor());
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), cursors(buffer.after(0)));
    assertEquals(List.of(4L, 5L), cursors(buffer.after(3)));
    assertEquals(List.of(), buffer.after(5));
  }

  @Test
  void whatIsAcknowledgedIsForgottenAndWhatFollowsIsRepeated() {
    CursorBuffer buffer = new CursorBuffer(1000);
    for (int i = 0; i < 5; i++) {
      buffer.append(push(10));
    }
    buffer.acknowledge(3);
    assertEquals(20, buffer.bytes());
    assertEquals(List.of(4L, 5L), cursors(buffer.after(3)), "a lost response is repeated");
    assertEquals(List.of(5L), cursors(buffer.after(4)));
    assertNull(buffer.after(2), "before the acknowledged cursor: no longer held");
    buffer.acknowledge(1);
    assertEquals(List.of(4L, 5L), cursors(buffer.after(3)), "an older acknowledgement changes nothing");
  }

  @Test
  void pastTheByteBoundTheOldestGoAndACursorBeforeThemCannotBeServedInOrder() {
    CursorBuffer buffer = new CursorBuffer(100);
    for (int i = 0; i < 4; i++) {
      buffer.append(push(30));
    }
    assertEquals(90, buffer.bytes(), "the first push went to make room for the fourth");
    assertNull(buffer.after(0), "push 1 is gone: serving cursor 0 would leave a gap");
    assertEquals(List.of(2L, 3L, 4L), cursors(buffer.after(1)));
  }

  @Test
  void aCursorAheadOfTheLastPushCannotBeServed() {
    CursorBuffer buffer = new CursorBuffer(100);
    buffer.append(push(10));
    assertNull(buffer.after(2));
  }

  @Test
  void theNewestPushIsKeptEvenWhenItAlonePassesTheBound() {
    CursorBuffer buffer = new CursorBuffer(100);
    buffer.append(push(30));
    buffer.append(push(500));
    assertEquals(500, buffer.bytes());
    assertEquals(List.of(2L), cursors(buffer.after(1)));
  }
}
