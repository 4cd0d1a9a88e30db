package dev.syncwire.admin;

import dev.syncwire.channel.ChannelLog;
import dev.syncwire.channel.HistoryBudget;
import dev.syncwire.guard.MemoryGuard;
import dev.syncwire.session.Admission;
import dev.syncwire.session.Hubs;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.function.Supplier;

/** The node's identity and health as the endpoints report them. */
public final class NodeStatus {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** The protocol version served (docs/protocol.md §1.2). */
  public static final int PROTOCOL_VERSION = 1;

  private final String nodeId;
  private final long heartbeatMs;
  private final List<String> transports;
  private final Hubs hubs;
  private final MemoryGuard guard;
  private final Supplier<List<String>> members;
  private volatile boolean ready;
  private final Admission admission;
  private volatile java.util.function.BooleanSupplier storeAvailable = () -> true;

  /** {@code members} names the cluster's live nodes; null for a node that runs alone. */
  public NodeStatus(String nodeId, long heartbeatMs, List<String> transports, Hubs hubs, MemoryGuard guard,
                    Admission admission, Supplier<List<String>> members) {
    this.guard = guard;
    this.admission = admission;
    this.nodeId = nodeId;
    this.heartbeatMs = heartbeatMs;
    this.transports = List.copyOf(transports);
    this.hubs = hubs;
    this.members = members;
  }

  public boolean clustered() {
    return members != null;
  }

  /** The live members' names: this node alone when not clustered. */
  public List<String> members() {
    return members == null ? List.of(nodeId) : members.get();
  }

  /**
   * This node's own figures, as the admin API lists them. {@code threadsStarted} counts every thread the
   * JVM ever started: it must stay flat under steady traffic (a hot path that starts threads is a bug).
   */
  public JsonObject localStatus() {
    return new JsonObject().put("node", nodeId).put("connections", sessions()).put("sessions", sessions())
        .put("ready", ready()).put("draining", admission.draining()).put("threadsStarted", THREADS.getTotalStartedThreadCount())
        .put("memoryGuard", new JsonObject().put("engaged", guard.engaged()).put("engagements", guard.engagements())
            .put("heapAfterGcPercent", guard.usedPercent()).put("sessionsCutOff", guard.sessionsCutOff()))
        .put("history", history());
  }

  private static JsonObject history() {
    HistoryBudget budget = ChannelLog.budget();
    return budget == null ? new JsonObject() : new JsonObject().put("heldBytes", budget.heldBytes())
        .put("budgetBytes", budget.nodeMaxBytes()).put("droppedForBudget", budget.droppedPublications());
  }

  public String nodeId() {
    return nodeId;
  }

  /**
   * Whether balancers should send traffic here: started, not stopping, not shedding load, and able to
   * reach the store its channel logs live in, if any.
   */
  public boolean ready() {
    return ready && !admission.refusesNewSessions() && storeAvailable.getAsBoolean();
  }

  /** Makes readiness depend on {@code available}: for a node whose channel logs live in Redis. */
  public void requireStore(java.util.function.BooleanSupplier available) {
    this.storeAvailable = available;
  }

  /** Whether the memory guard is refusing new connections, subscriptions and publishes. */
  public boolean shedding() {
    return guard.engaged();
  }

  public void ready(boolean ready) {
    this.ready = ready;
  }

  public int sessions() {
    return hubs.sessionCount();
  }

  /** The body of {@code GET /info} (docs/protocol.md §2.1). */
  public JsonObject info() {
    return new JsonObject()
        .put("version", PROTOCOL_VERSION)
        .put("transports", new JsonArray(transports))
        .put("heartbeatMs", heartbeatMs)
        .put("node", nodeId)
        .put("members", new JsonArray(members()));
  }
}
