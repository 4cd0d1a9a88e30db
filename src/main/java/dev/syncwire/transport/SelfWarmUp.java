package dev.syncwire.transport;

import dev.syncwire.protocol.JsonCodec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A node's warm-up before it reports ready. A node that has just started runs its protocol paths in the
 * interpreter, and the JIT compiles them while the first storm of clients waits: measured on one core,
 * a cold node spent several times the CPU per client of a warm one, and the storm's p95 went past
 * seconds. So before {@code /ready} turns 200 the node drives those paths itself, over real WebSockets
 * to its own client port: rounds of sessions that connect, subscribe and publish, as a reconnect storm
 * does, on channels of a tenant no client can name, until rounds stop getting faster. It is an optimisation only: whatever goes wrong,
 * the node becomes ready when the warm-up ends or times out.
 */
public final class SelfWarmUp {
  private static final int CHANNELS = 8;
  private static final int PUBLISHES_PER_SESSION = 4;
  private static final int MIN_ROUNDS = 2;
  /** A round that takes this share of the previous one's time or more ends the warm-up. */
  private static final double SETTLED = 0.9;

  /** What the warm-up did: sessions and publishes acknowledged, how long it took, and the first failure. */
  public record Result(int sessions, int acked, long millis, String problem) {
  }

  private SelfWarmUp() {
  }

  /**
   * Runs {@code rounds} rounds of {@code sessions} sessions against {@code host:port}, each connecting
   * anonymously to {@code tenant}, subscribing to one of a few channels and publishing a few times; gives up
   * after {@code timeoutMs}.
   */
  public static Future<Result> run(Vertx vertx, String host, int port, boolean tls, String tenant, int sessions,
                                   int rounds, long timeoutMs) {
    long start = System.nanoTime();
    WebSocketClientOptions options = new WebSocketClientOptions().setMaxConnections(sessions)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs));
    if (tls) {
      // Its own port, over loopback: nothing to verify.
      options.setSsl(true).setTrustAll(true).setVerifyHost(false);
    }
    WebSocketClient client = vertx.createWebSocketClient(options);
    Promise<Result> done = Promise.promise();
    AtomicInteger acked = new AtomicInteger();
    AtomicInteger opened = new AtomicInteger();
    List<String> problems = new ArrayList<>();
    long timer = vertx.setTimer(timeoutMs, t -> done.tryComplete(result(opened, acked, start,
        "did not finish within " + timeoutMs + " ms")));
    rounds(client, host, port, tenant, sessions, rounds, 0, Long.MAX_VALUE, opened, acked, problems, done)
        .onComplete(ar -> {
          vertx.cancelTimer(timer);
          done.tryComplete(result(opened, acked, start, problems.isEmpty() ? null : problems.get(0)));
        });
    return done.future().eventually(() -> client.close());
  }

  /**
   * Round after round, while rounds still get faster: once a round takes at least {@link #SETTLED} of the
   * time of the one before, the compiled code has caught up and more rounds would only delay readiness.
   * At least {@link #MIN_ROUNDS}, at most {@code maxRounds}.
   */
  private static Future<Void> rounds(WebSocketClient client, String host, int port, String tenant, int sessions,
                                     int maxRounds, int done, long previousNanos, AtomicInteger opened,
                                     AtomicInteger acked, List<String> problems, Promise<Result> finished) {
    if (done == maxRounds || finished.future().isComplete()) {
      return Future.succeededFuture();
    }
    long start = System.nanoTime();
    return round(client, host, port, tenant, sessions, opened, acked, problems).compose(v -> {
      long took = System.nanoTime() - start;
      if (done + 1 >= MIN_ROUNDS && took >= SETTLED * previousNanos) {
        return Future.succeededFuture();
      }
      return rounds(client, host, port, tenant, sessions, maxRounds, done + 1, took, opened, acked, problems,
          finished);
    });
  }

  private static Result result(AtomicInteger opened, AtomicInteger acked, long start, String problem) {
    return new Result(opened.get(), acked.get(), (System.nanoTime() - start) / 1_000_000, problem);
  }

  private static Future<Void> round(WebSocketClient client, String host, int port, String tenant, int sessions,
                                    AtomicInteger opened, AtomicInteger acked, List<String> problems) {
    List<Future<Void>> all = new ArrayList<>(sessions);
    for (int i = 0; i < sessions; i++) {
      all.add(session(client, host, port, tenant, "warm-" + (i % CHANNELS), opened, acked)
          .recover(e -> {
            synchronized (problems) {
              problems.add(String.valueOf(e.getMessage()));
            }
            return Future.succeededFuture();
          }));
    }
    return Future.join(all).mapEmpty();
  }

  /** One session: connect, subscribe, publish; done once every publish is acknowledged. */
  private static Future<Void> session(WebSocketClient client, String host, int port, String tenant, String channel,
                                      AtomicInteger opened, AtomicInteger acked) {
    WebSocketConnectOptions connect = new WebSocketConnectOptions().setHost(host).setPort(port).setURI("/ws")
        .addSubProtocol(JsonCodec.SUBPROTOCOL);
    return client.connect(connect).compose(ws -> {
      opened.incrementAndGet();
      Promise<Void> finished = Promise.promise();
      AtomicInteger acks = new AtomicInteger();
      ws.textMessageHandler(text -> {
        JsonObject frame = new JsonObject(text);
        String type = frame.getString("type");
        if ("ack".equals(type)) {
          acked.incrementAndGet();
          if (acks.incrementAndGet() == PUBLISHES_PER_SESSION) {
            finished.tryComplete();
          }
        } else if ("error".equals(type)) {
          finished.tryFail(frame.getString("code") + ": " + frame.getString("message"));
        }
      });
      ws.closeHandler(v -> finished.tryFail("closed " + ws.closeStatusCode()));
      send(ws, new JsonObject().put("id", 1).put("type", "connect").put("tenant", tenant));
      send(ws, new JsonObject().put("id", 2).put("type", "subscribe").put("channel", channel));
      for (int k = 0; k < PUBLISHES_PER_SESSION; k++) {
        send(ws, new JsonObject().put("id", 3 + k).put("type", "publish").put("channel", channel)
            .put("data", new JsonObject().put("warm", k)));
      }
      return finished.future().eventually(() -> ws.close((short) 1000, "warmed up"));
    });
  }

  private static void send(WebSocket ws, JsonObject command) {
    ws.writeTextMessage(command.encode());
  }
}
