package dev.syncwire.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;

import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * One of many client WebSockets a load generator drives on one event loop: sends frames, matches replies to
 * the one request in flight, and hands publications to its listener as the text that arrived, unparsed, so
 * that a delivery costs the client little. The server's protocol is a {@link WireProtocol}. For a test's
 * client, which parses and queues every frame so that the test can wait for one, see {@link WsClient}.
 */
public final class LoadSocket {
  /** A server that upgrades but never answers must fail the client, not hang the run. */
  static final long REPLY_TIMEOUT_MILLIS = 10_000;

  private final Vertx vertx;
  private final int index;
  private final WebSocket webSocket;
  private final WireProtocol protocol;
  private final SocketEvents events;
  private PublicationListener listener;
  private LongConsumer ackListener;
  private Consumer<JsonObject> ackWatcher;
  private long pendingId = -1;
  private String pendingType;
  private Promise<JsonObject> pending;
  private String exchangePrefix;
  private Promise<Void> exchange;
  private boolean closing;
  /** Keyed publishes sent and not yet acknowledged, by command id: what a refused publish resends. */
  private final java.util.Map<Long, String> unackedKeyed = new java.util.HashMap<>();

  public LoadSocket(Vertx vertx, int index, WebSocket webSocket, WireProtocol protocol, SocketEvents events) {
    this.vertx = vertx;
    this.index = index;
    this.webSocket = webSocket;
    this.protocol = protocol;
    this.events = events;
    webSocket.textMessageHandler(this::onText);
    webSocket.exceptionHandler(e -> events.lastProblem = String.valueOf(e));
    webSocket.closeHandler(v -> onClosed());
  }

  public int index() {
    return index;
  }

  public SocketEvents events() {
    return events;
  }

  public void listener(PublicationListener listener) {
    this.listener = listener;
  }

  /** Receives the command id of every ack this socket gets (a publisher timing its acks). */
  public void ackListener(LongConsumer ackListener) {
    this.ackListener = ackListener;
  }

  /** Receives every ack frame as parsed, before the ack listener (a check of the positions acks hand out). */
  public void ackWatcher(Consumer<JsonObject> ackWatcher) {
    this.ackWatcher = ackWatcher;
  }

  /** Sends a publish that carries an idempotency key, kept until its ack so that a refusal can resend it. */
  public void sendKeyed(long commandId, String frame) {
    unackedKeyed.put(commandId, frame);
    send(frame);
  }

  /**
   * A retryable refusal of command {@code commandId}: a keyed publish goes again after {@code delayMs},
   * with its key, as a client that must neither lose nor repeat it does. False for anything else.
   */
  public boolean retryLater(long commandId, long delayMs) {
    String frame = unackedKeyed.get(commandId);
    if (frame == null) {
      return false;
    }
    vertx.setTimer(Math.max(1, delayMs), t -> {
      if (unackedKeyed.containsKey(commandId) && !closing) {
        send(frame);
      }
    });
    return true;
  }

  /** Called by the protocol adapter for each ack. */
  public void acked(long commandId, JsonObject ack) {
    unackedKeyed.remove(commandId);
    if (ackWatcher != null) {
      ackWatcher.accept(ack);
    }
    if (ackListener != null) {
      ackListener.accept(commandId);
    }
  }

  public void send(String frame) {
    webSocket.writeTextMessage(frame);
  }

  /** Sends a command and completes with its reply, which must have {@code replyType}. */
  public Future<JsonObject> request(long id, String replyType, String frame) {
    pendingId = id;
    pendingType = replyType;
    Promise<JsonObject> reply = Promise.promise();
    pending = reply;
    send(frame);
    vertx.setTimer(REPLY_TIMEOUT_MILLIS, t -> {
      if (pending == reply) {
        pending = null;
        reply.fail("no " + replyType + " within " + REPLY_TIMEOUT_MILLIS + " ms");
      }
    });
    return reply.future();
  }

  /** Completes the request in flight if {@code reply} answers it; returns whether it did. */
  public boolean completeRequest(long id, JsonObject reply) {
    if (pending == null || id != pendingId) {
      return false;
    }
    Promise<JsonObject> p = pending;
    pending = null;
    if (pendingType.equals(reply.getString("type"))) {
      p.complete(reply);
    } else {
      p.fail("expected " + pendingType + ", got " + reply.encode());
    }
    return true;
  }

  public Future<Void> close() {
    closing = true;
    return webSocket.close();
  }

  /**
   * Sends {@code frame} and completes once a frame starting with {@code replyPrefix} arrives, for protocols
   * whose handshake replies carry no command id; the protocol adapter hands such frames to
   * {@link #completeExchange}.
   */
  public Future<Void> exchange(String frame, String replyPrefix) {
    Promise<Void> reply = Promise.promise();
    exchangePrefix = replyPrefix;
    exchange = reply;
    send(frame);
    vertx.setTimer(REPLY_TIMEOUT_MILLIS, t -> {
      if (exchange == reply) {
        exchange = null;
        reply.fail("no reply starting with " + replyPrefix + " within " + REPLY_TIMEOUT_MILLIS + " ms");
      }
    });
    return reply.future();
  }

  /** Completes the exchange in flight if {@code frame} answers it; returns whether it did. */
  public boolean completeExchange(String frame) {
    if (exchange == null || !frame.startsWith(exchangePrefix)) {
      return false;
    }
    Promise<Void> p = exchange;
    exchange = null;
    p.complete();
    return true;
  }

  private void onText(String frame) {
    if (protocol.isPublication(frame)) {
      if (listener != null) {
        protocol.deliver(frame, index, listener);
      }
    } else {
      protocol.onControlFrame(this, frame);
    }
  }

  private void onClosed() {
    if (pending != null) {
      pending.tryFail("closed before the reply");
      pending = null;
    }
    if (exchange != null) {
      exchange.tryFail("closed before the reply");
      exchange = null;
    }
    if (!closing) {
      events.unexpectedCloses++;
      Short code = webSocket.closeStatusCode();
      events.lastProblem = "closed by the server" + (code == null ? "" : " with " + code
          + (webSocket.closeReason() == null ? "" : " (" + webSocket.closeReason() + ")"));
    }
  }
}
