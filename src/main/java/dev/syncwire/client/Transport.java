package dev.syncwire.client;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * One way of carrying a session: it opens the session with {@code connect}, then carries commands up and
 * every reply and push down. All calls and callbacks happen on the client's context.
 */
interface Transport {

  /** {@code websocket}, {@code sse} or {@code longpoll}: the names of {@code GET /info}. */
  String name();

  /**
   * Opens a session. Completes with the {@code connected} reply; fails with a {@link SyncwireException}:
   * the server's refusal of the connect (its code), or {@code transport_failed} when the transport could
   * not be opened at all.
   */
  Future<JsonObject> open(JsonObject connect);

  /** Sends one command; its reply comes to the listener like any frame. */
  void send(JsonObject command);

  /** Ends the session from this side; the listener hears nothing more. */
  void close();

  /** Where a transport reports, once open. */
  interface Listener {
    /** A reply or push. */
    void frame(JsonObject frame);

    /** The session ended, from the server's side or the network's. Called once. */
    void closed(Closed why);
  }

  /**
   * Why a session ended.
   *
   * @param code         the WebSocket close code (1006 when the connection dropped without one); for HTTP
   *                     transports the code that means the same (4001 for 401, 1006 otherwise)
   * @param reason       a short reason for logs and state events
   * @param retryAfterMs a wait the server asked for, or {@code null}
   */
  record Closed(int code, String reason, Long retryAfterMs) {}
}
