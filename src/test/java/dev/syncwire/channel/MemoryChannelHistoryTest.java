package dev.syncwire.channel;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryChannelHistoryTest extends ChannelHistoryContract {

  @Override
  protected ChannelHistory newHistory(String epoch, int capacity, long ttlMs) {
    return new MemoryChannelHistory(epoch, capacity, ttlMs);
  }

  @Test
  void payloadAccountingFollowsWhatIsHeld() {
    ChannelHistory h = newHistory("e", 3, 10_000);
    for (int i = 1; i <= 10; i++) {
      h.append(new Publication("e", i, null, "\"" + "x".repeat(98) + "\"", null), 0);
    }
    assertEquals(3 * (2 + 100), h.payloadBytes());
    assertTrue(h.after(7, 0).size() == 3);
  }
}
