package dev.syncwire.channel;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChannelLogTest {
  private final ChannelLog log = new ChannelLog(new ChannelId("t", "c"), "ep1");

  @Test
  void sequenceStartsAtOneAndGrowsByOne() {
    assertEquals(0, log.seq());
    for (int i = 1; i <= 5; i++) {
      Publication p = log.append("k" + i, "\"x\"", null);
      assertEquals(i, p.seq());
      assertEquals("ep1", p.epoch());
      assertEquals("k" + i, p.key());
    }
    assertEquals(5, log.seq());
  }

  @Test
  void aSubscriberIsCurrentOnlyAtTheExactPositionOfThisEpoch() {
    log.append(null, "1", null);
    log.append(null, "2", null);
    assertTrue(log.isCurrent("ep1", 2));
    assertFalse(log.isCurrent("ep1", 1));
    assertFalse(log.isCurrent("ep1", 3));
    assertFalse(log.isCurrent("other", 2));
  }

  @Test
  void epochsAreDistinct() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String e = Epochs.next();
      assertEquals(12, e.length());
      assertTrue(seen.add(e));
    }
  }
}
