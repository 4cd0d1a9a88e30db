package dev.syncwire.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A subscriber that behaves like the protocol's clients: it applies pubs in seq order (dropping what
 * it already has), and when its connection drops it reconnects to the next node and resubscribes with
 * {@code since}. Its log is what the checker reads.
 */
public final class ChaosSubscriber {
  /** What the client applied: a publication, or a discontinuity the server announced. */
  public record Entry(String kind, String epoch, long seq, String key) {
  }

  private final Vertx vertx;
  private final WebSocketClient client;
  private final List<Integer> ports;
  private final String channel;
  private final List<Entry> log = new ArrayList<>();
  private final AtomicInteger reconnects = new AtomicInteger();
  private int portIndex;
  private String epoch;
  private long lastSeq;
  private int wireDuplicates;
  private volatile boolean subscribed;
  private volatile boolean stopped;
  private WebSocket socket;

  public ChaosSubscriber(Vertx vertx, List<Integer> ports, int firstPort, String channel) {
    this.vertx = vertx;
    this.client = vertx.createWebSocketClient();
    this.ports = ports;
    this.portIndex = ports.indexOf(firstPort);
    this.channel = channel;
    vertx.runOnContext(v -> connect());
  }

  private void connect() {
    if (stopped) {
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
        subscribed = false;
        retry();
      });
      socket.writeTextMessage(new JsonObject().put("id", 1).put("type", "connect").put("tenant", "demo").encode());
      subscribe();
    });
  }

  private void retry() {
    if (stopped) {
      return;
    }
    reconnects.incrementAndGet();
    portIndex = (portIndex + 1) % ports.size();
    vertx.setTimer(200, t -> connect());
  }

  private void subscribe() {
    JsonObject cmd = new JsonObject().put("id", 2).put("type", "subscribe").put("channel", channel);
    synchronized (this) {
      if (epoch != null) {
        cmd.put("since", new JsonObject().put("epoch", epoch).put("seq", lastSeq));
      }
    }
    socket.writeTextMessage(cmd.encode());
  }

  private synchronized void onFrame(JsonObject f) {
    switch (f.getString("type")) {
      case "subscribed" -> {
        if (f.getBoolean("recovered")) {
          f.getJsonArray("pubs", new JsonArray()).forEach(p -> apply((JsonObject) p));
        } else {
          if (epoch != null) {
            log.add(new Entry("reset", f.getString("epoch"), f.getLong("seq"), null));
          }
          epoch = f.getString("epoch");
          lastSeq = f.getLong("seq");
        }
        subscribed = true;
      }
      case "pub" -> apply(f);
      case "reset" -> {
        log.add(new Entry("reset", null, 0, null));
        subscribed = false;
        subscribe();
      }
      default -> { }
    }
  }

  private void apply(JsonObject pub) {
    if (!pub.getString("epoch").equals(epoch)) {
      log.add(new Entry("foreign-epoch", pub.getString("epoch"), pub.getLong("seq"), pub.getString("key")));
      return;
    }
    long seq = pub.getLong("seq");
    if (seq <= lastSeq) {
      wireDuplicates++;
      return;
    }
    log.add(new Entry("pub", epoch, seq, pub.getString("key")));
    lastSeq = seq;
  }

  public boolean subscribed() {
    return subscribed;
  }

  public synchronized long lastSeq() {
    return lastSeq;
  }

  public synchronized List<Entry> log() {
    return new ArrayList<>(log);
  }

  public synchronized int wireDuplicates() {
    return wireDuplicates;
  }

  public int reconnects() {
    return reconnects.get();
  }

  public void stop() {
    stopped = true;
    vertx.runOnContext(v -> {
      if (socket != null) {
        socket.close();
      }
      client.close();
    });
  }
}
