package dev.syncwire.cluster.operation;

import dev.syncwire.channel.ChannelLogTest;
import dev.syncwire.channel.Position;
import dev.syncwire.channel.Since;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.syncwire.cluster.operation.PublishTest.entry;
import static dev.syncwire.cluster.operation.PublishTest.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Subscribe} and {@link SubscribeBackup}, on plain map entries. */
class SubscribeTest {

  @Test
  void aBackupThatMissedTheChannelTakesThePrimarysEpochAndPosition() {
    Map.Entry<String, ChannelEntry> primary = entry();
    publish("a", "b", "c").process(primary);
    Subscribe subscribe = new Subscribe("node-b", Since.NONE, ChannelLogTest.SETTINGS);
    subscribe.process(primary);
    Map.Entry<String, ChannelEntry> lagging = entry();
    subscribe.getBackupProcessor().process(lagging);
    assertEquals(primary.getValue().log.epoch(), lagging.getValue().log.epoch(), "a backup never mints an epoch");
    assertEquals(3, lagging.getValue().log.seq());
    assertTrue(lagging.getValue().nodes.contains("node-b"));
  }

  @Test
  void aFollowerAlreadyKnownIsNotBackedUpAgain() {
    Map.Entry<String, ChannelEntry> primary = entry();
    new Subscribe("node-b", Since.NONE, ChannelLogTest.SETTINGS).process(primary);
    Subscribe again = new Subscribe("node-b", Since.NONE, ChannelLogTest.SETTINGS);
    Position position = again.process(primary);
    assertNull(again.getBackupProcessor());
    assertEquals(primary.getValue().log.epoch(), position.epoch());
  }

  @Test
  void aSinceInTheChannelsEpochIsAnsweredWithWhatFollowedIt() {
    Map.Entry<String, ChannelEntry> primary = entry();
    publish("a", "b", "c").process(primary);
    String epoch = primary.getValue().log.epoch();
    Position position = new Subscribe("node-b", new Since(epoch, 1), ChannelLogTest.SETTINGS).process(primary);
    assertTrue(position.recovered());
    assertEquals(2, position.pubs().size());
    assertEquals(3, position.seq());
  }
}
