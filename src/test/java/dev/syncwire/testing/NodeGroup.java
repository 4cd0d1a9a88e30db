package dev.syncwire.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Nodes ({@link NodeProcess}) started together and stopped together: one node alone, or the members of one
 * Hazelcast cluster on this machine. A cluster gets a name of its own and a free block of member ports, so
 * that it never joins anyone else's cluster on the box; its members are started up to the number it was made
 * for, at once or one by one (a node joining later). Closing the group kills every node it started.
 */
public final class NodeGroup implements AutoCloseable {
  private final NodeProcess.Options options;
  /** Null for a node alone. */
  private final String clusterName;
  private final int hazelcastBase;
  private final int capacity;
  private final List<NodeProcess> nodes = new ArrayList<>();

  private NodeGroup(NodeProcess.Options options, String clusterName, int hazelcastBase, int capacity) {
    this.options = options;
    this.clusterName = clusterName;
    this.hazelcastBase = hazelcastBase;
    this.capacity = capacity;
  }

  /** One node on its own, without {@code -cluster}, once it is ready. */
  public static NodeGroup alone(NodeProcess.Options options, String name, Map<String, String> settings) {
    NodeGroup group = new NodeGroup(options, null, -1, 1);
    group.nodes.add(NodeProcess.alone(options, name, settings));
    group.closeOnFailure(() -> group.nodes.get(0).awaitReady());
    return group;
  }

  /**
   * A cluster of up to {@code capacity} members, none started yet, named {@code name} plus a random suffix;
   * every member lists all {@code capacity} member ports.
   */
  public static NodeGroup cluster(NodeProcess.Options options, String name, int capacity) {
    return new NodeGroup(options, name + "-" + UUID.randomUUID().toString().substring(0, 8),
        FreePorts.block(capacity), capacity);
  }

  /** A cluster of {@code size} members named {@code prefix}0, {@code prefix}1, ..., once its backups are in sync. */
  public static NodeGroup startCluster(NodeProcess.Options options, String prefix, int size,
                                       Map<String, String> settings) {
    NodeGroup group = cluster(options, prefix, size);
    group.startMembers(prefix, size, settings);
    return group;
  }

  /** Starts the next member of the cluster; does not wait for it (see {@link NodeProcess#awaitReady()}). */
  public NodeProcess start(String name, Map<String, String> settings) {
    if (clusterName == null) {
      throw new IllegalStateException("a node alone has no other members");
    }
    if (nodes.size() == capacity) {
      throw new IllegalStateException("the cluster " + clusterName + " was made for " + capacity + " members");
    }
    StringBuilder members = new StringBuilder();
    for (int i = 0; i < capacity; i++) {
      members.append(i == 0 ? "" : ",").append("127.0.0.1:").append(hazelcastBase + i);
    }
    int hazelcastPort = hazelcastBase + nodes.size();
    Map<String, String> all = new HashMap<>(settings);
    all.put("cluster.name", clusterName);
    all.put("cluster.port", Integer.toString(hazelcastPort));
    all.put("cluster.members", members.toString());
    NodeProcess node = NodeProcess.member(options, name, all, hazelcastPort);
    nodes.add(node);
    return node;
  }

  /**
   * Starts {@code count} more members named {@code prefix}0, {@code prefix}1, ... and waits until they are ready
   * and the cluster's backups are in sync ({@link #awaitBackedUp}); kills the whole group if they do not get
   * there.
   */
  public List<NodeProcess> startMembers(String prefix, int count, Map<String, String> settings) {
    List<NodeProcess> started = new ArrayList<>();
    closeOnFailure(() -> {
      for (int i = 0; i < count; i++) {
        started.add(start(prefix + i, settings));
      }
      started.forEach(NodeProcess::awaitReady);
      awaitBackedUp();
    });
    return started;
  }

  /**
   * Waits until every live node lists every live node as a member (a cluster that started split merges
   * later) and every member's partitions have their backups in sync: only then does losing a member keep
   * every acknowledged publication.
   */
  public void awaitBackedUp() {
    Await.until(options.startup(), NodeProcess.POLL, "the live members of " + clusterName
        + " to see each other with their backups in sync", () -> {
          List<NodeProcess> live = live();
          if (live.isEmpty()) {
            throw new IllegalStateException("no member of " + clusterName + " is alive");
          }
          for (NodeProcess node : live) {
            if (node.info().getJsonArray("members").size() != live.size()) {
              return false;
            }
          }
          JsonArray statuses = live.get(0).nodes();
          return statuses.size() == live.size()
              && statuses.stream().allMatch(s -> ((JsonObject) s).getBoolean("backedUp", false));
        });
  }

  /** Whether the nodes run with {@code -cluster}. */
  public boolean clustered() {
    return clusterName != null;
  }

  /** Every node started, in the order started, dead ones included. */
  public List<NodeProcess> nodes() {
    return Collections.unmodifiableList(nodes);
  }

  /** The nodes whose process still runs, in the order started. */
  public List<NodeProcess> live() {
    return nodes.stream().filter(NodeProcess::alive).toList();
  }

  public NodeProcess node(String name) {
    return nodes.stream().filter(n -> n.name.equals(name)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no node " + name));
  }

  /** For reports: each node's name, pid and CPUs. */
  public List<String> describe() {
    return nodes.stream().map(NodeProcess::describe).toList();
  }

  @Override
  public void close() {
    nodes.forEach(NodeProcess::close);
  }

  private void closeOnFailure(Runnable work) {
    try {
      work.run();
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }
}
