package dev.syncwire.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import dev.syncwire.broker.ChannelBroker.PublishAck;
import dev.syncwire.broker.ChannelBroker.PublishRequest;
import dev.syncwire.channel.ChannelId;
import dev.syncwire.channel.ChannelLogTest;
import dev.syncwire.broker.OutboundPublication;
import dev.syncwire.broker.PublicationSink;
import dev.syncwire.channel.Since;
import dev.syncwire.cluster.operation.ChannelEntry;
import dev.syncwire.cluster.operation.ChannelGroup;
import dev.syncwire.cluster.operation.Describe;
import dev.syncwire.cluster.operation.OnChannels;
import dev.syncwire.cluster.operation.RemoveNode;
import dev.syncwire.cluster.operation.Subscribe;
import dev.syncwire.cluster.operation.Summary;
import dev.syncwire.internals.VertxInternals;
import dev.syncwire.testing.Await;
import dev.syncwire.testing.FreePorts;
import dev.syncwire.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the cluster's channel operations share, and what their backups must not share. */
class ClusterOperationsTest {

  private static HazelcastInstance hazelcast(TestNode node) {
    return ((HazelcastClusterManager) VertxInternals.clusterManager(node.vertx)).getHazelcastInstance();
  }

  /** Nodes a and b of a cluster of their own, joined; closing stops both. */
  private record TwoMembers(TestNode a, TestNode b) implements AutoCloseable {
    static TwoMembers start(String clusterPrefix) {
      String cluster = clusterPrefix + "-" + UUID.randomUUID();
      int port = FreePorts.block(2);
      String members = "127.0.0.1:" + port + ",127.0.0.1:" + (port + 1);
      TestNode a = TestNode.startClustered("a", cluster, port, members, new JsonObject());
      TestNode b = null;
      try {
        b = TestNode.startClustered("b", cluster, port + 1, members, new JsonObject());
        Await.until(Duration.ofSeconds(30), "two members", () -> a.node.status().members().size() == 2);
        return new TwoMembers(a, b);
      } catch (RuntimeException | AssertionError e) {
        if (b != null) {
          b.close();
        }
        a.close();
        throw e;
      }
    }

    @Override
    public void close() {
      b.close();
      a.close();
    }
  }

  /** The channel's entry as the owner of its partition holds it, read through {@code node}; null when absent. */
  private static ChannelEntry entry(TestNode node, ChannelId channel) {
    ClusterChannelBroker broker = (ClusterChannelBroker) node.node.broker();
    ChannelGroup group = broker.map().get(broker.groups().key(channel));
    return group == null ? null : group.channel(ChannelEntry.key(channel));
  }

  /** Runs one channel operation on the owner of the channel's partition, as the broker does, and waits. */
  private static <R> R run(TestNode node, ChannelId channel, EntryProcessor<String, ChannelEntry, R> operation) {
    ClusterChannelBroker broker = (ClusterChannelBroker) node.node.broker();
    @SuppressWarnings("unchecked")
    R result = (R) broker.map().executeOnKey(broker.groups().key(channel),
        OnChannels.of(ChannelEntry.key(channel), operation)).get(0);
    return result;
  }

