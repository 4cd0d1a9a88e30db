package dev.syncwire.transport.websocket;

import dev.syncwire.testing.Await;
import dev.syncwire.testing.RawWebSocket;
import dev.syncwire.testing.SocketQueues;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.Deflater;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input gets a close code and never disturbs anyone else. */
class WebSocketLimitsTest {
  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void aPeerThatDoesNotReadHasAtMostOnePongPendingWhateverItsPings() throws Exception {
    ExecutorService writer = Executors.newSingleThreadExecutor();
    try (TestNode unlimited = TestNode.startWith(new JsonObject().put("limits", new JsonObject().put("commandRate", 0)));
         RawWebSocket ws = RawWebSocket.connect(unlimited.port(), Map.of(), 4096)) {
      assertEquals(101, ws.status, "upgraded");
      ws.sendText("{\"id\":1,\"type\":\"connect\",\"tenant\":\"demo\"}");
      int pings = 200_000;
      byte[] ping = RawWebSocket.frame(RawWebSocket.PING, new byte[100], true, false);
      // Written from another thread with a deadline: a server that stopped reading would block the write
      // for good, and the test would end in its timeout without saying why.
      Future<Integer> written = writer.submit(() -> {
        int n = 0;
        while (n < pings && ws.trySend(ping)) {
          n++;
        }
        return n;
      });
      int sent;
      try {
        sent = written.get(60, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        String where = serverSide(unlimited);
        ws.close(); // unblocks the writer
        throw new AssertionError("the server stopped reading the pings; " + where, e);
      }
      assertEquals(pings, sent, () -> "every ping written, the connection open; " + serverSide(unlimited));
      ws.sendText("{\"id\":2,\"type\":\"ping\"}");
      int pongs = 0;
      RawWebSocket.Frame f;
      while ((f = ws.readFrame(10_000)) != null && f.opcode() != -1) {
        if (f.opcode() == RawWebSocket.PONG) {
          pongs++;
        } else if (f.opcode() == RawWebSocket.TEXT && f.text().contains("\"id\":2")) {
          break;
        }
      }
      assertNotNull(f, "the session answered its command after the pings");
      assertEquals(RawWebSocket.TEXT, f.opcode(), "the session is still open");
      // Pongs that found the socket full were replaced by newer ones instead of piling up in memory.
      assertTrue(pongs > 0 && pongs < pings / 2, pongs + " pongs for " + pings + " pings");
    } finally {
      writer.shutdownNow();
    }
  }

  /** The node's sessions, the codes it closed them with, and the connections to its port with their queues. */
  private static String serverSide(TestNode node) {
    StringBuilder out = new StringBuilder("sessions on the node: ").append(node.sessions());
    out.append("; sessions closed by code: ").append(node.closedByCode()).append("; sockets:\n");
    return out.append(SocketQueues.of(node.port())).toString();
  }

  @Test
  void unparsableFrameCloses4400() {
    assertClosedAfter("{not json", 4400);
  }

  @Test
  void jsonThatIsNotAnObjectCloses4400() {
    assertClosedAfter("[1,2,3]", 4400);
    assertClosedAfter("\"connect\"", 4400);
  }

  @Test
  void commandWithoutIntegerIdCloses4400() {
    assertClosedAfter("{\"type\":\"ping\"}", 4400);
    assertClosedAfter("{\"id\":\"7\",\"type\":\"ping\"}", 4400);
    assertClosedAfter("{\"id\":1.5,\"type\":\"ping\"}", 4400);
  }

  @Test
  void malformedFrameAfterConnectAlsoCloses4400() {
    try (WsClient c = node.demoClient()) {
      c.sendText("nope");
      assertEquals((short) 4400, c.awaitClose());
    }
  }

  @Test
  void binaryFrameOnTheJsonSubprotocolCloses4400() {
    try (WsClient c = node.demoClient()) {
      Await.result(c.socket().writeBinaryMessage(Buffer.buffer("{\"id\":1,\"type\":\"ping\"}")));
      assertEquals((short) 4400, c.awaitClose());
    }
  }

  @Test
  void frameOverTheLimitCloses1009AndOthersCarryOn() {
    try (WsClient bystander = node.demoClient(); WsClient c = node.demoClient()) {
      bystander.subscribe("calm");
      String big = "{\"id\":1,\"type\":\"publish\",\"channel\":\"calm\",\"data\":\"" + "x".repeat(70_000) + "\"}";
      c.sendText(big);
      assertEquals((short) 1009, c.awaitClose());
      bystander.publish("calm", "still here");
      assertEquals("still here", bystander.pubs("calm", 1).get(0).getString("data"));
    }
  }

  @Test
  void everyOversizedFrameGetsItsCloseFrameEvenFromAClientThatKeepsWriting() throws Exception {
    // A connect and an oversized frame in one write, as a client that pipelines sends them, then more: the
    // close frame must go out although the server is still reading, and the server must not close while
    // the client's bytes are unread (the kernel would reset the connection, which can destroy the close
    // frame before the client reads it).
    byte[] connect = RawWebSocket.frame(RawWebSocket.TEXT,
        "{\"id\":1,\"type\":\"connect\",\"tenant\":\"demo\"}".getBytes(StandardCharsets.UTF_8), true, false);
    byte[] big = RawWebSocket.frame(RawWebSocket.TEXT, new byte[70_000], true, false);
    byte[] oversized = Arrays.copyOf(connect, connect.length + big.length);
    System.arraycopy(big, 0, oversized, connect.length, big.length);
    byte[] more = RawWebSocket.frame(RawWebSocket.TEXT, new byte[16_384], true, false);
    ExecutorService writers = Executors.newFixedThreadPool(10);
    List<Integer> codes = new ArrayList<>();
    try {
      for (int batch = 0; batch < 5; batch++) {
        List<RawWebSocket> sockets = new ArrayList<>();
        List<Future<?>> writing = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        for (int i = 0; i < 10; i++) {
          RawWebSocket ws = RawWebSocket.connect(node.port(), Map.of());
          sockets.add(ws);
          writing.add(writers.submit(() -> {
            boolean open = ws.trySend(oversized);
            while (open && !stop.get()) {
              open = ws.trySend(more);
            }
          }));
        }
        for (RawWebSocket ws : sockets) {
          codes.add(ws.readUntilClosed(10_000).closeCode());
        }
        stop.set(true);
        for (int i = 0; i < sockets.size(); i++) {
          sockets.get(i).close();
          writing.get(i).get(10, TimeUnit.SECONDS);
        }
      }
    } finally {
      writers.shutdownNow();
    }
    assertEquals(Collections.nCopies(50, 1009), codes);
  }

  @Test
  void fragmentedMessageOverTheLimitCloses1009() {
    try (RawWebSocket ws = RawWebSocket.connect(node.port(), Map.of())) {
      byte[] part = new byte[40_000];
      Arrays.fill(part, (byte) 'a');
      ws.sendFrame(RawWebSocket.TEXT, part, false, false);
      ws.sendFrame(0, part, true, false);
      assertEquals(1009, ws.readUntilClosed(5000).closeCode());
    }
  }

  @Test
  void invalidUtf8InATextFrameCloses1007() {
    try (RawWebSocket ws = RawWebSocket.connect(node.port(), Map.of())) {
      ws.sendFrame(RawWebSocket.TEXT, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
      assertEquals(1007, ws.readUntilClosed(5000).closeCode());
    }
    // A code point split across fragments is fine; a surrogate (ED A0 80) is not, even when split.
    try (RawWebSocket ws = RawWebSocket.connect(node.port(), Map.of())) {
      byte[] euro = "{\"id\":1,\"type\":\"connect\",\"tenant\":\"demo\",\"client\":\"\u20ac\"}"
          .getBytes(StandardCharsets.UTF_8);
      int split = euro.length - 4;
      ws.sendFrame(RawWebSocket.TEXT, Arrays.copyOfRange(euro, 0, split), false, false);
      ws.sendFrame(0, Arrays.copyOfRange(euro, split, euro.length), true, false);
      assertTrue(ws.readUntil(RawWebSocket.TEXT, 5000).text().contains("connected"));
      ws.sendFrame(RawWebSocket.TEXT, new byte[] {'"', (byte) 0xED}, false, false);
      ws.sendFrame(0, new byte[] {(byte) 0xA0, (byte) 0x80, '"'}, true, false);
      assertEquals(1007, ws.readUntilClosed(5000).closeCode());
    }
  }

  @Test
  void reservedOpcodeCloses1002() {
    try (RawWebSocket ws = RawWebSocket.connect(node.port(), Map.of())) {
      ws.sendFrame(3, new byte[] {1, 2, 3});
      assertEquals(1002, ws.readUntilClosed(5000).closeCode());
    }
  }

  @Test
  void reservedBitWithoutNegotiatedCompressionCloses1002() {
    byte[] ping = "{\"id\":1,\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8);
    try (RawWebSocket ws = RawWebSocket.connect(node.port(), Map.of())) {
      ws.sendFrame(RawWebSocket.TEXT, ping, true, true);
      assertEquals(1002, ws.readUntilClosed(5000).closeCode());
    }
    // Compression on for the node, but this client did not ask for it.
    try (TestNode compressed = TestNode.startWith(new JsonObject()
        .put("websocket", new JsonObject().put("compression", true)));
         RawWebSocket ws = RawWebSocket.connect(compressed.port(), Map.of())) {
      assertEquals(101, ws.status);
      assertEquals(null, ws.headers.get("sec-websocket-extensions"));
      ws.sendFrame(RawWebSocket.TEXT, ping, true, true);
      assertEquals(1002, ws.readUntilClosed(5000).closeCode());
    }
  }

  @Test
  void messageJustUnderTheLimitIsAccepted() {
    try (WsClient c = node.demoClient()) {
      String prefix = "{\"id\":1,\"type\":\"publish\",\"channel\":\"edge\",\"data\":\"";
      String payload = "y".repeat(65536 - prefix.length() - 2);
      c.sendText(prefix + payload + "\"}");
      JsonObject ack = c.awaitFrame(f -> f.getLong("id") != null && f.getLong("id") == 1);
      assertEquals("ack", ack.getString("type"));
    }
  }

  @Test
  void compressedBombIsCapped1009WhenCompressionIsOn() throws Exception {
    try (TestNode compressed = TestNode.startWith(new JsonObject()
        .put("websocket", new JsonObject().put("compression", true)));
         RawWebSocket ws = RawWebSocket.connect(compressed.port(), Map.of("Sec-WebSocket-Extensions", "permessage-deflate"))) {
      assertEquals(101, ws.status);
      assertTrue(ws.headers.getOrDefault("sec-websocket-extensions", "").contains("permessage-deflate"));
      // 10 MiB of spaces deflate to about 10 KiB: far under the frame limit on the wire.
      byte[] bomb = deflateRaw(("{\"id\":1,\"type\":\"ping\",\"pad\":\"" + " ".repeat(10 * 1024 * 1024) + "\"}")
          .getBytes(StandardCharsets.UTF_8));
      assertTrue(bomb.length < 65536, "compressed size " + bomb.length);
      ws.sendFrame(RawWebSocket.TEXT, bomb, true, true);
      assertEquals(1009, ws.readUntilClosed(5000).closeCode());
    }
  }

  @Test
  void smallCompressedMessagesWorkWhenCompressionIsOn() throws Exception {
    try (TestNode compressed = TestNode.startWith(new JsonObject()
        .put("websocket", new JsonObject().put("compression", true)));
         RawWebSocket ws = RawWebSocket.connect(compressed.port(), Map.of("Sec-WebSocket-Extensions", "permessage-deflate"))) {
      ws.sendFrame(RawWebSocket.TEXT, deflateRaw("{\"id\":1,\"type\":\"connect\",\"tenant\":\"demo\"}"
          .getBytes(StandardCharsets.UTF_8)), true, true);
      RawWebSocket.Frame reply = ws.readUntil(RawWebSocket.TEXT, 5000);
      assertTrue(reply != null && reply.opcode() == RawWebSocket.TEXT);
    }
  }

  @Test
  void closedSessionsReleaseTheirResources() {
    int before = node.sessions();
    for (int i = 0; i < 5; i++) {
      assertClosedAfter("garbage", 4400);
    }
    Await.until(Duration.ofSeconds(5), "sessions to be released", () -> node.sessions() == before);
  }

  private static void assertClosedAfter(String text, int code) {
    try (RawWebSocket ws = RawWebSocket.connect(node.port(), Map.of())) {
      ws.sendText(text);
      assertEquals(code, ws.readUntilClosed(5000).closeCode(), text);
    }
  }

  // permessage-deflate (RFC 7692): raw deflate with the trailing 00 00 ff ff removed.
  private static byte[] deflateRaw(byte[] input) {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    deflater.setInput(input);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int n;
    while ((n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH)) > 0) {
      out.write(buf, 0, n);
    }
    deflater.end();
    byte[] all = out.toByteArray();
    return Arrays.copyOf(all, all.length - 4);
  }
}
