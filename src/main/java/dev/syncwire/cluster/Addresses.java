package dev.syncwire.cluster;

/** Every event-bus address Syncwire uses, in one place. Node ids are the Vert.x cluster node ids. */
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

  /** A node's status, for the admin API. */
  public static String status(String nodeId) {
    return "sw.node." + nodeId + ".status";
  }
}
