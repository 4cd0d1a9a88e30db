package dev.syncwire.cluster;

/**
 * Every event-bus address Syncwire uses, in one place. Channel traffic is addressed by Vert.x cluster node
 * id, session traffic by node name (a session id carries its home node's name). Addresses are per node,
 * never per channel or per session, so that following a channel or opening a session registers nothing
 * cluster-wide.
 */
public final class Addresses {
  private Addresses() {
  }

  /** Publications for the channels {@code nodeId} follows: one message per publication per node. */
  public static String fanout(String nodeId) {
    return "sw.node." + nodeId + ".fanout";
  }

  /** Owners' periodic positions of the channels {@code nodeId} follows. */
  public static String announce(String nodeId) {
    return "sw.node." + nodeId + ".announce";
  }

  /** Requests for the HTTP sessions whose home is the node named {@code nodeName}. */
  public static String sessions(String nodeName) {
    return "sw.node." + nodeName + ".sessions";
  }

  /** Pushes for SSE streams that the node named {@code nodeName} relays for sessions living elsewhere. */
  public static String relays(String nodeName) {
    return "sw.node." + nodeName + ".relays";
  }

  /** A node's status, for the admin API. */
  public static String status(String nodeId) {
    return "sw.node." + nodeId + ".status";
  }

  /** Admin disconnects of a user's sessions, run by every node on its own sessions. */
  public static String disconnect(String nodeId) {
    return "sw.node." + nodeId + ".disconnect";
  }
}
