package dev.syncwire.channel;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DedupWindowTest {

  @Test
  void remembersKeysWithTheirSeqWithinTheWindow() {
    DedupWindow w = new DedupWindow(1000, 100);
    w.record("a", 7, 0);
    assertEquals(7, w.seqOf("a", 999));
    assertEquals(-1, w.seqOf("a", 1001));
    assertEquals(-1, w.seqOf("b", 0));
  }

  @Test
  void memoryIsBoundedByTheKeyCapOldestFirst() {
    DedupWindow w = new DedupWindow(Long.MAX_VALUE / 4, 1000);
    for (int i = 1; i <= 50_000; i++) {
      w.record("key-" + i, i, i);
    }
    assertEquals(1000, w.size(50_000));
    assertEquals(-1, w.seqOf("key-49000", 50_000), "evicted: the oldest go first");
    assertEquals(49_001, w.seqOf("key-49001", 50_000));
    assertEquals(50_000, w.seqOf("key-50000", 50_000));
  }

  @Test
  void zeroKeysRemembersNothing() {
    DedupWindow w = new DedupWindow(1000, 0);
    w.record("a", 1, 0);
    assertEquals(-1, w.seqOf("a", 0));
  }
}
