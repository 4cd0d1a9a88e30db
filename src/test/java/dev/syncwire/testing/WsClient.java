package dev.syncwire.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A real WebSocket client (Vert.x {@link WebSocketClient}) speaking the JSON protocol. Received frames
 * are queued; tests take them in order or wait for one matching a predicate.
 */
public final class WsClient implements AutoCloseable {
  private static final long WAIT_MS = 10_000;

  private final WebSocketClient client;
  private final WebSocket socket;
  private final WireCodec codec;
  private final FrameInbox frames = new FrameInbox();
  private final AtomicLong ids = new AtomicLong();
  private volatile Short closeCode;
  private volatile boolean closed;

  private WsClient(WebSocketClient client, WebSocket socket, WireCodec codec) {
    this.client = client;
    this.socket = socket;
    this.codec = codec;
    socket.textMessageHandler(text -> frames.add(new JsonObject(text)));
    socket.binaryMessageHandler(bytes -> frames.add(WireCodec.fromProto(bytes.getBytes())));
    socket.closeHandler(v -> {
      closeCode = socket.closeStatusCode();
      closed = true;
    });
  }

  public static WsClient open(Vertx vertx, int port) {
    return open(vertx, port, WireCodec.JSON);
  }

  /** A client speaking {@code codec}, selected by its subprotocol. */
  public static WsClient open(Vertx vertx, int port, WireCodec codec) {
    return open(vertx, new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws")
        .setSubProtocols(java.util.List.of(codec.subprotocol)), new WebSocketClientOptions());
  }

  public static WsClient open(Vertx vertx, WebSocketConnectOptions connect, WebSocketClientOptions options) {
    WebSocketClient client = vertx.createWebSocketClient(options.setMaxFrameSize(16 * 1024 * 1024)
        .setMaxMessageSize(16 * 1024 * 1024));
    WebSocket ws = Await.result(client.connect(connect));
    WireCodec codec = WireCodec.PROTO.subprotocol.equals(ws.subProtocol()) ? WireCodec.PROTO : WireCodec.JSON;
    return new WsClient(client, ws, codec);
  }

  public WireCodec codec() {
    return codec;
  }

  public WebSocket socket() {
    return socket;
  }

  public long nextId() {
    return ids.incrementAndGet();
  }

  public void sendText(String text) {
    Await.result(socket.writeTextMessage(text));
  }

  /** Sends a command with a fresh id and returns the reply carrying that id. */
  public JsonObject request(JsonObject command) {
    long id = nextId();
    send(command.put("id", id));
    return awaitFrame(f -> Long.valueOf(id).equals(f.getLong("id")));
  }

  /** Sends a command in this client's encoding. */
  public void send(JsonObject command) {
    if (codec == WireCodec.PROTO) {
      Await.result(socket.writeBinaryMessage(io.vertx.core.buffer.Buffer.buffer(WireCodec.toProto(command))));
    } else {
      sendText(command.encode());
    }
  }

  public JsonObject connectAnonymous(String tenant) {
    JsonObject reply = request(new JsonObject().put("type", "connect").put("tenant", tenant));
    assertEquals("connected", reply.getString("type"), reply.encode());
    return reply;
  }

  public JsonObject connectToken(String token) {
    return request(new JsonObject().put("type", "connect").put("token", token));
  }

  public JsonObject subscribe(String channel) {
    JsonObject reply = request(new JsonObject().put("type", "subscribe").put("channel", channel));
    assertEquals("subscribed", reply.getString("type"), reply.encode());
    return reply;
  }

  public JsonObject publish(String channel, Object data) {
    return request(new JsonObject().put("type", "publish").put("channel", channel).put("data", data));
  }

  /** The next frame, in order. */
  public JsonObject next() {
    JsonObject f = frames.take(x -> true, WAIT_MS);
    assertNotNull(f, "no frame within " + WAIT_MS + " ms");
    return f;
  }

  /** The next frame if one arrives within {@code ms}, else null. */
  public JsonObject poll(long ms) {
    return frames.take(x -> true, ms);
  }

  /** The first frame that matches, waiting for it; frames before it stay where they are. */
  public JsonObject awaitFrame(Predicate<JsonObject> match) {
    JsonObject f = frames.take(match, WAIT_MS);
    if (f == null) {
      throw new AssertionError("no matching frame within " + WAIT_MS + " ms; waiting: " + frames.snapshot());
    }
    return f;
  }

  /** Takes the next {@code n} {@code pub} frames of {@code channel}, skipping other frames. */
  public List<JsonObject> pubs(String channel, int n) {
    List<JsonObject> out = new ArrayList<>();
    while (out.size() < n) {
      out.add(awaitFrame(f -> "pub".equals(f.getString("type")) && channel.equals(f.getString("channel"))));
    }
    return out;
  }

  public List<JsonObject> drain() {
    return frames.drain();
  }

  /** Received frames in arrival order; a taker removes the first one matching its predicate. */
  private static final class FrameInbox {
    private final List<JsonObject> frames = new ArrayList<>();

    synchronized void add(JsonObject frame) {
      frames.add(frame);
      notifyAll();
    }

    synchronized JsonObject take(Predicate<JsonObject> match, long waitMs) {
      long deadline = System.currentTimeMillis() + waitMs;
      while (true) {
        for (int i = 0; i < frames.size(); i++) {
          if (match.test(frames.get(i))) {
            return frames.remove(i);
          }
        }
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          return null;
        }
        try {
          wait(left);
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
      }
    }

    synchronized List<JsonObject> drain() {
      List<JsonObject> out = new ArrayList<>(frames);
      frames.clear();
      return out;
    }

    synchronized List<JsonObject> snapshot() {
      return new ArrayList<>(frames);
    }
  }

  /** Waits for the server to close the connection and returns the close code (null if none was sent). */
  public Short awaitClose() {
    Await.until(java.time.Duration.ofMillis(WAIT_MS), "the connection to close", () -> closed);
    return closeCode;
  }

  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    if (!closed) {
      socket.close();
    }
    client.close();
  }
}
