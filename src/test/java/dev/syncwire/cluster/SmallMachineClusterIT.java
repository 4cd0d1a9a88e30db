package dev.syncwire.cluster;

import dev.syncwire.testing.NodeGroup;
import dev.syncwire.testing.NodeProcess;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three clustered nodes that each see one CPU, as in a small container, started from the jar as an
 * operator would.
 *
 * <p>Steady traffic must not start threads. Hazelcast runs the callbacks of its futures on a default
 * executor that, on a JVM that sees one or two CPUs, starts a new thread per callback: a node that lets
 * it do so starts one or more threads per publish. After a warm-up round (pools fill up once), a measured
 * round of publishes, subscribes and fan-out to every node must leave the JVMs' started-thread counts
 * where they were, but for {@link #HOUSEKEEPING} threads per node: Hazelcast's cached executor starts
 * and retires threads for its periodic tasks on its own schedule (60 s keep-alive), whatever the
 * traffic. A thread per publish, subscribe or delivered message would show as hundreds or thousands;
 * so would the Vert.x worker pool filling up lazily under the cluster manager's lookups, which is why
 * a node keeps that pool small.
 */
class SmallMachineClusterIT {
  private static final Vertx CLIENTS = TestNode.clientVertx();
  private static final int PUBLISHES = 2_000;
  private static final int SUBSCRIBES = 20;
  private static final long HOUSEKEEPING = 2;
  /** Loopback addresses as /proc/net/tcp and tcp6 write them: 127.0.0.1, ::ffff:127.0.0.1, ::1. */
  private static final List<String> LOOPBACK = List.of("0100007F", "0000000000000000FFFF00000100007F",
      "00000000000000000000000001000000");

  private static final List<NodeProcess> NODES = new ArrayList<>();
  private static final List<WsClient> CLIENTS_OPEN = new ArrayList<>();
  private static NodeGroup group;

  @BeforeAll
  static void startCluster() {
    group = NodeGroup.cluster(NodeProcess.Options.forTests().withJvmOptions(List.of("-XX:ActiveProcessorCount=1")),
        "small", 3);
    NODES.addAll(group.startMembers("node", 3, Map.of()));
  }

  @AfterAll
  static void stopCluster() {
    CLIENTS_OPEN.forEach(WsClient::close);
    if (group != null) {
      group.close();
    }
  }

  @Test
  void publishesSubscribesAndFanOutStartNoThreads() {
    List<WsClient> subscribers = new ArrayList<>();
    for (NodeProcess n : NODES) {
      WsClient s = client(n);
      s.subscribe("load");
      subscribers.add(s);
    }
    WsClient publisher = client(NODES.get(1));

    round("warm-up", publisher, subscribers);
    threadsStarted();
    Map<String, Long> before = threadsStarted();
    round("measured", publisher, subscribers);
    Map<String, Long> after = threadsStarted();

    for (NodeProcess n : NODES) {
      long started = after.get(n.name) - before.get(n.name);
      assertTrue(started <= HOUSEKEEPING, n.name + " started " + started + " threads across " + PUBLISHES
          + " publishes, " + SUBSCRIBES * NODES.size() + " subscribes and their fan-out (" + before + " -> "
          + after + ")");
    }
  }

  /**
   * Hazelcast's member socket listens on the configured interface (127.0.0.1) only, never on every
   * interface of the host; and the jar carries the JVM options Hazelcast asks for, so no node warns.
   */
  @Test
  void membersListenOnlyOnTheirInterfaceAndNeedNoJvmFlags() throws IOException {
    for (NodeProcess n : NODES) {
      List<String> listening = listeningAddresses(n.hazelcastPort());
      assertFalse(listening.isEmpty(), "no socket listens on Hazelcast port " + n.hazelcastPort());
      for (String address : listening) {
        assertTrue(LOOPBACK.contains(address), "Hazelcast port " + n.hazelcastPort() + " listens on " + address
            + " (" + listening + ")");
      }
    }
    for (NodeProcess n : NODES) {
      assertFalse(n.logText().contains("without proper access to required Java packages"),
          n.name + " logged Hazelcast's warning about missing --add-opens");
    }
  }

  private static List<String> listeningAddresses(int port) throws IOException {
    List<String> out = new ArrayList<>();
    String hexPort = String.format("%04X", port);
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      for (String line : Files.readAllLines(Path.of(table))) {
        String[] f = line.trim().split("\\s+");
        // f[1] is local address:port, f[3] the state; 0A is LISTEN.
        if (f.length > 3 && f[1].endsWith(":" + hexPort) && f[3].equals("0A")) {
          out.add(f[1].substring(0, f[1].indexOf(':')));
        }
      }
    }
    return out;
  }

  private static WsClient client(NodeProcess node) {
    WsClient c = WsClient.open(CLIENTS, node.port);
    CLIENTS_OPEN.add(c);
    c.connectAnonymous("demo");
    return c;
  }

  /**
   * Pipelined publishes to one channel followed on every node, checked in order at every subscriber,
   * and subscribes and unsubscribes to other channels on every node.
   */
  private static void round(String name, WsClient publisher, List<WsClient> subscribers) {
    for (int i = 0; i < PUBLISHES; i++) {
      publisher.send(new JsonObject().put("id", publisher.nextId()).put("type", "publish").put("channel", "load")
          .put("key", name + "-" + i).put("data", new JsonObject().put("n", i)));
    }
    for (int i = 0; i < PUBLISHES; i++) {
      JsonObject reply = publisher.awaitFrame(f -> f.containsKey("id") && !"connected".equals(f.getString("type")));
      assertEquals("ack", reply.getString("type"), reply.encode());
    }
    for (WsClient s : subscribers) {
      List<JsonObject> pubs = s.pubs("load", PUBLISHES);
      for (int i = 1; i < pubs.size(); i++) {
        assertEquals(pubs.get(i - 1).getLong("seq") + 1, pubs.get(i).getLong("seq"), "order at a subscriber");
      }
      for (int i = 0; i < SUBSCRIBES; i++) {
        String channel = name + "-side-" + i;
        s.subscribe(channel);
        JsonObject left = s.request(new JsonObject().put("type", "unsubscribe").put("channel", channel));
        assertEquals("unsubscribed", left.getString("type"), left.encode());
      }
    }
  }

  private static Map<String, Long> threadsStarted() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (NodeProcess n : NODES) {
      out.put(n.name, n.status().getLong("threadsStarted"));
    }
    return out;
  }
}
