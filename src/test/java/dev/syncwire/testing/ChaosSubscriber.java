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
 * A subscriber that behaves like the protocol's clients: it follows one channel, and when its
 * connection drops or the server resets the subscription it subscribes again with {@code since} (its
 * last applied position), reconnecting to the next node if need be. Its log records, in arrival order,
 * what it asked for and everything the server sent about the channel, duplicates and strays included:
 * that log is what {@link DeliveryChecker} judges. A {@code reconnect} push's {@code delayMs} replaces the
 * next reconnect's delay once, as the protocol's clients do.
 */
public final class ChaosSubscriber {
  /** What happened on the wire, in order. */
  public enum Kind {
    /** A subscribe was sent: {@code epoch}/{@code seq} are its {@code since}, null/-1 without one. */
    SUBSCRIBE,
    /** The {@code subscribed} reply: its epoch, seq and {@code recovered}. Its recovered pubs follow as PUBs. */
    SUBSCRIBED,
    /** A publication received (pushed, or in a recovered reply). */
    PUB,
    /** A {@code reset} push ({@code reason}). */
    RESET,
    /** An {@code error} reply to a subscribe ({@code reason} is its code). */
    SUBSCRIBE_FAILED,
    /** The connection closed. */
    DISCONNECTED
  }

  /** One log entry; fields a kind does not use are null or -1. */
  public record Entry(Kind kind, String epoch, long seq, String key, boolean recovered, String reason) {
    static Entry subscribe(String epoch, long seq) {
      return new Entry(Kind.SUBSCRIBE, epoch, seq, null, false, null);
    }

    static Entry subscribed(String epoch, long seq, boolean recovered) {
      return new Entry(Kind.SUBSCRIBED, epoch, seq, null, recovered, null);
    }

    static Entry pub(String epoch, long seq, String key) {
      return new Entry(Kind.PUB, epoch, seq, key, false, null);
    }

    static Entry of(Kind kind, String reason) {
      return new Entry(kind, null, -1, null, false, reason);
    }
  }

  private static final long SUBSCRIBE_ID = 2;

  private final Vertx vertx;
  private final WebSocketClient client;
  private final List<Integer> ports;
  private final String channel;
  private final List<Entry> log = new ArrayList<>();
  private final AtomicInteger reconnects = new AtomicInteger();
  private int portIndex;
  /** The delay a {@code reconnect} push asked for, for the next reconnect only; -1 when none. */
  private volatile long pushedDelayMs = -1;
  /** When each reconnect's connection opened ({@link System#nanoTime()}). */
  private final List<Long> reconnectedAt = new ArrayList<>();
  private boolean everConnected;
  // The position the client applied: where a subscribe with since resumes.
  private String epoch;
  private long lastSeq;
  private volatile boolean subscribed;
  private volatile boolean stopped;
  private volatile WebSocket socket;

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
      WebSocket ws = ar.result();
      socket = ws;
      synchronized (this) {
        if (everConnected) {
          reconnectedAt.add(System.nanoTime());
        }
        everConnected = true;
      }
      ws.textMessageHandler(t -> onFrame(ws, new JsonObject(t)));
      ws.closeHandler(v -> {
        synchronized (this) {
          subscribed = false;
          if (!stopped) {
            log.add(Entry.of(Kind.DISCONNECTED, null));
          }
        }
        retry();
      });
      ws.writeTextMessage(new JsonObject().put("id", 1).put("type", "connect").put("tenant", "demo").encode());
      subscribe(ws);
    });
  }

  private void retry() {
    if (stopped) {
      return;
    }
    reconnects.incrementAndGet();
    portIndex = (portIndex + 1) % ports.size();
    long pushed = pushedDelayMs;
    pushedDelayMs = -1;
    vertx.setTimer(Math.max(1, pushed >= 0 ? pushed : 200), t -> connect());
  }

  private synchronized void subscribe(WebSocket ws) {
    if (stopped || ws != socket || ws.isClosed()) {
      return;
    }
    JsonObject cmd = new JsonObject().put("id", SUBSCRIBE_ID).put("type", "subscribe").put("channel", channel);
    if (epoch != null) {
      cmd.put("since", new JsonObject().put("epoch", epoch).put("seq", lastSeq));
      log.add(Entry.subscribe(epoch, lastSeq));
    } else {
      log.add(Entry.subscribe(null, -1));
    }
    ws.writeTextMessage(cmd.encode());
  }

  private synchronized void onFrame(WebSocket ws, JsonObject f) {
    if (stopped) {
      return;
    }
    String type = f.getString("type");
    boolean reply = Long.valueOf(SUBSCRIBE_ID).equals(f.getLong("id"));
    if (reply && "subscribed".equals(type)) {
      boolean recovered = f.getBoolean("recovered");
      log.add(Entry.subscribed(f.getString("epoch"), f.getLong("seq"), recovered));
      if (recovered) {
        f.getJsonArray("pubs", new JsonArray()).forEach(p -> onPub((JsonObject) p));
      } else {
        epoch = f.getString("epoch");
        lastSeq = f.getLong("seq");
      }
      subscribed = true;
    } else if (reply && "error".equals(type)) {
      // The channel's owner may be failing over: the subscribe is answered unavailable; ask again.
      log.add(Entry.of(Kind.SUBSCRIBE_FAILED, f.getString("code")));
      vertx.setTimer(200, t -> subscribe(ws));
    } else if ("pub".equals(type) && channel.equals(f.getString("channel"))) {
      onPub(f);
    } else if ("reconnect".equals(type)) {
      pushedDelayMs = f.getLong("delayMs", 0L);
    } else if ("reset".equals(type) && channel.equals(f.getString("channel"))) {
      log.add(Entry.of(Kind.RESET, f.getString("reason")));
      subscribed = false;
      subscribe(ws);
    }
  }

  private void onPub(JsonObject pub) {
    String e = pub.getString("epoch");
    long seq = pub.getLong("seq");
    log.add(Entry.pub(e, seq, pub.getString("key")));
    // Apply as a client does: the next publications of its epoch; anything else is not applied.
    if (e.equals(epoch) && seq > lastSeq) {
      lastSeq = seq;
    }
  }

  /** Whether the subscription is in place (answered and not reset or disconnected since). */
  public boolean subscribed() {
    return subscribed;
  }

  /** The epoch of the position the client applied (null before its first subscription). */
  public synchronized String epoch() {
    return epoch;
  }

  /** The seq of the position the client applied. */
  public synchronized long lastSeq() {
    return lastSeq;
  }

  public synchronized List<Entry> log() {
    return new ArrayList<>(log);
  }

  /** When each reconnect's connection opened ({@link System#nanoTime()}), in order. */
  public synchronized List<Long> reconnectedAt() {
    return new ArrayList<>(reconnectedAt);
  }

  public int reconnects() {
    return reconnects.get();
  }

  public void stop() {
    synchronized (this) {
      stopped = true;
    }
    vertx.runOnContext(v -> {
      if (socket != null) {
        socket.close();
      }
      client.close();
    });
  }
}
