package dev.syncwire.channel;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class ChannelLogTest {
  public static final ChannelSettings SETTINGS = new ChannelSettings(1000, 300_000, 600_000, 10_000,
      new StateLimits(100, 10, 1024), 1024 * 1024);

  private final ChannelLog log = new ChannelLog(new ChannelId("t", "c"), "ep1", SETTINGS);
  private long now = 1_000_000;

  private Publication data(String key, String json) {
    return ((PublishOutcome.Accepted) log.publish(key, json, null, now)).publication();
  }

  private PublishOutcome patch(String json) {
    return log.publish(null, null, json, now);
  }

  @Test
  void aResumedLogContinuesTheEpochAtItsPositionAndCannotReplayWhatCameBefore() {
    ChannelLog resumed = ChannelLog.resumeAt(new ChannelId("t", "c"), "ep1", SETTINGS, 41);
    assertEquals("ep1", resumed.epoch());
    assertEquals(41, resumed.seq());
    Position atPosition = resumed.subscribe(new Since("ep1", 41), now);
    assertTrue(atPosition.recovered(), "nothing missed at the resumed position");
    assertEquals(List.of(), atPosition.pubs());
    assertFalse(resumed.subscribe(new Since("ep1", 40), now).recovered(), "what came before is not held");
    Publication next = ((PublishOutcome.Accepted) resumed.publish("k", "1", null, now)).publication();
    assertEquals(42, next.seq());
    assertEquals("ep1", next.epoch());
    assertEquals(List.of(42L), resumed.subscribe(new Since("ep1", 41), now).pubs().stream().map(Publication::seq).toList());
  }

  @Test
  void sequenceStartsAtOneAndGrowsByOne() {
    assertEquals(0, log.seq());
    for (int i = 1; i <= 5; i++) {
      Publication p = data("k" + i, "\"x\"");
      assertEquals(i, p.seq());
      assertEquals("ep1", p.epoch());
    }
    assertEquals(5, log.seq());
  }

  @Test
  void resubscribeWithAllMissedInHistoryIsRecoveredInOrder() {
    for (int i = 1; i <= 10; i++) {
      data(null, String.valueOf(i));
    }
    Position p = log.subscribe(new Since("ep1", 4), now);
    assertTrue(p.recovered());
    assertEquals(10, p.seq());
    assertEquals(List.of(5L, 6L, 7L, 8L, 9L, 10L), p.pubs().stream().map(Publication::seq).toList());
    assertEquals("5", p.pubs().get(0).dataJson());
    assertTrue(log.subscribe(new Since("ep1", 10), now).recovered());
    assertEquals(List.of(), log.subscribe(new Since("ep1", 10), now).pubs());
  }

  @Test
  void resubscribeWithStaleEpochOrAheadOfTheChannelIsNotRecovered() {
    data(null, "1");
    assertFalse(log.subscribe(new Since("old-epoch", 1), now).recovered());
    assertFalse(log.subscribe(new Since("ep1", 2), now).recovered());
    assertNull(log.subscribe(new Since("ep1", 2), now).pubs());
  }

  @Test
  void recoveryNeverReplaysPartOfWhatWasMissed() {
    ChannelLog small = new ChannelLog(new ChannelId("t", "c"), "e", new ChannelSettings(3, 300_000, 1000, 10,
        SETTINGS.stateLimits(), 1 << 20));
    for (int i = 1; i <= 5; i++) {
      small.publish(null, String.valueOf(i), null, now);
    }
    assertFalse(small.subscribe(new Since("e", 1), now).recovered(), "seq 2 left history");
    assertTrue(small.subscribe(new Since("e", 2), now).recovered());
    assertEquals(3, small.subscribe(new Since("e", 2), now).pubs().size());
  }

  @Test
  void expiredHistoryIsNotRecovered() {
    ChannelLog shortLived = new ChannelLog(new ChannelId("t", "c"), "e", new ChannelSettings(100, 1000, 1000, 10,
        SETTINGS.stateLimits(), 1 << 20));
    shortLived.publish(null, "1", null, now);
    shortLived.publish(null, "2", null, now + 500);
    assertEquals(2, shortLived.subscribe(new Since("e", 0), now + 900).pubs().size());
    assertFalse(shortLived.subscribe(new Since("e", 0), now + 1200).recovered(), "seq 1 expired");
    assertEquals(1, shortLived.subscribe(new Since("e", 1), now + 1200).pubs().size());
    assertTrue(shortLived.subscribe(new Since("e", 2), now + 5000).recovered(), "nothing missed");
  }

  @Test
  void recoveryLargerThanTheBoundIsNotRecovered() {
    ChannelLog bounded = new ChannelLog(new ChannelId("t", "c"), "e", new ChannelSettings(100, 300_000, 1000, 10,
        SETTINGS.stateLimits(), 1000));
    for (int i = 0; i < 20; i++) {
      bounded.publish(null, "\"" + "x".repeat(100) + "\"", null, now);
    }
    assertFalse(bounded.subscribe(new Since("e", 0), now).recovered());
    assertTrue(bounded.subscribe(new Since("e", 17), now).recovered());
  }

  @Test
  void duplicateKeyGetsTheOriginalSeqAndIsNotApplied() {
    assertEquals(1, data("k-1", "1").seq());
    data("k-2", "2");
    PublishOutcome again = log.publish("k-1", "99", null, now);
    assertEquals(new PublishOutcome.Duplicate("ep1", 1), again);
    assertEquals(2, log.seq());
    assertEquals(2, log.subscribe(new Since("ep1", 0), now).pubs().size());
  }

  @Test
  void duplicatePatchIsNotAppliedTwice() {
    log.publish("inc-1", null, "{\"entity\":\"e\",\"inc\":{\"n\":5}}", now);
    log.publish("inc-1", null, "{\"entity\":\"e\",\"inc\":{\"n\":5}}", now);
    assertEquals(5L, new JsonObject(log.snapshotJson()).getJsonObject("entities").getJsonObject("e")
        .getJsonObject("n").getLong("v"));
  }

  @Test
  void keyOutsideTheWindowIsNew() {
    ChannelLog windowed = new ChannelLog(new ChannelId("t", "c"), "e", new ChannelSettings(100, 300_000, 1000, 10,
        SETTINGS.stateLimits(), 1 << 20));
    windowed.publish("k", "1", null, now);
    assertInstanceOf(PublishOutcome.Duplicate.class, windowed.publish("k", "1", null, now + 999));
    assertInstanceOf(PublishOutcome.Accepted.class, windowed.publish("k", "1", null, now + 1001));
  }

  @Test
  void channelWithStateAnswersASubscribeWithItsSnapshot() {
    assertNull(log.subscribe(Since.NONE, now).snapshotJson(), "no state before the first patch");
    data(null, "1");
    patch("{\"entity\":\"row-7\",\"set\":{\"title\":\"Hi\",\"qty\":3}}");
    Position p = log.subscribe(Since.NONE, now);
    assertFalse(p.recovered());
    assertEquals(new JsonObject("{\"seq\":2,\"entities\":{\"row-7\":{\"title\":{\"v\":\"Hi\",\"seq\":2},\"qty\":{\"v\":3,\"seq\":2}}}}"),
        new JsonObject(p.snapshotJson()));
    assertNull(log.subscribe(new Since("ep1", 2), now).snapshotJson(), "recovered: the pubs are enough");
    assertTrue(new JsonObject(log.subscribe(new Since("other", 2), now).snapshotJson()).containsKey("entities"));
  }

  @Test
  void patchPubCarriesTheChangesAndTheNewVersions() {
    patch("{\"entity\":\"r\",\"set\":{\"a\":1,\"b\":2}}");
    PublishOutcome.Accepted accepted = (PublishOutcome.Accepted) patch(
        "{\"entity\":\"r\",\"set\":{\"a\":5},\"unset\":[\"b\"],\"inc\":{\"c\":2},\"if\":{\"a\":1}}");
    JsonObject pub = new JsonObject(accepted.publication().patchJson());
    assertEquals(new JsonObject("{\"entity\":\"r\",\"set\":{\"a\":5},\"unset\":[\"b\"],\"inc\":{\"c\":2},\"versions\":{\"a\":2,\"c\":2}}"), pub);
  }

  @Test
  void failedIfChangesNothingAndReportsTheCurrentVersions() {
    patch("{\"entity\":\"r\",\"set\":{\"title\":\"Hey\"}}");
    PublishOutcome out = patch("{\"entity\":\"r\",\"set\":{\"title\":\"Mine\",\"x\":1},\"if\":{\"title\":0,\"x\":0}}");
    PublishOutcome.Conflicted c = assertInstanceOf(PublishOutcome.Conflicted.class, out);
    assertEquals(new JsonObject("{\"title\":{\"v\":\"Hey\",\"seq\":1},\"x\":{\"seq\":0}}"), new JsonObject(c.currentJson()));
    assertEquals("title changed at seq 1", c.message());
    assertEquals(1, log.seq(), "no seq consumed");
    assertEquals("Hey", new JsonObject(log.snapshotJson()).getJsonObject("entities").getJsonObject("r")
        .getJsonObject("title").getString("v"));
  }

  @Test
  void aPatchThatIsNotAnObjectIsRefusedAsInvalid() {
    PublishOutcome.Refused refused = assertInstanceOf(PublishOutcome.Refused.class, patch("[1,2]"));
    assertEquals(PatchException.Kind.INVALID, refused.reason());
    assertEquals("patch must be a JSON object", refused.message());
    assertEquals(0, log.seq());
  }

  @Test
  void aMalformedPatchIsRefusedAsInvalidEvenUnderAKeyAlreadyAccepted() {
    data("k", "1");
    PublishOutcome.Refused refused = assertInstanceOf(PublishOutcome.Refused.class,
        log.publish("k", null, "{\"entity\":\"r\"}", now));
    assertEquals(PatchException.Kind.INVALID, refused.reason());
    assertEquals("a patch must set, unset or inc at least one field", refused.message());
  }

  @Test
  void patchErrorsConsumeNoSeq() {
    patch("{\"entity\":\"r\",\"set\":{\"s\":\"text\"}}");
    PublishOutcome.Refused refused = assertInstanceOf(PublishOutcome.Refused.class,
        patch("{\"entity\":\"r\",\"inc\":{\"s\":1}}"));
    assertEquals(PatchException.Kind.INVALID, refused.reason());
    assertEquals("inc on s, which is not a number", refused.message());
    assertEquals(1, log.seq());
  }

  @Test
  void aPatchPastAStateLimitIsRefusedAsTooLargeAndChangesNothing() {
    PublishOutcome.Refused refused = assertInstanceOf(PublishOutcome.Refused.class,
        patch("{\"entity\":\"r\",\"set\":{\"big\":\"" + "x".repeat(2000) + "\"}}"));
    assertEquals(PatchException.Kind.TOO_LARGE, refused.reason());
    assertTrue(refused.message().contains("the limit is 1024"), refused.message());
    assertEquals(0, log.seq());
    assertFalse(log.hasState(), "a refused first patch leaves the channel without state");
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

  @Test
  void disposableOnlyWithoutStateHistoryOrKeys() {
    ChannelLog tiny = new ChannelLog(new ChannelId("t", "c"), "e", new ChannelSettings(10, 1000, 1000, 10,
        SETTINGS.stateLimits(), 1 << 20));
    assertTrue(tiny.isDisposable(now));
    tiny.publish("k", "1", null, now);
    assertFalse(tiny.isDisposable(now + 500));
    assertTrue(tiny.isDisposable(now + 2000));
    tiny.publish(null, null, "{\"entity\":\"e\",\"set\":{\"a\":1}}", now + 2000);
    assertFalse(tiny.isDisposable(now + 1_000_000), "state is never dropped");
  }
}
