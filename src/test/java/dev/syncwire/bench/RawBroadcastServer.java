package dev.syncwire.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;

import java.util.ArrayList;
import java.util.List;

/**
 * A broadcast server written the idiomatic way on Vert.x's public API: a WebSocket server on {@code /ws}
 * that writes every text message it receives once to every other socket with {@code writeTextMessage}.
 * No protocol: being connected is being subscribed. One event loop, like the Syncwire node it is compared
 * with.
 *
 * <p>With {@code --coalesce}, messages received in one event-loop turn are written at the end of the turn,
 * one frame per socket holding them all, one per line. The public API flushes every write, so packing the
 * turn's messages into one frame is its only way to one write and one flush per socket and turn, which
 * Syncwire gets by writing frames unflushed and flushing each socket once. It saves frame headers and the
 * client's per-frame work on top, so it bounds from above what coalescing alone can give.
 *
 * <p>Usage: {@code java -cp syncwire-bench.jar dev.syncwire.bench.RawBroadcastServer [--coalesce] [port]}
 * (default 18090); {@code GET /ready} answers 200 once listening.
 */
public final class RawBroadcastServer extends VerticleBase {
  private final int port;
  private final boolean coalesce;
  private final List<ServerWebSocket> sockets = new ArrayList<>();
  /** The turn's messages and their senders, when coalescing; empty between turns. */
  private final List<String> turnMessages = new ArrayList<>();
  private final List<ServerWebSocket> turnSenders = new ArrayList<>();

  public RawBroadcastServer(int port, boolean coalesce) {
    this.port = port;
    this.coalesce = coalesce;
  }

  public static void main(String[] args) {
    boolean coalesce = args.length > 0 && args[0].equals("--coalesce");
    int first = coalesce ? 1 : 0;
    int port = args.length > first ? Integer.parseInt(args[first]) : 18090;
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    vertx.deployVerticle(new RawBroadcastServer(port, coalesce))
        .onSuccess(id -> System.out.println("raw broadcast server listening on " + port
            + (coalesce ? ", coalescing each turn's messages" : "")))
        .onFailure(e -> {
          System.err.println("raw broadcast server failed to start: " + e.getMessage());
          System.exit(1);
        });
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true))
        .webSocketHandshakeHandler(handshake -> {
          if ("/ws".equals(handshake.path())) {
            handshake.accept();
          } else {
            handshake.reject(404);
          }
        })
        .webSocketHandler(this::join)
        .requestHandler(request -> request.response()
            .setStatusCode("/ready".equals(request.path()) ? 200 : 404)
            .end())
        .listen(port);
  }

  private void join(ServerWebSocket socket) {
    sockets.add(socket);
    socket.textMessageHandler(text -> {
      if (coalesce) {
        collect(socket, text);
      } else {
        broadcast(socket, text);
      }
    });
    socket.closeHandler(v -> remove(socket));
  }

  private void broadcast(ServerWebSocket from, String text) {
    for (int i = 0; i < sockets.size(); i++) {
      ServerWebSocket to = sockets.get(i);
      if (to != from) {
        to.writeTextMessage(text);
      }
    }
  }

  private void collect(ServerWebSocket from, String text) {
    if (turnMessages.isEmpty()) {
      // Runs once the event loop has handled the reads of this turn.
      context.runOnContext(v -> broadcastTurn());
    }
    turnMessages.add(text);
    turnSenders.add(from);
  }

  /** One frame per socket with the turn's messages it did not send itself, one per line. */
  private void broadcastTurn() {
    String all = String.join("\n", turnMessages);
    for (int i = 0; i < sockets.size(); i++) {
      ServerWebSocket to = sockets.get(i);
      if (!turnSenders.contains(to)) {
        to.writeTextMessage(all);
      } else {
        StringBuilder others = new StringBuilder();
        for (int m = 0; m < turnMessages.size(); m++) {
          if (turnSenders.get(m) != to) {
            others.append(others.length() == 0 ? "" : "\n").append(turnMessages.get(m));
          }
        }
        if (others.length() > 0) {
          to.writeTextMessage(others.toString());
        }
      }
    }
    turnMessages.clear();
    turnSenders.clear();
  }

  // Order does not matter, so swap the last socket into the hole instead of shifting the tail.
  private void remove(ServerWebSocket socket) {
    int i = sockets.indexOf(socket);
    if (i >= 0) {
      int last = sockets.size() - 1;
      sockets.set(i, sockets.get(last));
      sockets.remove(last);
    }
  }
}
