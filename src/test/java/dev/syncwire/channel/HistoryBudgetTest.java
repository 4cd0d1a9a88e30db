package dev.syncwire.channel;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HistoryBudgetTest {
  private static final long HOUR = 3_600_000;
  private static final String PAYLOAD = "\"" + "p".repeat(958) + "\""; // 960 bytes of JSON
  private static final long ENTRY = PAYLOAD.length() + 2 + MemoryChannelHistory.ENTRY_OVERHEAD;

  private static MemoryChannelHistory history(String tenant, long maxBytes, HistoryBudget budget) {
    return new MemoryChannelHistory("e", tenant, 1000, HOUR, maxBytes, budget);
  }

  /** Times in these tests count from here, so that the budget's recount (on the real clock) expires nothing. */
  private static final long T0 = MonotonicClock.nowMs();

  private static void append(MemoryChannelHistory h, long seq, long t) {
    h.append(new Publication("e", seq, null, PAYLOAD, null), T0 + t);
  }

  @Test
  void aChannelPastItsOwnByteBoundDropsItsOldest() {
    MemoryChannelHistory h = history("t", 10 * ENTRY, null);
    for (long seq = 1; seq <= 25; seq++) {
      append(h, seq, seq);
    }
    assertEquals(10, h.size(T0 + 25));
    assertTrue(h.bytes() <= 10 * ENTRY);
    assertNull(h.after(14, T0 + 25), "seq 15 left history: no partial replay");
    assertEquals(10, h.after(15, T0 + 25).size());
  }

  @Test
  void aPublicationLargerThanTheChannelBoundLeavesHistoryEmptyButTheSequenceGoesOn() {
    MemoryChannelHistory h = history("t", ENTRY - 1, null);
    append(h, 1, 1);
    assertEquals(0, h.size(T0 + 1));
    assertNull(h.after(0, T0 + 1));
    assertEquals(List.of(), h.after(1, T0 + 1), "nothing missed after the last seq");
  }

  @Test
  void pastTheNodeBudgetTheOldestOfTheWholeNodeGoFirst() {
    HistoryBudget budget = new HistoryBudget(20 * ENTRY, Long.MAX_VALUE);
    MemoryChannelHistory old = history("t", Long.MAX_VALUE, budget);
    MemoryChannelHistory busy = history("t", Long.MAX_VALUE, budget);
    for (long seq = 1; seq <= 10; seq++) {
      append(old, seq, seq); // times 1..10: the oldest of the node
    }
    for (long seq = 1; seq <= 30; seq++) {
      append(busy, seq, 100 + seq);
    }
    budget.enforce();
    assertTrue(old.bytes() + busy.bytes() <= 20 * ENTRY, "held " + (old.bytes() + busy.bytes()));
    assertEquals(0, old.size(T0 + 200), "the idle channel's older publications went first");
    assertTrue(busy.size(T0 + 200) >= 10, "the newest stay: " + busy.size(T0 + 200));
    assertNotNull(busy.after(30 - busy.size(T0 + 200), T0 + 200), "what stays is a whole tail");
    assertTrue(budget.droppedPublications() >= 10);
    assertTrue(budget.heldBytes() <= 20 * ENTRY);
  }

  @Test
  void pastATenantBudgetOnlyThatTenantsOldestGo() {
    HistoryBudget budget = new HistoryBudget(Long.MAX_VALUE, 10 * ENTRY);
    MemoryChannelHistory quiet = history("quiet", Long.MAX_VALUE, budget);
    MemoryChannelHistory loud = history("loud", Long.MAX_VALUE, budget);
    for (long seq = 1; seq <= 5; seq++) {
      append(quiet, seq, seq); // older than anything of the loud tenant
    }
    for (long seq = 1; seq <= 40; seq++) {
      append(loud, seq, 100 + seq);
    }
    budget.enforce();
    assertEquals(5, quiet.size(T0 + 200), "the other tenant keeps its history");
    assertTrue(loud.bytes() <= 10 * ENTRY, "loud holds " + loud.bytes());
  }

  @Test
  void theRecountDropsWhatOutlivedItsAgeInChannelsNobodyPublishesTo() {
    HistoryBudget budget = new HistoryBudget(Long.MAX_VALUE, Long.MAX_VALUE);
    MemoryChannelHistory idle = new MemoryChannelHistory("e", "t", 1000, 1, Long.MAX_VALUE, budget);
    append(idle, 1, -10_000);
    append(idle, 2, -10_000);
    budget.enforce();
    assertEquals(0, idle.bytes());
    assertEquals(0, budget.heldBytes());
  }

  @Test
  void appendsThatPassTheBudgetEnforceItWithoutWaitingForTheTick() {
    HistoryBudget budget = new HistoryBudget(5 * ENTRY, Long.MAX_VALUE);
    MemoryChannelHistory h = history("t", Long.MAX_VALUE, budget);
    for (long seq = 1; seq <= 100; seq++) {
      append(h, seq, seq);
      assertTrue(h.bytes() <= 6 * ENTRY, "after " + seq + ": " + h.bytes());
    }
  }
}