  /**
   * Holds the broker's event loop until the returned latch is counted down (30 s at most), so that every
   * publish made meanwhile has joined its queue before the first operation's answer can be taken.
   */
  private static CountDownLatch hold(ClusterChannelBroker broker) throws InterruptedException {
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    broker.context().runOnContext(v -> {
      held.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertTrue(held.await(10, TimeUnit.SECONDS), "the broker's event loop is held");
    return release;
  }

  /** A subscriber that records the seq of each publication delivered to it. */
  private static PublicationSink recordingSeqs(Queue<Long> delivered) {
    return new PublicationSink() {
      @Override
      public void deliver(ChannelId c, OutboundPublication p) {
        delivered.add(p.publication().seq());
      }

      @Override
      public void reset(ChannelId c, String reason) {
      }
    };
  }

  @Test
  void publishesToAChannelArrivingTogetherShareOperationsAndKeepTheirOrder() throws Exception {
    try (TwoMembers nodes = TwoMembers.start("commit")) {
      ClusterChannelBroker broker = (ClusterChannelBroker) nodes.a().node.broker();
      int publishes = 400;
      CountDownLatch release = hold(broker);
      long operationsBefore = broker.publishOperations.get();
      List<Future<PublishAck>> acks = new ArrayList<>();
      ChannelId channel = new ChannelId("demo", "burst");
      for (int i = 0; i < publishes; i++) {
        acks.add(broker.publish(channel, new PublishRequest("k" + i, "{\"i\":" + i + "}", null)));
      }
      release.countDown();
      for (int i = 0; i < publishes; i++) {
        assertEquals(i + 1, Await.result(acks.get(i)).seq(), "publish " + i + " is the channel's next, in order");
      }
      // The first publish goes alone, the 399 that waited for it 64 (cluster.publishBatch) at a time: 8
      // operations. One more each time an operation is answered before its callback is registered (the
      // event loop paused by the OS in between): the callback then runs at once, before the publishes
      // queued behind it have joined. Alone, each publish would be an operation.
      long operations = broker.publishOperations.get() - operationsBefore;
      assertTrue(operations >= 8 && operations < 20, operations + " operations for " + publishes + " publishes");
      assertEquals(operations, broker.stats().getLong("publishOperations") - operationsBefore,
          "the admin API reports the same count");
    }
  }

  /**
   * The partition count decides which entry holds a channel: a node that counts the partitions otherwise
   * must not join, or two nodes would look for one channel in different places.
   */
  @Test
  void aNodeWithAnotherPartitionCountDoesNotJoin() {
    String cluster = "partitions-" + UUID.randomUUID();
    int port = FreePorts.block(2);
    String members = "127.0.0.1:" + port + ",127.0.0.1:" + (port + 1);
    try (TestNode a = TestNode.startClustered("a", cluster, port, members,
        new JsonObject().put("cluster", new JsonObject().put("partitions", 7)))) {
      IllegalStateException refused = assertThrows(IllegalStateException.class, () -> TestNode.startClustered("b",
          cluster, port + 1, members, new JsonObject().put("cluster", new JsonObject().put("partitions", 5))));
      assertTrue(refused.getMessage().contains("did not start"), refused.getMessage());
      assertEquals(1, hazelcast(a).getCluster().getMembers().size(), "a stays alone");
      assertEquals(7, hazelcast(a).getPartitionService().getPartitions().size());
    }
  }

  /**
   * Publishes to different channels of one partition that wait at a node together go in shared operations,
   * each channel's in its order, and every acknowledged one is on the backup: when the partition's owner dies
   * right after the acks, the node that held the backup has each channel at its acknowledged position.
   */
  @Test
  void publishesToChannelsOfOnePartitionShareOperationsAndTheirBackup() throws Exception {
    String cluster = "group-commit-" + UUID.randomUUID();
    int port = FreePorts.block(2);
    String members = "127.0.0.1:" + port + ",127.0.0.1:" + (port + 1);
    TestNode a = TestNode.startClustered("a", cluster, port, members, new JsonObject());
    try (TestNode b = TestNode.startClustered("b", cluster, port + 1, members, new JsonObject())) {
      Await.until(Duration.ofSeconds(30), "two members", () -> a.node.status().members().size() == 2);
      HazelcastInstance hz = hazelcast(a);
      Await.until(Duration.ofSeconds(60), "partitions settled and backed up",
          () -> hz.getPartitionService().isClusterSafe());
      ClusterChannelBroker broker = (ClusterChannelBroker) a.node.broker();
      ChannelGroups groups = broker.groups();
      UUID ownerA = hz.getCluster().getLocalMember().getUuid();
      // Ten channels of one partition that a owns, so that b holds their backup.
      List<ChannelId> channels = new ArrayList<>();
      String group = null;
      for (int i = 0; channels.size() < 10; i++) {
        ChannelId c = new ChannelId("demo", "g" + i);
        var owner = hz.getPartitionService().getPartition(groups.key(c)).getOwner();
        if (owner == null || !owner.getUuid().equals(ownerA)) {
          continue;
        }
        if (group == null) {
          group = groups.key(c);
        }
        if (groups.key(c).equals(group)) {
          channels.add(c);
        }
      }
      int publishes = 400;
      CountDownLatch release = hold(broker);
      long operationsBefore = broker.publishOperations.get();
      List<Future<PublishAck>> acks = new ArrayList<>();
      for (int i = 0; i < publishes; i++) {
        acks.add(broker.publish(channels.get(i % channels.size()),
            new PublishRequest("k" + i, "{\"i\":" + i + "}", null)));
      }
      release.countDown();
      for (int i = 0; i < publishes; i++) {
        PublishAck ack = Await.result(acks.get(i));
        assertEquals(i / channels.size() + 1, ack.seq(), "publish " + i + " is its channel's next, in order");
        if (i < channels.size()) {
          continue;
        }
        assertEquals(Await.result(acks.get(i % channels.size())).epoch(), ack.epoch(), "one epoch per channel");
      }
      // As for one channel: the first publish alone, the rest 64 (cluster.publishBatch) at a time.
      long operations = broker.publishOperations.get() - operationsBefore;
      assertTrue(operations >= 8 && operations < 20, operations + " operations for " + publishes + " publishes");

      hz.getLifecycleService().terminate(); // a dies at once: b's backup copy of the partition takes over
      HazelcastInstance hzB = hazelcast(b);
      Await.until(Duration.ofSeconds(30), "b alone", () -> hzB.getCluster().getMembers().size() == 1);
      for (int c = 0; c < channels.size(); c++) {
        ChannelId channel = channels.get(c);
        Summary promoted = run(b, channel, new Describe(false));
        assertNotNull(promoted, channel + " is on the promoted backup");
        assertEquals(publishes / channels.size(), promoted.seq(), channel + " at its acknowledged position");
        assertEquals(Await.result(acks.get(c)).epoch(), promoted.epoch(), channel + " in its epoch");
      }
    } finally {
      try {
        a.close();
      } catch (RuntimeException e) {
        // Its Hazelcast member was terminated: closing may complain.
      }
    }
  }

  /**
   * A node stops following a channel and follows it again, as its subscribers do at a reset. The removal
   * of its first follow may reach the owner late (Hazelcast retries an invocation while partitions
   * migrate); landing after the second follow's subscribe, it must leave the node a follower, or the
   * channel's publications would no longer reach it.
   */
  @Test
  void aLateRemovalOfAnEarlierFollowKeepsTheNodeFollowing() {
    try (TwoMembers nodes = TwoMembers.start("follow")) {
      TestNode a = nodes.a();
      TestNode b = nodes.b();
      ClusterChannelBroker follower = (ClusterChannelBroker) b.node.broker();
      ClusterChannelBroker publisher = (ClusterChannelBroker) a.node.broker();
      String node = follower.nodeId();
      ChannelId channel = new ChannelId("demo", "refollowed");
      Queue<Long> delivered = new ConcurrentLinkedQueue<>();
      PublicationSink sink = recordingSeqs(delivered);

      Await.result(follower.subscribe(channel, Since.NONE, sink));
      Long first = entry(a, channel).follows().get(node);
      assertNotNull(first, "the node follows the channel");
      follower.unsubscribe(channel, sink);
      Await.until(Duration.ofSeconds(10), "the first follow's removal", () -> {
        ChannelEntry e = entry(a, channel);
        return e == null || !e.follows().containsKey(node);
      });
      Await.result(follower.subscribe(channel, Since.NONE, sink));
      Long second = entry(a, channel).follows().get(node);
      assertNotNull(second, "the node follows the channel again");
      assertTrue(second > first, "a new follow: " + first + " then " + second);

      // The first follow's removal once more, as a retried invocation would deliver it.
      assertEquals(false, run(a, channel, new RemoveNode(node, first)), "it removes nothing");
      assertEquals(Map.of(node, second), entry(a, channel).follows());
      assertEquals(1L, Await.result(publisher.publish(channel, new PublishRequest("late", "1", null))).seq());
      Await.until(Duration.ofSeconds(10), "the publication at the node", () -> delivered.contains(1L));
    }
  }

  /**
   * A follow's subscribe can land after its own removal (a retried invocation): the owner then lists a
   * node that does not follow the channel, and would until the node left. The node takes itself off when
   * the owner sends it the channel, and a follow it starts afterwards is kept.
   */
  @Test
  void aNodeListedForAChannelItDoesNotFollowTakesItselfOff() {
    try (TwoMembers nodes = TwoMembers.start("disown")) {
      ClusterChannelBroker follower = (ClusterChannelBroker) nodes.b().node.broker();
      ClusterChannelBroker publisher = (ClusterChannelBroker) nodes.a().node.broker();
      String node = follower.nodeId();
      ChannelId channel = new ChannelId("demo", "disowned");
      TestNode a = nodes.a();
      Queue<Long> delivered = new ConcurrentLinkedQueue<>();
      PublicationSink sink = recordingSeqs(delivered);

      Await.result(follower.subscribe(channel, Since.NONE, sink));
      long first = entry(a, channel).follows().get(node);
      follower.unsubscribe(channel, sink);
      Await.until(Duration.ofSeconds(10), "the follow's removal",
          () -> !entry(a, channel).follows().containsKey(node));
      // The follow's subscribe once more, after its removal, as a retried invocation would deliver it.
      run(a, channel, new Subscribe(node, first, Since.NONE, ChannelLogTest.SETTINGS, false));
      assertEquals(Map.of(node, first), entry(a, channel).follows(), "listed, though it does not follow");

      assertEquals(1L, Await.result(publisher.publish(channel, new PublishRequest("stale", "1", null))).seq());
      Await.until(Duration.ofSeconds(10), "the node taken off the channel",
          () -> !entry(a, channel).follows().containsKey(node));

      Await.result(follower.subscribe(channel, Since.NONE, sink));
      assertTrue(entry(a, channel).follows().get(node) > first, "a new follow, kept");
      assertEquals(2L, Await.result(publisher.publish(channel, new PublishRequest("kept", "2", null))).seq());
      Await.until(Duration.ofSeconds(10), "the next publication at the node", () -> delivered.contains(2L));
      assertEquals(List.of(2L), List.copyOf(delivered), "the publication of the stale listing reached no one");
    }
  }

  /**
   * The periodic sweep forgets idle channels nobody follows. Its backup must forget exactly those: a
   * channel of the same partition that still holds state must survive on the backup, and so after the
   * owner dies.
   */
  @Test
  void sweepingAnIdleChannelLeavesTheOthersOfItsPartitionOnTheBackup() {
    String cluster = "sweep-backup-" + UUID.randomUUID();
    int port = FreePorts.block(2);
    String members = "127.0.0.1:" + port + ",127.0.0.1:" + (port + 1);
    JsonObject quick = new JsonObject().put("cluster", new JsonObject().put("announceIntervalMs", 50))
        .put("history", new JsonObject().put("ttlMs", 200));
    TestNode a = TestNode.startClustered("a", cluster, port, members, quick);
    try (TestNode b = TestNode.startClustered("b", cluster, port + 1, members, quick)) {
      Await.until(Duration.ofSeconds(30), "two members", () -> a.node.status().members().size() == 2);
      HazelcastInstance hz = hazelcast(a);
      // Partitions move to b once it joined: pick the channels only once they have settled.
      Await.until(Duration.ofSeconds(60), "partitions settled and backed up",
          () -> hz.getPartitionService().isClusterSafe());
      UUID ownerA = hz.getCluster().getLocalMember().getUuid();
      ClusterChannelBroker brokerA = (ClusterChannelBroker) a.node.broker();
      ChannelGroups groups = brokerA.groups();
      // Two channels of one partition that a owns (so b holds their backup).
      ChannelId kept = null;
      ChannelId swept = null;
      for (int i = 0; kept == null || swept == null; i++) {
        ChannelId c = new ChannelId("demo", "c" + i);
        var partition = hz.getPartitionService().getPartition(groups.key(c));
        if (partition.getOwner() == null || !partition.getOwner().getUuid().equals(ownerA)) {
          continue;
        }
        if (kept == null) {
          kept = c;
        } else if (groups.key(c).equals(groups.key(kept))) {
          swept = c;
        }
      }
      // State keeps a channel from being swept; a publication without key outlives history.ttlMs only.
      PublishAck state = Await.result(brokerA.publish(kept,
          new PublishRequest(null, null, "{\"entity\":\"e\",\"set\":{\"a\":1}}")));
      Await.result(brokerA.publish(swept, new PublishRequest(null, "{\"x\":1}", null)));
      ChannelId sweptChannel = swept;
      Await.until(Duration.ofSeconds(20), "the idle channel to be swept", () ->
          Await.result(brokerA.channels("demo")).stream().noneMatch(i -> i.channel().equals(sweptChannel.name())));

      Await.until(Duration.ofSeconds(60), "the sweep's backup applied and every backup in sync",
          () -> hz.getPartitionService().isClusterSafe());
      var partition = hz.getPartitionService().getPartition(groups.key(kept));
      assertEquals(ownerA, partition.getOwner().getUuid(), "a still owns the channels, b holds their backup");
      hz.getLifecycleService().terminate(); // a dies: no hand-over, b's backup copies take over
      HazelcastInstance hzB = hazelcast(b);
      Await.until(Duration.ofSeconds(30), "b alone", () -> hzB.getCluster().getMembers().size() == 1);
      ChannelId keptChannel = kept;
      AtomicReference<PublishAck> next = new AtomicReference<>();
      Await.until(Duration.ofSeconds(30), "a publish on b to be acknowledged", () -> {
        try {
          // Keyed: an attempt that timed out here but was applied makes the next one a duplicate.
          next.set(b.node.broker().publish(keptChannel,
                  new PublishRequest("after-failover", null, "{\"entity\":\"e\",\"set\":{\"b\":2}}"))
              .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
          return true;
        } catch (Exception e) {
          return false; // unavailable while b takes over a's partitions: retry
        }
      });
      assertEquals(state.epoch(), next.get().epoch(), "the channel kept its epoch on the promoted backup");
      assertEquals(2, next.get().seq(), "and its position");
    } finally {
      try {
        a.close();
      } catch (RuntimeException e) {
        // Its Hazelcast member was terminated: closing may complain.
      }
    }
  }
}
