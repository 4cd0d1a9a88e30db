package dev.syncwire.cluster.operation;

import com.hazelcast.config.Config;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import com.hazelcast.nio.serialization.DataSerializableFactory;
import dev.syncwire.broker.ChannelBroker.PublishRequest;
import dev.syncwire.channel.ChannelLogTest;
import dev.syncwire.channel.Position;
import dev.syncwire.channel.Publication;
import dev.syncwire.channel.Since;
import org.junit.jupiter.api.Test;

import java.util.AbstractMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Operations and their answers cross the cluster with everything they carry. */
class ClusterSerializationTest {
  static final InternalSerializationService SERIALIZATION = serialization();

  private static InternalSerializationService serialization() {
    Config config = new Config();
    ClusterSerialization.register(config);
    return new DefaultSerializationServiceBuilder().setConfig(config.getSerializationConfig()).build();
  }

  static <T> T acrossTheCluster(T value) {
    return SERIALIZATION.toObject(SERIALIZATION.toData(value));
  }

  private static Map.Entry<String, ChannelEntry> channelWithTwoPublications() {
    Map.Entry<String, ChannelEntry> entry = new AbstractMap.SimpleEntry<>("t/c", null);
    new Publish(List.of(new PublishRequest("a", "1", null), new PublishRequest(null, "2", null)),
        ChannelLogTest.SETTINGS).process(entry);
    return entry;
  }

  @Test
  void aSubscribeCarriesItsSinceAndItsAnswerCarriesTheReplay() {
    Map.Entry<String, ChannelEntry> entry = channelWithTwoPublications();
    String epoch = entry.getValue().log.epoch();
    Subscribe subscribe = acrossTheCluster(
        new Subscribe("node-b", 1, new Since(epoch, 1), ChannelLogTest.SETTINGS, false));
    Position position = acrossTheCluster(subscribe.process(entry));
    assertEquals(new Position(epoch, 2, true, List.of(new Publication(epoch, 2, null, "2", null)), null), position);
    assertTrue(entry.getValue().nodes.containsKey("node-b"));
  }

  @Test
  void aSubscribeWithoutSinceCrossesAsNoneAndItsAnswerCarriesTheSnapshot() {
    Map.Entry<String, ChannelEntry> entry = channelWithTwoPublications();
    new Publish(List.of(new PublishRequest(null, null, "{\"entity\":\"e\",\"set\":{\"a\":1}}")),
        ChannelLogTest.SETTINGS).process(entry);
    Subscribe subscribe = acrossTheCluster(
        new Subscribe("node-b", 1, Since.NONE, ChannelLogTest.SETTINGS, false));
    Position position = acrossTheCluster(subscribe.process(entry));
    assertFalse(position.recovered());
    assertEquals(3, position.seq());
    assertEquals(entry.getValue().log.snapshotJson(), position.snapshotJson());
    assertNull(position.pubs());
  }

  @Test
  void everyTypeIsCreatedFromItsOwnId() {
    Config config = new Config();
    ClusterSerialization.register(config);
    DataSerializableFactory factory = config.getSerializationConfig().getDataSerializableFactories()
        .get(ClusterSerialization.FACTORY_ID);
    for (int id = ClusterSerialization.CHANNEL_ENTRY; id <= ClusterSerialization.LAST; id++) {
      assertEquals(id, factory.create(id).getClassId());
    }
    assertNull(factory.create(ClusterSerialization.LAST + 1));
  }

