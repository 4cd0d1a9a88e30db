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
 * The runtime's own floor: a WebSocket server on {@code /ws} that writes every text message it receives
 * once to every other socket with {@code writeTextMessage}. No protocol: being connected is being
 * subscribed. One event loop, like the Syncwire node it is compared with.
 *
 * <p>Usage: {@code java -cp syncwire.jar dev.syncwire.bench.RawBroadcastServer [port]} (default 18090);
 * {@code GET /ready} answers 200 once listening.
 */
public final class RawBroadcastServer extends VerticleBase {
  private final int port;
  private final List<ServerWebSocket> sockets = new ArrayList<>();

  public RawBroadcastServer(int port) {
    this.port = port;
  }

  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 18090;
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    vertx.deployVerticle(new RawBroadcastServer(port))
        .onSuccess(id -> System.out.println("raw broadcast server listening on " + port))
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
    socket.textMessageHandler(text -> broadcast(socket, text));
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
