package dev.syncwire.cluster.operation;

import dev.syncwire.broker.ChannelBroker.PublishAck;
import dev.syncwire.broker.ChannelBroker.PublishRequest;
import dev.syncwire.channel.ChannelLogTest;
import dev.syncwire.channel.ChannelSettings;
import dev.syncwire.channel.PatchException;
import dev.syncwire.channel.Publication;
import dev.syncwire.channel.PublishOutcome;
import dev.syncwire.channel.Since;
import org.junit.jupiter.api.Test;

import java.util.AbstractMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Publish} and {@link PublishBackup}, run on plain map entries the way Hazelcast runs them on a
 * primary copy and on a backup copy.
 */
class PublishTest {
  private static final ChannelSettings SETTINGS = ChannelLogTest.SETTINGS;
  private static final String KEY = "t/orders";

  static Map.Entry<String, ChannelEntry> entry() {
    return new AbstractMap.SimpleEntry<>(KEY, null);
  }

  static Publish publish(String... keys) {
    return new Publish(java.util.Arrays.stream(keys)
        .map(k -> new PublishRequest(k, "{\"k\":\"" + k + "\"}", null)).toList(), SETTINGS);
  }

  @Test
  void aBatchIsSequencedInOrderAndItsBackupLeavesTheCopyIdentical() {
    Map.Entry<String, ChannelEntry> primary = entry();
    Map.Entry<String, ChannelEntry> backup = entry();
    Publish first = publish("a", "b", "a", "c");
    PublishReplies replies = first.process(primary);
    List<PublishOutcome> outcomes = replies.outcomes();
    assertEquals(List.of(PublishOutcome.Accepted.class, PublishOutcome.Accepted.class, PublishOutcome.Duplicate.class,
        PublishOutcome.Accepted.class), outcomes.stream().map(Object::getClass).toList());
    assertEquals(List.of(1L, 2L, 1L, 3L), outcomes.stream().map(o -> PublishAck.of(o).seq()).toList());
    first.getBackupProcessor().process(backup);

    ChannelEntry p = primary.getValue();
    ChannelEntry b = backup.getValue();
    assertEquals(p.log.epoch(), b.log.epoch());
    assertEquals(3, b.log.seq());
    assertEquals(p.log.subscribe(new Since(p.log.epoch(), 0), 0).pubs(), b.log.subscribe(new Since(b.log.epoch(), 0), 0).pubs());
    assertTrue(b.log.publish("b", "{}", null, 0) instanceof PublishOutcome.Duplicate,
        "dedup keys are on the backup too, so a promoted backup answers a retry as a duplicate");
  }

  @Test
  void aBackupThatMissedTheChannelTakesThePrimarysEpochAndPositionInsteadOfInventingOne() {
    Map.Entry<String, ChannelEntry> primary = entry();
    publish("a", "b").process(primary);
    Publish later = publish("c");
    later.process(primary);
    Map.Entry<String, ChannelEntry> backup = entry();
    later.getBackupProcessor().process(backup);
    assertEquals(primary.getValue().log.epoch(), backup.getValue().log.epoch());
    assertEquals(3, backup.getValue().log.seq());
    assertEquals(List.of(3L), backup.getValue().log.subscribe(new Since(primary.getValue().log.epoch(), 2), 0).pubs()
        .stream().map(Publication::seq).toList());
  }

  @Test
  void aReplayedBackupIsAppliedOnce() {
    Map.Entry<String, ChannelEntry> primary = entry();
    Map.Entry<String, ChannelEntry> backup = entry();
    Publish op = publish("a", "b");
    op.process(primary);
    op.getBackupProcessor().process(backup);
    op.getBackupProcessor().process(backup);
    assertEquals(2, backup.getValue().log.seq());
    assertEquals(2, backup.getValue().log.subscribe(new Since(backup.getValue().log.epoch(), 0), 0).pubs().size());
  }

  @Test
  void anInvalidPatchIsRefusedWithoutTouchingTheChannelOrItsBackups() {
    Map.Entry<String, ChannelEntry> primary = entry();
    Publish op = new Publish(
        List.of(new PublishRequest(null, null, "[1,2]")), SETTINGS);
    PublishOutcome.Refused refused = assertInstanceOf(PublishOutcome.Refused.class,
        op.process(primary).outcomes().get(0));
    assertEquals(PatchException.Kind.INVALID, refused.reason());
    assertNull(op.getBackupProcessor(), "nothing accepted, nothing to back up");
    assertNull(primary.getValue(), "a refused first publish creates no channel");
  }

  @Test
  void aConflictingOrTooLargePatchIsAnsweredWithoutBeingBackedUp() {
    Map.Entry<String, ChannelEntry> primary = entry();
    new Publish(List.of(new PublishRequest(null, null, "{\"entity\":\"e\",\"set\":{\"s\":1}}")), SETTINGS)
        .process(primary);
    Publish op = new Publish(List.of(
        new PublishRequest(null, null, "{\"entity\":\"e\",\"set\":{\"s\":2},\"if\":{\"s\":0}}"),
        new PublishRequest(null, null, "{\"entity\":\"e\",\"set\":{\"t\":\"" + "x".repeat(2000) + "\"}}")), SETTINGS);
    List<PublishOutcome> outcomes = op.process(primary).outcomes();
    assertInstanceOf(PublishOutcome.Conflicted.class, outcomes.get(0));
    assertEquals(PatchException.Kind.TOO_LARGE, assertInstanceOf(PublishOutcome.Refused.class, outcomes.get(1)).reason());
    assertNull(op.getBackupProcessor(), "nothing accepted, nothing to back up");
    assertEquals(1, primary.getValue().log.seq());
  }
}
