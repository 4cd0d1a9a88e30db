package dev.syncwire.client;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SequencerTest {

  private static JsonObject pub(String epoch, long seq) {
    return new JsonObject().put("type", "pub").put("epoch", epoch).put("seq", seq);
  }

  private static List<Long> seqs(Sequencer.Offer offer) {
    return offer.ready().stream().map(p -> p.getLong("seq")).toList();
  }

  @Test
  void holdsWhatComesEarlyAndHandsItOverOnceTheGapCloses() {
    Sequencer s = new Sequencer(100);
    s.reset("e", 10);
    assertEquals(List.of(), seqs(s.offer(pub("e", 12))));
    assertEquals(List.of(), seqs(s.offer(pub("e", 13))));
    assertTrue(s.gap());
    assertEquals(List.of(11L, 12L, 13L), seqs(s.offer(pub("e", 11))));
    assertFalse(s.gap());
    assertEquals(13, s.last());
  }

  @Test
  void dropsRepeatsAndWhatIsAlreadyApplied() {
    Sequencer s = new Sequencer(100);
    s.reset("e", 5);
    assertEquals(List.of(), seqs(s.offer(pub("e", 5))));
    assertEquals(List.of(6L), seqs(s.offer(pub("e", 6))));
    assertEquals(List.of(), seqs(s.offer(pub("e", 6))));
    s.offer(pub("e", 8));
    s.offer(pub("e", 8));
    assertEquals(List.of(7L, 8L), seqs(s.offer(pub("e", 7))));
  }

  @Test
  void aMergedPushCoversItsRange() {
    Sequencer s = new Sequencer(100);
    s.reset("e", 47);
    assertEquals(List.of(60L), seqs(s.offer(pub("e", 60).put("from", 48))));
    assertEquals(60, s.last());
    // A merged push whose range starts beyond the next position waits like any other.
    assertEquals(List.of(), seqs(s.offer(pub("e", 70).put("from", 62))));
    assertEquals(List.of(61L, 70L), seqs(s.offer(pub("e", 61))));
  }

  @Test
  void anotherEpochIsReportedNotApplied() {
    Sequencer s = new Sequencer(100);
    s.reset("e", 3);
    Sequencer.Offer offer = s.offer(pub("f", 1));
    assertTrue(offer.epochChanged());
    assertEquals(List.of(), seqs(offer));
    assertEquals(3, s.last());
  }

  @Test
  void aResetKeepsWhatIsHeldBeyondTheNewPositionInTheSameEpoch() {
    Sequencer s = new Sequencer(100);
    s.reset("e", 1);
    s.offer(pub("e", 5));
    s.offer(pub("e", 9));
    s.reset("e", 6);
    assertEquals(List.of(7L), seqs(s.offer(pub("e", 7))));
    assertEquals(List.of(8L, 9L), seqs(s.offer(pub("e", 8))));
  }

  @Test
  void tooMuchHeldIsAnOverflow() {
    Sequencer s = new Sequencer(2);
    s.reset("e", 0);
    assertFalse(s.offer(pub("e", 2)).overflow());
    assertFalse(s.offer(pub("e", 3)).overflow());
    assertTrue(s.offer(pub("e", 4)).overflow());
  }
}
