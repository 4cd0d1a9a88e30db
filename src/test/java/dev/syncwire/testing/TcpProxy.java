package dev.syncwire.testing;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A TCP relay in front of a node that a test can cut: {@link #cut()} drops every connection through it at
 * once (the client sees its socket end, as when a network path dies), and {@link #refuse(boolean)} turns new
 * connections away while set, and {@link #blockWebSockets(boolean)} refuses WebSocket handshakes. The node
 * itself keeps running.
 */
public final class TcpProxy implements AutoCloseable {
  private final Vertx vertx;
  private final NetServer server;
  private final NetClient client;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean refusing;
  private volatile boolean blockingWebSockets;
  private volatile int connections;

  private TcpProxy(Vertx vertx, int targetPort) {
    this.vertx = vertx;
    this.client = vertx.createNetClient();
    this.server = vertx.createNetServer().connectHandler(in -> {
      if (refusing) {
        in.close();
        return;
      }
      connections++;
      in.pause();
      sockets.add(in);
      client.connect(targetPort, "127.0.0.1").onComplete(ar -> {
        if (ar.failed()) {
          in.close();
          return;
        }
        NetSocket out = ar.result();
        sockets.add(out);
        boolean[] first = {true};
        in.handler(bytes -> {
          if (first[0]) {
            first[0] = false;
            // Like a proxy that forbids upgrades: a connection that opens with a WebSocket handshake is refused.
            if (blockingWebSockets && bytes.toString(StandardCharsets.ISO_8859_1).startsWith("GET /ws")) {
              in.write("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                  .onComplete(w -> in.close());
              return;
            }
          }
          out.write(bytes);
        });
        out.handler(in::write);
        in.closeHandler(v -> {
          sockets.remove(in);
          out.close();
        });
        out.closeHandler(v -> {
          sockets.remove(out);
          in.close();
        });
        in.resume();
      });
    });
  }

  /** A relay on a free port of 127.0.0.1 to the node at {@code targetPort}. */
  public static TcpProxy start(int targetPort) {
    Vertx vertx = Vertx.vertx();
    TcpProxy proxy = new TcpProxy(vertx, targetPort);
    Await.result(proxy.server.listen(0, "127.0.0.1"));
    return proxy;
  }

  public int port() {
    return server.actualPort();
  }

  /** Connections accepted so far. */
  public int connections() {
    return connections;
  }

  /** Drops every open connection. */
  public void cut() {
    for (NetSocket s : sockets) {
      s.close();
    }
  }

  /** While set, WebSocket handshakes get 403, as from a proxy that does not pass upgrades. */
  public void blockWebSockets(boolean block) {
    this.blockingWebSockets = block;
  }

  /** While set, new connections are closed at once. */
  public void refuse(boolean refuse) {
    this.refusing = refuse;
  }

  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
