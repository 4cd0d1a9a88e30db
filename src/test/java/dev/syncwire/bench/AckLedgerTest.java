package dev.syncwire.bench;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AckLedgerTest {

  private static JsonObject ack(String channel, String epoch, long seq, boolean duplicate) {
    return new JsonObject().put("id", 1000).put("type", "ack").put("channel", channel).put("seq", seq)
        .put("epoch", epoch).put("duplicate", duplicate);
  }

  @Test
  void acksInAnyOrderWithoutGapsAreClean() {
    AckLedger ledger = new AckLedger();
    for (long seq : new long[] {2, 1, 3, 5, 4}) {
      ledger.onAck(ack("a", "e1", seq, false));
    }
    ledger.onAck(ack("b", "e2", 1, false));
    assertEquals(List.of(), ledger.problems());
    assertEquals(6, ledger.acks);
  }

  @Test
  void aSeqAckedTwiceIsAViolation() {
    AckLedger ledger = new AckLedger();
    ledger.onAck(ack("a", "e1", 1, false));
    ledger.onAck(ack("a", "e1", 1, false));
    List<String> problems = ledger.problems();
    assertEquals(1, problems.size());
    assertTrue(problems.get(0).contains("seq 1 acked for two keys"), problems.toString());
  }

  @Test
  void aMissingSeqWithinAnEpochIsAGap() {
    AckLedger ledger = new AckLedger();
    ledger.onAck(ack("a", "e1", 1, false));
    ledger.onAck(ack("a", "e1", 3, false));
    List<String> problems = ledger.problems();
    assertEquals(1, problems.size());
    assertTrue(problems.get(0).contains("1 seq(s) never acked") && problems.get(0).contains("first 2"),
        problems.toString());
  }

  @Test
  void anExistingChannelContinuesFromWhereItStood() {
    AckLedger ledger = new AckLedger();
    ledger.startsAt("a", "e1", 7);
    ledger.onAck(ack("a", "e1", 8, false));
    ledger.onAck(ack("a", "e1", 9, false));
    assertEquals(List.of(), ledger.problems());

    AckLedger skipped = new AckLedger();
    skipped.startsAt("a", "e1", 7);
    skipped.onAck(ack("a", "e1", 9, false));
    assertEquals(1, skipped.problems().size(), "seq 8 never acked");

    AckLedger behind = new AckLedger();
    behind.startsAt("a", "e1", 7);
    behind.onAck(ack("a", "e1", 7, false));
    assertTrue(behind.problems().get(0).contains("the channel stood at 7"), behind.problems().toString());
  }

  @Test
  void aNewEpochStartsAtOne() {
    AckLedger ledger = new AckLedger();
    ledger.startsAt("a", "e1", 7);
    ledger.onAck(ack("a", "e1", 8, false));
    ledger.onAck(ack("a", "e2", 1, false));
    ledger.onAck(ack("a", "e2", 2, false));
    assertEquals(List.of(), ledger.problems());
    ledger.onAck(ack("a", "e3", 4, false));
    assertEquals(1, ledger.problems().size(), "e3 lacks seqs 1 to 3");
  }

  @Test
  void aFreshKeyAckedAsDuplicateIsAViolation() {
    AckLedger ledger = new AckLedger();
    ledger.onAck(ack("a", "e1", 1, true));
    assertTrue(ledger.problems().get(0).contains("marked duplicate"), ledger.problems().toString());
  }

  @Test
  void onlyTheFirstViolationsAreDescribed() {
    AckLedger ledger = new AckLedger();
    for (int i = 0; i < 20; i++) {
      ledger.onAck(ack("a", "e1", 1, false));
    }
    List<String> problems = ledger.problems();
    assertEquals(6, problems.size());
    assertEquals("14 more", problems.get(5));
  }
}
