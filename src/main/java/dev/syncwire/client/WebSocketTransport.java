package dev.syncwire.client;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.net.URI;

/** A session over {@code GET /ws} (docs/protocol.md §10), in either subprotocol. */
final class WebSocketTransport implements Transport {
  private final Vertx vertx;
  private final WebSocketClient client;
  private final URI base;
  private final ClientCodec codec;
  private final long openTimeoutMs;
  private final Listener listener;
  private WebSocket socket;
  private Promise<JsonObject> opening;
  private long connectId;
  private boolean done;

  WebSocketTransport(Vertx vertx, WebSocketClient client, URI base, ClientCodec codec, long openTimeoutMs,
      Listener listener) {
    this.vertx = vertx;
    this.client = client;
    this.base = base;
    this.codec = codec;
    this.openTimeoutMs = openTimeoutMs;
    this.listener = listener;
  }

  @Override
  public String name() {
    return "websocket";
  }

  @Override
  public Future<JsonObject> open(JsonObject connect) {
    opening = Promise.promise();
    connectId = connect.getLong("id");
    boolean tls = "https".equals(base.getScheme());
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setHost(base.getHost())
        .setPort(base.getPort() > 0 ? base.getPort() : tls ? 443 : 80)
        .setSsl(tls)
        .setURI(path(base) + "/ws")
        .addSubProtocol(codec.subprotocol())
        .setConnectTimeout(openTimeoutMs);
    long timer = vertx.setTimer(openTimeoutMs, t -> failOpen(new SyncwireException("transport_failed",
        "no connected reply within " + openTimeoutMs + " ms")));
    opening.future().onComplete(r -> vertx.cancelTimer(timer));
    client.connect(options).onComplete(ar -> {
      if (ar.failed()) {
        failOpen(new SyncwireException("transport_failed", "websocket: " + ar.cause().getMessage()));
        return;
      }
      WebSocket ws = ar.result();
      if (done) {
        ws.close();
        return;
      }
      socket = ws;
      if (codec.binary()) {
        ws.binaryMessageHandler(this::received);
      } else {
        ws.textMessageHandler(text -> received(Buffer.buffer(text)));
      }
      ws.exceptionHandler(e -> { });
      ws.closeHandler(v -> ended(ws));
      write(connect);
    });
    return opening.future();
  }

  static String path(URI base) {
    String p = base.getRawPath();
    return p == null || p.equals("/") ? "" : p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  private void received(Buffer bytes) {
    JsonObject frame;
    try {
      frame = codec.decode(bytes);
    } catch (IllegalArgumentException e) {
      return; // a frame this client cannot read: nothing it could act on
    }
    if (opening != null) {
      if (connectId != frame.getLong("id", -1L)) {
        return;
      }
      Promise<JsonObject> p = opening;
      opening = null;
      if ("connected".equals(frame.getString("type"))) {
        p.tryComplete(frame);
      } else {
        p.tryFail(SyncwireException.fromReply(frame));
        close();
      }
      return;
    }
    if (!done) {
      listener.frame(frame);
    }
  }

  private void ended(WebSocket ws) {
    if (ws != socket) {
      return;
    }
    Short code = ws.closeStatusCode();
    int c = code == null ? 1006 : code;
    if (opening != null) {
      failOpen(c == 4001 || c == 4003 || c == 1013 || c == 1008
          ? new SyncwireException(c == 1013 ? "overloaded" : c == 4001 ? "unauthorized" : "forbidden",
              "closed " + c + " " + ws.closeReason(), c == 1013, null, null)
          : new SyncwireException("transport_failed", "closed " + c + " before connected"));
      return;
    }
    if (!done) {
      done = true;
      listener.closed(new Closed(c, "closed_" + c, null));
    }
  }

  private void failOpen(SyncwireException e) {
    if (opening != null) {
      Promise<JsonObject> p = opening;
      opening = null;
      p.tryFail(e);
      close();
    }
  }

  @Override
  public void send(JsonObject command) {
    write(command);
  }

  private void write(JsonObject command) {
    WebSocket ws = socket;
    if (ws == null || ws.isClosed()) {
      return; // the close handler reports it; the command's timeout or the reconnect takes over
    }
    Buffer bytes = codec.encode(command);
    if (codec.binary()) {
      ws.writeBinaryMessage(bytes);
    } else {
      ws.writeTextMessage(bytes.toString());
    }
  }

  @Override
  public void close() {
    done = true;
    if (socket != null && !socket.isClosed()) {
      socket.close((short) 1000);
    }
  }
}
