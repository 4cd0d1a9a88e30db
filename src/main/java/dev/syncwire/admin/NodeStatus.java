package dev.syncwire.admin;

import dev.syncwire.session.Hubs;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** The node's identity and health as the endpoints report them. */
public final class NodeStatus {
  /** The protocol version served (PROTOCOL.md). */
  public static final int PROTOCOL_VERSION = 1;

  private final String nodeId;
  private final long heartbeatMs;
  private final List<String> transports;
  private final Hubs hubs;
  private volatile boolean ready;

  public NodeStatus(String nodeId, long heartbeatMs, List<String> transports, Hubs hubs) {
    this.nodeId = nodeId;
    this.heartbeatMs = heartbeatMs;
    this.transports = List.copyOf(transports);
    this.hubs = hubs;
  }

  public String nodeId() {
    return nodeId;
  }

  public boolean ready() {
    return ready;
  }

  public void ready(boolean ready) {
    this.ready = ready;
  }

  public int sessions() {
    return hubs.sessionCount();
  }

  /** The body of {@code GET /info} (PROTOCOL.md section 1). */
  public JsonObject info() {
    return new JsonObject()
        .put("version", PROTOCOL_VERSION)
        .put("transports", new JsonArray(transports))
        .put("heartbeatMs", heartbeatMs)
        .put("node", nodeId);
  }
}
