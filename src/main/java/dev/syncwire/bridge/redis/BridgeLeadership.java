package dev.syncwire.bridge.redis;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * Which node of the cluster ingests from Redis: the leader, the oldest member (Hazelcast lists members
 * oldest first, and every member sees the same list once a change has gone round), leaving out members that
 * said they stepped down because they drain. A node without a cluster is its own leader. {@code changed}
 * runs on the bridge's context whenever the answer may have changed (a member joined or left, one stepped
 * down).
 * <p>
 * A draining node stops ingesting first, then tells every member it stepped down (and again every check
 * while it drains, for members that join meanwhile), so the next oldest takes over at once rather than when
 * the drained node has left the cluster.
 */
abstract class BridgeLeadership {
  /** The member attribute holding a member's Vert.x node id (set by the Hazelcast cluster manager). */
  private static final String VERTX_NODE_ID = "__vertx.nodeId";

  /** Whether this node should ingest now. */
  abstract boolean isLeader();

  /** This node drains and has stopped ingesting: the next member may lead. */
  abstract void steppedDown();

  /** For log lines: who leads. */
  abstract String leader();

  abstract void close();

  /** A node alone: it leads. */
  static BridgeLeadership alone() {
    return new BridgeLeadership() {
      @Override
      boolean isLeader() {
        return true;
      }

      @Override
      void steppedDown() {
      }

      @Override
      String leader() {
        return "this node (no cluster)";
      }

      @Override
      void close() {
      }
    };
  }

  /** A member of a cluster: {@code vertxNodeId} is its own Vert.x node id. */
  static BridgeLeadership clustered(Vertx vertx, Context context, HazelcastInstance hazelcast, String vertxNodeId,
                                    Runnable changed) {
    return new Clustered(vertx, context, hazelcast, vertxNodeId, changed);
  }

  /** The event-bus address on which the node {@code vertxNodeId} hears that a member stepped down. */
  static String address(String vertxNodeId) {
    return "sw.node." + vertxNodeId + ".bridge";
  }

  private static final class Clustered extends BridgeLeadership {
    private final Vertx vertx;
    private final HazelcastInstance hazelcast;
    private final String self;
    private final UUID listener;
    private final MessageConsumer<String> consumer;
    /** Vert.x node ids of members that stepped down (only live members are kept). */
    private final Set<String> steppedDown = new HashSet<>();

    Clustered(Vertx vertx, Context context, HazelcastInstance hazelcast, String self, Runnable changed) {
      this.vertx = vertx;
      this.hazelcast = hazelcast;
      this.self = self;
      this.listener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
        @Override
        public void memberAdded(MembershipEvent event) {
          context.runOnContext(v -> changed.run());
        }

        @Override
        public void memberRemoved(MembershipEvent event) {
          context.runOnContext(v -> changed.run());
        }
      });
      this.consumer = vertx.eventBus().<String>consumer(address(self), m -> {
        if (m.body() != null && steppedDown.add(m.body())) {
          changed.run();
        }
      });
    }

    @Override
    boolean isLeader() {
      return self.equals(leaderId());
    }

    /** The Vert.x node id of the oldest live member that has not stepped down; null if none. */
    private String leaderId() {
      Set<String> live = new HashSet<>();
      String leader = null;
      for (Member m : hazelcast.getCluster().getMembers()) {
        String id = m.getAttribute(VERTX_NODE_ID);
        if (id == null) {
          continue;
        }
        live.add(id);
        if (leader == null && !steppedDown.contains(id)) {
          leader = id;
        }
      }
      steppedDown.retainAll(live);
      return leader;
    }

    @Override
    void steppedDown() {
      steppedDown.add(self);
      for (Member m : hazelcast.getCluster().getMembers()) {
        String id = m.getAttribute(VERTX_NODE_ID);
        if (id != null && !id.equals(self)) {
          vertx.eventBus().send(address(id), self);
        }
      }
    }

    @Override
    String leader() {
      String id = leaderId();
      for (Member m : hazelcast.getCluster().getMembers()) {
        if (id != null && id.equals(m.getAttribute(VERTX_NODE_ID))) {
          String name = m.getAttribute(dev.syncwire.cluster.HazelcastConfigs.NODE_NAME_ATTRIBUTE);
          return name != null ? name : id;
        }
      }
      return "nobody";
    }

    @Override
    void close() {
      hazelcast.getCluster().removeMembershipListener(listener);
      consumer.unregister();
    }
  }
}
