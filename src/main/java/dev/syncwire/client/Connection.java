package dev.syncwire.client;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One open session on one transport: its commands in flight, matched to replies by {@code id}, each with
 * a time limit. A command that gets no reply in time means the connection is dead, whatever its socket
 * says, so the connection ends. Runs on the client's context.
 */
final class Connection implements Transport.Listener {
  private final Vertx vertx;
  private final Transport transport;
  private final long commandTimeoutMs;
  private final Map<Long, Promise<JsonObject>> inFlight = new HashMap<>();
  private final Map<Long, Long> timers = new HashMap<>();
  private Handler<JsonObject> pushes = f -> { };
  private Handler<Transport.Closed> ended = c -> { };
  private long nextId = 1;
  private boolean closed;
  private JsonObject connected;
  private long lastReceivedAt = System.nanoTime();

  Connection(Vertx vertx, Function<Transport.Listener, Transport> transport, long commandTimeoutMs) {
    this.vertx = vertx;
    this.transport = transport.apply(this);
    this.commandTimeoutMs = commandTimeoutMs;
  }

  String transportName() {
    return transport.name();
  }

  /** The {@code connected} reply, once open. */
  JsonObject connected() {
    return connected;
  }

  boolean closed() {
    return closed;
  }

  /** Nanoseconds since anything arrived. */
  long quietForNanos() {
    return System.nanoTime() - lastReceivedAt;
  }

  /** Opens the session with a connect built around the id this connection gives it. */
  Future<JsonObject> open(JsonObject connect) {
    connect.put("id", nextId++);
    return transport.open(connect).onSuccess(reply -> {
      connected = reply;
      lastReceivedAt = System.nanoTime();
    });
  }

  /** Where pushes (and replies nobody waits for) go, and who hears of the end. */
  Connection handlers(Handler<JsonObject> pushes, Handler<Transport.Closed> ended) {
    this.pushes = pushes;
    this.ended = ended;
    return this;
  }

  /** Sends a command; completes with its reply frame, {@code error} replies included. */
  Future<JsonObject> command(JsonObject frame) {
    return command(frame, commandTimeoutMs);
  }

  Future<JsonObject> command(JsonObject frame, long timeoutMs) {
    if (closed) {
      return Future.failedFuture(new SyncwireException("disconnected", "the connection ended"));
    }
    long id = nextId++;
    frame.put("id", id);
    Promise<JsonObject> reply = Promise.promise();
    inFlight.put(id, reply);
    timers.put(id, vertx.setTimer(timeoutMs, t -> {
      timers.remove(id);
      if (inFlight.containsKey(id)) {
        end(new Transport.Closed(1006, "timeout", null), true);
      }
    }));
    transport.send(frame);
    return reply.future();
  }

  @Override
  public void frame(JsonObject frame) {
    lastReceivedAt = System.nanoTime();
    Object id = frame.getValue("id");
    if (id instanceof Number) {
      long n = ((Number) id).longValue();
      Promise<JsonObject> waiting = inFlight.remove(n);
      if (waiting != null) {
        Long timer = timers.remove(n);
        if (timer != null) {
          vertx.cancelTimer(timer);
        }
        waiting.complete(frame);
        return;
      }
    }
    pushes.handle(frame);
  }

  @Override
  public void closed(Transport.Closed why) {
    end(why, false);
  }

  /** Closes from this side: nothing more is heard of it, and the commands in flight fail. */
  void close() {
    if (!closed) {
      closed = true;
      transport.close();
      failInFlight();
    }
  }

  private void end(Transport.Closed why, boolean closeTransport) {
    if (closed) {
      return;
    }
    closed = true;
    if (closeTransport) {
      transport.close();
    }
    failInFlight();
    ended.handle(why);
  }

  private void failInFlight() {
    timers.values().forEach(vertx::cancelTimer);
    timers.clear();
    var waiting = new ArrayList<>(inFlight.values());
    inFlight.clear();
    SyncwireException gone = new SyncwireException("disconnected", "the connection ended");
    waiting.forEach(p -> p.tryFail(gone));
  }
}
