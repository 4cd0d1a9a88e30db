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
 * A publisher at a steady rate, with an idempotency key per message ({@code prefix-1}, {@code prefix-2},
 * ...), at most {@code limit} messages. Unacknowledged publishes are sent again, with their original keys,
 * after a reconnect or an error the server says may succeed later, as the protocol's clients do;
 * {@link #acked()} is what the server promised to deliver. All state but the result maps lives on one
 * Vert.x context.
 */
public final class ChaosPublisher {
  private final Vertx vertx;
  private final WebSocketClient client;
  private final List<Integer> ports;
  private final String channel;
  private final String prefix;
  private volatile int limit;
  private final Map<String, DeliveryChecker.Ack> acked = new ConcurrentHashMap<>();
  private final Map<String, String> conflicts = new ConcurrentHashMap<>();
  private final Map<String, String> rejected = new ConcurrentHashMap<>();
  private final LinkedHashMap<String, Integer> unacked = new LinkedHashMap<>();
  private final Map<Long, String> inFlight = new HashMap<>();
  private volatile int pending;
  private final java.util.concurrent.atomic.AtomicInteger retryableErrors = new java.util.concurrent.atomic.AtomicInteger();
  private volatile int created;
  private long ids;
  private long timer = -1;
  private volatile boolean stopped;
  private WebSocket socket;
  private int portIndex;
  private volatile String lastEvent = "started";

  public ChaosPublisher(Vertx vertx, List<Integer> ports, int firstPort, String channel, String prefix, int perSecond) {
    this(vertx, ports, firstPort, channel, prefix, perSecond, Integer.MAX_VALUE);
  }

  public ChaosPublisher(Vertx vertx, List<Integer> ports, int firstPort, String channel, String prefix, int perSecond,
                        int limit) {
    this.vertx = vertx;
    this.client = vertx.createWebSocketClient();
    this.ports = ports;
    this.portIndex = ports.indexOf(firstPort);
    this.channel = channel;
    this.prefix = prefix;
    this.limit = limit;
    vertx.runOnContext(v -> {
      connect();
      long every = Math.max(1, 1000 / perSecond);
      int batch = Math.max(1, perSecond / 1000);
      timer = vertx.setPeriodic(every, t -> {
        // The field: finishAfter lowers it while this runs (the constructor's argument never changes).
        for (int i = 0; i < batch && !stopped && created < this.limit; i++) {
          int n = created + 1;
          created = n;
          unacked.put(key(n), n);
          pending = unacked.size();
          send(key(n), n);
        }
      });
    });
  }

  /** Makes {@code more} publications after those created so far, then stops creating. */
  public void finishAfter(int more) {
    // The timer may create one more meanwhile: the limit stays at or above what it has created.
    limit = created + more;
  }

  /** How many publications this publisher makes in all ({@code Integer.MAX_VALUE} until told). */
  public int limit() {
    return limit;
  }

  /** The key of this publisher's {@code n}th message (from 1). */
  public String key(int n) {
    return prefix + "-" + n;
  }

  private void connect() {
    if (stopped && unacked.isEmpty()) {
      return;
    }
    int port = ports.get(portIndex);
    client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws")).onComplete(ar -> {
      if (ar.failed()) {
        lastEvent = "connect to " + port + " failed: " + ar.cause();
        retry();
        return;
      }
      socket = ar.result();
      lastEvent = "connected to " + port;
      socket.textMessageHandler(t -> onFrame(new JsonObject(t)));
      socket.closeHandler(v -> {
        lastEvent = "socket to " + port + " closed";
        socket = null;
        retry();
      });
      socket.writeTextMessage(new JsonObject().put("id", 0).put("type", "connect").put("tenant", "demo").encode());
      inFlight.clear();
      new LinkedHashMap<>(unacked).forEach(this::send);
    });
  }

  private void retry() {
    portIndex = (portIndex + 1) % ports.size();
    vertx.setTimer(200, t -> connect());
  }

  private void send(String key, int n) {
    if (socket == null || !unacked.containsKey(key)) {
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
      DeliveryChecker.Ack ack = new DeliveryChecker.Ack(f.getString("epoch"), f.getLong("seq"));
      DeliveryChecker.Ack before = acked.putIfAbsent(key, ack);
      if (before != null && !before.equals(ack)) {
        conflicts.put(key, before + " then " + ack);
      }
      unacked.remove(key);
      pending = unacked.size();
    } else if ("error".equals(f.getString("type")) && Boolean.TRUE.equals(f.getBoolean("retry"))) {
      Integer n = unacked.get(key);
      lastEvent = "retryable error for " + key + ": " + f.encode();
      retryableErrors.incrementAndGet();
      if (n != null) {
        vertx.setTimer(100, t -> send(key, n));
      }
    } else {
      // Refused for good: the server will never deliver it, and the test should hear about it.
      rejected.put(key, f.encode());
      unacked.remove(key);
      pending = unacked.size();
    }
  }

  /**
   * Waits until each publisher has created its {@code limit} publications and has had each acknowledged;
   * returns every acknowledgement. Publishers that were refused something, or got one key acknowledged at
   * two positions, fail the test.
   */
  public static Map<String, DeliveryChecker.Ack> awaitEveryAck(List<ChaosPublisher> publishers,
                                                              java.time.Duration wait) {
    Await.until(wait, "every publisher to have all its publications acknowledged",
        () -> publishers.stream().allMatch(p -> p.created() == p.limit() && p.pending() == 0),
        publishers::toString);
    Map<String, DeliveryChecker.Ack> acked = new HashMap<>();
    for (ChaosPublisher p : publishers) {
      org.junit.jupiter.api.Assertions.assertEquals(Map.of(), p.conflicts(), "keys acknowledged at two positions");
      org.junit.jupiter.api.Assertions.assertEquals(Map.of(), p.rejected(), "publications refused");
      acked.putAll(p.acked());
    }
    return acked;
  }

  /** Publishes answered with an error that asks for a retry, so far. */
  public int retryableErrors() {
    return retryableErrors.get();
  }

  /** Keys acknowledged, with the epoch and seq each was given. */
  public Map<String, DeliveryChecker.Ack> acked() {
    return acked;
  }

  /** Keys acknowledged twice with different positions (must stay empty). */
  public Map<String, String> conflicts() {
    return conflicts;
  }

  /** Keys the server refused with an error that is not worth retrying, with that error (must stay empty). */
  public Map<String, String> rejected() {
    return rejected;
  }

  /** How many messages this publisher has created so far (sent at least once, or waiting to be). */
  public int created() {
    return created;
  }

  /** Whether the {@code n}th message was acknowledged. */
  public boolean isAcked(int n) {
    return acked.containsKey(key(n));
  }

  public void stopPublishing() {
    stopped = true;
    vertx.runOnContext(v -> vertx.cancelTimer(timer));
  }

  /** Messages created and not yet acknowledged (nor refused). */
  public int pending() {
    return pending;
  }

  /** What this publisher is waiting for, for a test's failure message. */
  @Override
  public String toString() {
    return prefix + ": created " + created + " of " + limit + ", pending " + pending + ", acked " + acked.size()
        + ", last event: " + lastEvent;
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
