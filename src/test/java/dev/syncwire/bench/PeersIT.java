package dev.syncwire.bench;

import dev.syncwire.testing.JvmProcess;
import dev.syncwire.testing.NodeJsPeer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The servers the benchmark compares Syncwire with, driven through the benchmark's own fan-out: Node's
 * {@code ws} and Socket.IO as real Node.js processes, the coalescing raw Vert.x server in this JVM. Each
 * must deliver every publication to every subscriber but the publisher, in order, with the benchmark's
 * adapters, and the Node.js servers must report their heap; otherwise the benchmark's figures for them
 * would measure a broken adapter.
 */
class PeersIT {
  private static final int SUBSCRIBERS = 50;
  private static final double PUBS_PER_SECOND = 50;
  private static final Path LOGS = Path.of("target", "peers-it");

  private static Vertx clientVertx;
  private static Vertx rawVertx;
  private static Loop loop;
  private static JvmProcess self;

  @BeforeAll
  static void setUp() {
    assertTrue(NodeJsPeer.installed(), NodeJsPeer.missing());
    clientVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    loop = new Loop(clientVertx);
    self = JvmProcess.self(100);
  }

  @AfterAll
  static void tearDown() {
    if (rawVertx != null) {
      rawVertx.close().await();
    }
    if (clientVertx != null) {
      clientVertx.close().await();
    }
  }

  @Test
  void nodeWsDeliversEveryPublicationInOrderAndReportsItsHeap() {
    try (NodeJsPeer peer = NodeJsPeer.start("ws-broadcast.mjs", LOGS)) {
      Target target = Target.nodeJs("127.0.0.1", peer.port, new JvmProcess(peer.pid(), 100), RawProtocol.nodeWs());
      assertDeliversEverything(target);
      assertHeapRead(target);
    }
  }

  @Test
  void socketIoDeliversEveryPublicationInOrderAndReportsItsHeap() {
    try (NodeJsPeer peer = NodeJsPeer.start("socketio-broadcast.mjs", LOGS)) {
      Target target = Target.nodeJs("127.0.0.1", peer.port, new JvmProcess(peer.pid(), 100), new SocketIoProtocol());
      assertDeliversEverything(target);
      assertHeapRead(target);
    }
  }

  @Test
  void theCoalescingRawServerDeliversEveryPublicationInOrder() {
    rawVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    int port = dev.syncwire.testing.FreePorts.port();
    rawVertx.deployVerticle(new RawBroadcastServer(port, true)).await();
    assertDeliversEverything(new Target("127.0.0.1", port, self, RawProtocol.rawVertxCoalesced()));
  }

  private static void assertDeliversEverything(Target target) {
    FanOutWorkload workload = new FanOutWorkload(loop, List.of("127.0.0.1"), Profile.quick(), self,
        new WebSocketSubscribers(clientVertx, List.of("127.0.0.1")), SUBSCRIBERS, "peers");
    FanOutWorkload.Ladder ladder = workload.fixedLoads(target, List.of(PUBS_PER_SECOND), 0, 0.5, 2);
    assertEquals(null, ladder.failure(), target.name());
    assertEquals(1, ladder.loads().size(), target.name());
    PhaseResult load = ladder.loads().get(0);
    assertTrue(load.sent() >= PUBS_PER_SECOND, target.name() + " sent " + load.sent());
    assertEquals((long) load.sent() * SUBSCRIBERS, load.delivered() + load.lost(), target.name());
    assertTrue(ladder.lossFree(), target.name() + ": " + ladder);
  }

  private static void assertHeapRead(Target target) {
    JvmProcess.HeapReading heap = target.heapAfterGc().get();
    assertTrue(heap.usedBytes() > 1 << 20, target.name() + " heap " + heap.usedBytes());
    assertEquals("V8 heap + external", heap.spaces());
    assertTrue(target.process().rssBytes() > heap.usedBytes(), target.name() + " RSS below its heap");
  }
}
