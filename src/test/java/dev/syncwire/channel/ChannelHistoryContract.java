package dev.syncwire.channel;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The {@link ChannelHistory} contract; each implementation's test extends this class. */
public abstract class ChannelHistoryContract {

  protected abstract ChannelHistory newHistory(String epoch, int capacity, long ttlMs);

  private static Publication pub(long seq, String key, String data) {
    return new Publication("e", seq, key, data, null);
  }

  @Test
  void returnsEverythingAfterAPositionInOrder() {
    ChannelHistory h = newHistory("e", 100, 10_000);
    for (int i = 1; i <= 10; i++) {
      h.append(pub(i, i % 2 == 0 ? "k" + i : null, "{\"n\":" + i + "}"), 0);
    }
    List<Publication> after = h.after(6, 0);
    assertEquals(List.of(pub(7, null, "{\"n\":7}"), pub(8, "k8", "{\"n\":8}"), pub(9, null, "{\"n\":9}"),
        pub(10, "k10", "{\"n\":10}")), after);
    assertEquals(List.of(), h.after(10, 0));
    assertEquals(10, h.after(0, 0).size());
  }

  @Test
  void patchesComeBackAsPatches() {
    ChannelHistory h = newHistory("e", 10, 10_000);
    h.append(new Publication("e", 1, "ü-key", null, "{\"entity\":\"é\"}"), 0);
    assertEquals(new Publication("e", 1, "ü-key", null, "{\"entity\":\"é\"}"), h.after(0, 0).get(0));
  }

  @Test
  void keepsAtLeastTheLastCapacityPublicationsAndNeverAPartialReplay() {
    ChannelHistory h = newHistory("e", 5, 10_000);
    for (int i = 1; i <= 12; i++) {
      h.append(pub(i, null, "1"), 0);
    }
    assertEquals(5, h.size(0));
    assertEquals(5, h.after(7, 0).size());
    assertNull(h.after(6, 0), "seq 7 is gone: no partial replay");
    assertNull(h.after(13, 0), "ahead of the channel");
  }

  @Test
  void dropsPublicationsOlderThanTheTtl() {
    ChannelHistory h = newHistory("e", 100, 1000);
    h.append(pub(1, null, "1"), 0);
    h.append(pub(2, null, "2"), 600);
    assertEquals(2, h.size(999));
    assertEquals(1, h.size(1001));
    assertNull(h.after(0, 1001));
    assertEquals(List.of(), h.after(2, 5000));
    assertEquals(0, h.size(5000));
  }

  @Test
  void appendsMustFollowSeqOrder() {
    ChannelHistory h = newHistory("e", 10, 1000);
    h.append(pub(1, null, "1"), 0);
    assertThrows(IllegalArgumentException.class, () -> h.append(pub(3, null, "3"), 0));
  }

  @Test
  void zeroCapacityKeepsNothingButKnowsThePosition() {
    ChannelHistory h = newHistory("e", 0, 1000);
    h.append(pub(1, null, "1"), 0);
    assertEquals(List.of(), h.after(1, 0));
    assertNull(h.after(0, 0));
  }
}
