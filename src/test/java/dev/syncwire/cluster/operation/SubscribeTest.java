package dev.syncwire.cluster.operation;

import dev.syncwire.channel.ChannelLogTest;
import dev.syncwire.channel.Position;
import dev.syncwire.channel.Since;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.syncwire.cluster.operation.ClusterSerializationTest.acrossTheCluster;
import static dev.syncwire.cluster.operation.PublishTest.entry;
import static dev.syncwire.cluster.operation.PublishTest.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Subscribe} and {@link SubscribeBackup}, on plain map entries. */
class SubscribeTest {

  @Test
  void aBackupThatMissedTheChannelTakesThePrimarysEpochAndPosition() {
    Map.Entry<String, ChannelEntry> primary = entry();
    publish("a", "b", "c").process(primary);
    Subscribe subscribe = new Subscribe("node-b", 1, Since.NONE, ChannelLogTest.SETTINGS, false);
    subscribe.process(primary);
    Map.Entry<String, ChannelEntry> lagging = entry();
    subscribe.getBackupProcessor().process(lagging);
    assertEquals(primary.getValue().log.epoch(), lagging.getValue().log.epoch(), "a backup never mints an epoch");
    assertEquals(3, lagging.getValue().log.seq());
    assertTrue(lagging.getValue().nodes.containsKey("node-b"));
  }

  @Test
  void aFollowerAlreadyKnownIsNotBackedUpAgain() {
    Map.Entry<String, ChannelEntry> primary = entry();
    new Subscribe("node-b", 1, Since.NONE, ChannelLogTest.SETTINGS, false).process(primary);
    Subscribe again = new Subscribe("node-b", 1, Since.NONE, ChannelLogTest.SETTINGS, false);
    Position position = again.process(primary);
    assertNull(again.getBackupProcessor());
    assertEquals(primary.getValue().log.epoch(), position.epoch());
  }

  @Test
  void theRemovalOfAnEarlierFollowLandingAfterTheNextFollowsSubscribeRemovesNothing() {
    // A node stops following the channel and starts again; its removal, retried during a migration, reaches
    // the owner and the backup after the new follow's subscribe. The node must stay a follower on both.
    Map.Entry<String, ChannelEntry> primary = entry();
    Map.Entry<String, ChannelEntry> backup = entry();
    for (long follow : new long[] {1, 2}) {
      Subscribe subscribe = acrossTheCluster(new Subscribe("node-b", follow, Since.NONE, ChannelLogTest.SETTINGS,
          false));
      subscribe.process(primary);
      acrossTheCluster(subscribe.getBackupProcessor()).process(backup);
    }
    RemoveNode late = acrossTheCluster(new RemoveNode("node-b", 1));
    assertFalse(late.process(primary));
    assertFalse(acrossTheCluster(late.getBackupProcessor()).process(backup));
    assertEquals(Map.of("node-b", 2L), primary.getValue().nodes, "the second follow still receives");
    assertEquals(Map.of("node-b", 2L), backup.getValue().nodes);
    assertEquals(Map.of("node-b", 2L), acrossTheCluster(primary.getValue()).nodes, "a migrated copy keeps the follow");

    // A subscribe of the earlier follow arriving late does not lower it either.
    new Subscribe("node-b", 1, Since.NONE, ChannelLogTest.SETTINGS, false).process(primary);
    assertEquals(Map.of("node-b", 2L), primary.getValue().nodes);

    assertTrue(new RemoveNode("node-b", 2).process(primary), "the removal of the current follow removes it");
    assertTrue(primary.getValue().nodes.isEmpty());
    assertTrue(RemoveNode.departed("node-b").process(backup), "a node that left loses every follow");
    assertTrue(backup.getValue().nodes.isEmpty());
  }

  @Test
  void aSinceInTheChannelsEpochIsAnsweredWithWhatFollowedIt() {
    Map.Entry<String, ChannelEntry> primary = entry();
    publish("a", "b", "c").process(primary);
    String epoch = primary.getValue().log.epoch();
    Position position = new Subscribe("node-b", 1, new Since(epoch, 1), ChannelLogTest.SETTINGS, false)
        .process(primary);
    assertTrue(position.recovered());
    assertEquals(2, position.pubs().size());
    assertEquals(3, position.seq());
  }
}
