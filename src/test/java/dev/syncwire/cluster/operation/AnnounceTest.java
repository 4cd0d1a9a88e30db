package dev.syncwire.cluster.operation;

import dev.syncwire.broker.ChannelBroker.PublishRequest;
import dev.syncwire.channel.ChannelLogTest;
import dev.syncwire.channel.Since;
import org.junit.jupiter.api.Test;

import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.syncwire.cluster.operation.ClusterSerializationTest.acrossTheCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What an owner announces, and which channels it names as the sweep's candidates. */
class AnnounceTest {
  private static Map.Entry<String, ChannelEntry> followedBy(String node) {
    Map.Entry<String, ChannelEntry> entry = new AbstractMap.SimpleEntry<>("t/c", null);
    new Subscribe(node, 1, Since.NONE, ChannelLogTest.SETTINGS, false).process(entry);
    return entry;
  }

  @Test
  void aFollowedChannelIsAnnouncedWithItsPositionAndFollowersAndIsNoCandidate() {
    Map.Entry<String, ChannelEntry> entry = followedBy("node-a");
    new Publish(List.of(new PublishRequest(null, "1", null)), ChannelLogTest.SETTINGS).process(entry);
    Announcement a = acrossTheCluster(acrossTheCluster(new Announce()).process(entry));
    assertEquals(entry.getValue().log.epoch(), a.epoch());
    assertEquals(1, a.seq());
    assertEquals(Set.of("node-a"), a.nodes());
    assertFalse(a.disposable());
  }

  @Test
  void anUnfollowedChannelIsACandidateOnlyWhenItsLogHoldsNothing() {
    Map.Entry<String, ChannelEntry> empty = followedBy("node-a");
    new RemoveNode("node-a", 1).process(empty);
    Announcement a = acrossTheCluster(new Announce().process(empty));
    assertTrue(a.disposable(), "nobody follows it and it holds nothing");
    assertTrue(a.nodes().isEmpty());
    assertTrue(new Sweep().process(empty), "the sweep agrees");

    Map.Entry<String, ChannelEntry> withState = followedBy("node-a");
    new Publish(List.of(new PublishRequest(null, null, "{\"entity\":\"e\",\"set\":{\"a\":1}}")),
        ChannelLogTest.SETTINGS).process(withState);
    new RemoveNode("node-a", 1).process(withState);
    assertNull(new Announce().process(withState), "state keeps it: nothing to announce, nothing to sweep");
    assertFalse(new Sweep().process(withState));
  }
}