  /**
   * Operations on several channels of a partition cross as one, each channel keeping its own part; their
   * backup, crossing too, gives an empty copy of the partition every channel at the primary's position,
   * and the partition itself crosses (as Hazelcast migrates it) with every channel.
   */
  @Test
  void operationsOnChannelsOfAPartitionCrossAsOneAndBackUpEachChannel() {
    Map.Entry<String, ChannelGroup> primary = new AbstractMap.SimpleEntry<>("g0", null);
    OnChannels publishes = acrossTheCluster(new OnChannels(List.of("t/a", "t/b", "u/c"), List.of(
        new Publish(List.of(new PublishRequest("a1", "1", null), new PublishRequest("a2", "2", null)),
            ChannelLogTest.SETTINGS),
        new Publish(List.of(new PublishRequest("b1", "1", null)), ChannelLogTest.SETTINGS),
        new Publish(List.of(new PublishRequest("c1", "1", null)), ChannelLogTest.SETTINGS))));
    List<Object> replies = acrossTheCluster(publishes.process(primary));
    assertEquals(List.of(2, 1, 1), replies.stream().map(r -> ((PublishReplies) r).outcomes().size()).toList());
    assertEquals(3, primary.getValue().size());
    assertEquals(2, primary.getValue().channel("t/a").log.seq());

    Map.Entry<String, ChannelGroup> backup = new AbstractMap.SimpleEntry<>("g0", null);
    acrossTheCluster(publishes.getBackupProcessor()).process(backup);
    for (String key : List.of("t/a", "t/b", "u/c")) {
      ChannelEntry p = primary.getValue().channel(key);
      ChannelEntry b = backup.getValue().channel(key);
      assertEquals(p.log.epoch(), b.log.epoch(), key + " in the primary's epoch");
      assertEquals(p.log.seq(), b.log.seq(), key + " at the primary's position");
    }

    ChannelGroup migrated = acrossTheCluster(primary.getValue());
    assertEquals(primary.getValue().channel("u/c").log.epoch(), migrated.channel("u/c").log.epoch());
    Map<String, Summary> tenant = acrossTheCluster(
        acrossTheCluster(EveryChannel.ofTenant("t", new Describe(false))).process(new AbstractMap.SimpleEntry<>("g0",
            migrated)));
    assertEquals(Map.of("t/a", 2L, "t/b", 1L), tenant.entrySet().stream().collect(
        java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().seq())), "the tenant's channels only");
  }

  @Test
  void aRestoreCarriesTheStoredLogAndInstallsItOnlyWhereNothingIs() {
    Map.Entry<String, ChannelEntry> entry = new AbstractMap.SimpleEntry<>("t/c", null);
    dev.syncwire.channel.StoredLog stored = new dev.syncwire.channel.StoredLog("e1", 7,
        List.of(new Publication("e1", 6, "k6", "6", null), new Publication("e1", 7, null, "7", null)),
        List.of(2000L, 1000L), null);
    acrossTheCluster(new Restore(stored, ChannelLogTest.SETTINGS)).process(entry);
    assertEquals("e1", entry.getValue().log.epoch());
    assertEquals(7, entry.getValue().log.seq());
    assertEquals(7, entry.getValue().storedSeq);
    assertEquals(List.of(new Publication("e1", 7, null, "7", null)), entry.getValue().log.history().after(6, 
        dev.syncwire.channel.MonotonicClock.nowMs()));
    ChannelEntry installed = entry.getValue();
    acrossTheCluster(new Restore(null, ChannelLogTest.SETTINGS)).process(entry);
    assertTrue(entry.getValue() == installed, "a present channel is left as it is");
  }

  @Test
  void withAStorePublishAsksForTheAbsentChannelAndCarriesWhatTheStoreLacks() {
    Map.Entry<String, ChannelEntry> entry = new AbstractMap.SimpleEntry<>("t/c", null);
    Publish publish = acrossTheCluster(new Publish(List.of(new PublishRequest("a", "1", null)),
        ChannelLogTest.SETTINGS, true));
    assertTrue(acrossTheCluster(publish.process(entry)).absent(), "absent: load it from the store first");
    assertNull(entry.getValue());
    assertNull(acrossTheCluster(new Subscribe("n", 1, Since.NONE, ChannelLogTest.SETTINGS, true)).process(entry));

    new Restore(null, ChannelLogTest.SETTINGS).process(entry);
    PublishReplies first = acrossTheCluster(acrossTheCluster(new Publish(
        List.of(new PublishRequest("a", "1", null), new PublishRequest(null, "2", null)), ChannelLogTest.SETTINGS,
        true)).process(entry));
    String epoch = entry.getValue().log.epoch();
    assertEquals(epoch, first.epoch());
    assertEquals(List.of(1L, 2L), first.unstored().pubs().stream().map(Publication::seq).toList());
    assertNull(first.unstored().snapshot());
    new Stored(epoch, 1).process(entry);
    PublishReplies second = acrossTheCluster(acrossTheCluster(new Publish(
        List.of(new PublishRequest(null, null, "{\"entity\":\"e\",\"set\":{\"a\":1}}")), ChannelLogTest.SETTINGS,
        true)).process(entry));
    assertEquals(List.of(2L, 3L), second.unstored().pubs().stream().map(Publication::seq).toList(),
        "what the store has not confirmed, not only this publish");
    assertEquals(entry.getValue().log.snapshotJson(), second.unstored().snapshot());
    new Stored(epoch, 3).process(entry);
    PublishReplies duplicate = new Publish(List.of(new PublishRequest("a", "1", null)), ChannelLogTest.SETTINGS, true)
        .process(entry);
    assertNull(duplicate.unstored(), "the store holds everything");
  }
}
