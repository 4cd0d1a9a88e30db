package dev.syncwire.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A publisher at a steady rate, with an idempotency key per message. Unacknowledged publishes are sent
 * again, with their original keys, after a reconnect or an {@code unavailable} error, as the protocol's
 * clients do; {@link #acked()} is what the server promised to deliver.
 */
public final class ChaosPublisher {
  private final Vertx vertx;
  private final WebSocketClient client;
  private final List<Integer> ports;
  private final String channel;
  private final String prefix;
  private final Map<String, Long> acked = new ConcurrentHashMap<>();
  private final Map<String, String> conflicts = new ConcurrentHashMap<>();
  private final LinkedHashMap<String, Integer> unacked = new LinkedHashMap<>();
  private final Map<Long, String> inFlight = new HashMap<>();
  private int portIndex;
  private int next;
  private long ids;
  private long timer = -1;
  private volatile boolean stopped;
  private WebSocket socket;

  public ChaosPublisher(Vertx vertx, List<Integer> ports, int firstPort, String channel, String prefix, int perSecond) {
    this.vertx = vertx;
    this.client = vertx.createWebSocketClient();
    this.ports = ports;
    this.portIndex = ports.indexOf(firstPort);
    this.channel = channel;
    this.prefix = prefix;
    vertx.runOnContext(v -> {
      connect();
      long every = Math.max(1, 1000 / perSecond);
      int batch = Math.max(1, perSecond / 1000);
      timer = vertx.setPeriodic(every, t -> {
        for (int i = 0; i < batch && !stopped; i++) {
          String key = prefix + "-" + (++next);
          unacked.put(key, next);
          send(key, next);
        }
      });
    });
  }

  private void connect() {
    if (stopped && unacked.isEmpty()) {
      return;
    }
    int port = ports.get(portIndex);
    client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws")).onComplete(ar -> {
      if (ar.failed()) {
        retry();
        return;
      }
      socket = ar.result();
      socket.textMessageHandler(t -> onFrame(new JsonObject(t)));
      socket.closeHandler(v -> {
        socket = null;
        retry();
      });
      socket.writeTextMessage(new JsonObject().put("id", 0).put("type", "connect").put("tenant", "demo").encode());
      inFlight.clear();
      unacked.forEach(this::send);
    });
  }

  private void retry() {
    portIndex = (portIndex + 1) % ports.size();
    vertx.setTimer(200, t -> connect());
  }

  private void send(String key, int n) {
    if (socket == null) {
      return;
    }
    long id = ++ids;
    inFlight.put(id, key);
    socket.writeTextMessage(new JsonObject().put("id", id).put("type", "publish").put("channel", channel)
        .put("key", key).put("data", new JsonObject().put("n", n)).encode());
  }

  private void onFrame(JsonObject f) {
    Long id = f.getLong("id");
    String key = id == null ? null : inFlight.remove(id);
    if (key == null) {
      return;
    }
    if ("ack".equals(f.getString("type"))) {
      Long before = acked.putIfAbsent(key, f.getLong("seq"));
      if (before != null && before.longValue() != f.getLong("seq")) {
        conflicts.put(key, before + " then " + f.getLong("seq"));
      }
      unacked.remove(key);
    } else if ("error".equals(f.getString("type")) && Boolean.TRUE.equals(f.getBoolean("retry"))) {
      Integer n = unacked.get(key);
      if (n != null) {
        vertx.setTimer(100, t -> send(key, n));
      }
    }
  }

  /** Keys acknowledged, with the seq each was given. */
  public Map<String, Long> acked() {
    return acked;
  }

  /** Keys acknowledged twice with different seqs (must stay empty). */
  public Map<String, String> conflicts() {
    return conflicts;
  }

  public void stopPublishing() {
    stopped = true;
    vertx.runOnContext(v -> vertx.cancelTimer(timer));
  }

  public int pending() {
    return unacked.size();
  }

  public void close() {
    stopped = true;
    vertx.runOnContext(v -> {
      vertx.cancelTimer(timer);
      if (socket != null) {
        socket.close();
      }
      client.close();
    });
  }
}
