package dev.syncwire.channel;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SinceTest {

  @Test
  void noneIsInNoEpoch() {
    assertFalse(Since.NONE.isIn("ep1"));
    assertFalse(Since.NONE.isIn(null));
  }

  @Test
  void aPositionIsInItsOwnEpochOnly() {
    Since since = new Since("ep1", 4);
    assertTrue(since.isIn("ep1"));
    assertFalse(since.isIn("ep2"));
  }

  @Test
  void aSeqWithoutAnEpochOrBelowZeroIsNoPosition() {
    assertThrows(IllegalArgumentException.class, () -> new Since(null, 3));
    assertThrows(IllegalArgumentException.class, () -> new Since("ep1", -1));
    assertEquals(Since.NONE, new Since(null, 0));
  }
}
