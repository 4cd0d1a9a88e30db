package dev.syncwire.cluster;

import dev.syncwire.bench.FreePorts;
import dev.syncwire.testing.NodeProcess;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Steady traffic must not start threads. Hazelcast runs the callbacks of its futures on a default
 * executor that, on a JVM that sees one or two CPUs, starts a new thread per callback: a node that
 * lets it do so starts one or more threads per publish. Three nodes that each see one CPU take a warm-up
 * round (pools fill up once), then a measured round of publishes, subscribes and fan-out to every
 * node; the JVMs' started-thread counts must not move across it, but for {@link #HOUSEKEEPING} threads
 * per node: Hazelcast's cached executor starts and retires threads for its periodic tasks on its own
 * schedule (60 s keep-alive), whatever the traffic. A thread per publish, subscribe or delivered
 * message would show as hundreds or thousands.
 */
class ClusterThreadsIT {
  private static final Vertx CLIENTS = TestNode.clientVertx();
  private static final int PUBLISHES = 2_000;
  private static final int SUBSCRIBES = 20;
  private static final long HOUSEKEEPING = 2;

  private final List<NodeProcess> nodes = new ArrayList<>();
  private final List<WsClient> clients = new ArrayList<>();

  @AfterEach
  void stopEverything() {
    clients.forEach(WsClient::close);
    nodes.forEach(NodeProcess::close);
  }

  @Test
  void publishesSubscribesAndFanOutStartNoThreadsOnSingleCpuNodes() {
    String cluster = "threads-" + UUID.randomUUID();
    int hazelcastBase = FreePorts.block(3);
    String members = "127.0.0.1:" + hazelcastBase + ",127.0.0.1:" + (hazelcastBase + 1) + ",127.0.0.1:"
        + (hazelcastBase + 2);
    for (int i = 0; i < 3; i++) {
      nodes.add(NodeProcess.start("node" + i, cluster, hazelcastBase + i, members, Map.of(),
          List.of("-XX:ActiveProcessorCount=1")));
    }
    nodes.forEach(NodeProcess::awaitReady);
    NodeProcess.awaitBackedUp(nodes);

    List<WsClient> subscribers = new ArrayList<>();
    for (NodeProcess n : nodes) {
      WsClient s = client(n);
      s.subscribe("load");
      subscribers.add(s);
    }
    WsClient publisher = client(nodes.get(1));

    round("warm-up", publisher, subscribers);
    threadsStarted();
    Map<String, Long> before = threadsStarted();
    round("measured", publisher, subscribers);
    Map<String, Long> after = threadsStarted();

    for (NodeProcess n : nodes) {
      long started = after.get(n.name) - before.get(n.name);
      assertTrue(started <= HOUSEKEEPING, n.name + " started " + started + " threads across " + PUBLISHES
          + " publishes, " + SUBSCRIBES * nodes.size() + " subscribes and their fan-out (" + before + " -> " + after + ")");
    }
  }

  private WsClient client(NodeProcess node) {
    WsClient c = WsClient.open(CLIENTS, node.port);
    clients.add(c);
    c.connectAnonymous("demo");
    return c;
  }

  /**
   * Pipelined publishes to one channel followed on every node, checked in order at every subscriber,
   * and subscribes and unsubscribes to other channels on every node.
   */
  private void round(String name, WsClient publisher, List<WsClient> subscribers) {
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

  private Map<String, Long> threadsStarted() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (NodeProcess n : nodes) {
      out.put(n.name, n.status().getLong("threadsStarted"));
    }
    return out;
  }
}
