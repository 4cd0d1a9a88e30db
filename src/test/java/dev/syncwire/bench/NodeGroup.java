package dev.syncwire.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Nodes a workload starts together and stops at its end: one node alone, or a Hazelcast cluster of several
 * on this machine, all pinned to the same server CPUs, with a cluster name and member ports of its own
 * (so that it never joins anyone else's cluster on this box).
 */
final class NodeGroup implements AutoCloseable {
  private static final Duration STARTUP = Duration.ofSeconds(120);

  final List<BenchNode> nodes;
  final boolean clustered;

  private NodeGroup(List<BenchNode> nodes, boolean clustered) {
    this.nodes = nodes;
    this.clustered = clustered;
  }

  /** One node on its own, without {@code -cluster}. */
  static NodeGroup single(BenchNode.Settings settings, String name, Map<String, String> overrides) {
    Log.line("starting node %s", name);
    return new NodeGroup(List.of(BenchNode.start(settings, name, overrides, false).awaitReady(STARTUP)), false);
  }

  /** {@code size} nodes named {@code prefix}0, {@code prefix}1, ... forming one cluster; waits until all see all. */
  static NodeGroup cluster(BenchNode.Settings settings, String prefix, int size, Map<String, String> overrides) {
    int hazelcastPort = FreePorts.block(size);
    StringBuilder members = new StringBuilder();
    for (int i = 0; i < size; i++) {
      members.append(i == 0 ? "" : ",").append("127.0.0.1:").append(hazelcastPort + i);
    }
    Map<String, String> all = new HashMap<>(overrides);
    all.put("cluster.name", "bench-" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36));
    all.put("cluster.port", Integer.toString(hazelcastPort));
    all.put("cluster.members", members.toString());
    Log.line("starting a cluster of %d nodes %s (%s)", size, prefix + "0.." + (size - 1), overrides);
    List<BenchNode> nodes = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      nodes.add(BenchNode.start(settings, prefix + i, all, true));
    }
    NodeGroup group = new NodeGroup(nodes, true);
    try {
      for (BenchNode node : nodes) {
        node.awaitReady(STARTUP);
      }
      group.awaitMembers(size);
    } catch (RuntimeException e) {
      group.close();
      throw e;
    }
    return group;
  }

  /**
   * Waits until every live node lists {@code size} members (a cluster that started split merges later)
   * and every member's partitions have their backups in sync, so that killing one loses nothing.
   */
  void awaitMembers(int size) {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline) {
      boolean formed = true;
      for (BenchNode node : live()) {
        JsonObject info = new JsonObject(node.admin("/info"));
        formed &= info.getJsonArray("members").size() == size;
      }
      JsonArray statuses = new JsonArray(live().get(0).admin("/api/v1/nodes"));
      formed &= statuses.size() == size
          && statuses.stream().allMatch(s -> ((JsonObject) s).getBoolean("backedUp", false));
      if (formed) {
        return;
      }
      Loop.pause(500);
    }
    throw new IllegalStateException("the cluster did not form with " + size + " members in " + STARTUP.toSeconds() + " s");
  }

  List<String> describe() {
    return nodes.stream().map(BenchNode::describe).toList();
  }

  List<BenchNode> live() {
    return nodes.stream().filter(BenchNode::alive).toList();
  }

  BenchNode node(String name) {
    return nodes.stream().filter(n -> n.name.equals(name)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no node " + name));
  }

  /** The live nodes as one target, in the order given: subscribers spread over them, the publisher on the first. */
  static Target target(String name, List<BenchNode> nodes, WireProtocol protocol) {
    return new Target(name, "127.0.0.1", nodes.stream().map(n -> n.port).toList(),
        nodes.stream().map(n -> n.jvm).toList(), protocol);
  }

  Target target(String name, WireProtocol protocol) {
    return target(name, live(), protocol);
  }

  @Override
  public void close() {
    for (BenchNode node : nodes) {
      node.stop();
    }
  }
}
