package dev.syncwire.bench;

import dev.syncwire.testing.LoadSocket;
import dev.syncwire.testing.WireProtocol;
import io.vertx.core.Future;

/**
 * Socket.IO 4 (Engine.IO protocol 4) over its WebSocket transport, as the Socket.IO broadcast server of
 * {@code src/test/bench-peers} speaks it: the server opens with an Engine.IO {@code open} packet
 * ({@code 0{...}}), the client joins the default namespace with {@code 40} and is joined on the server's
 * {@code 40{...}}. Events are {@code 42["pub",<payload>]}. The server pings ({@code 2}) every 25 s and
 * drops a client that does not answer {@code 3}, idle or not.
 */
final class SocketIoProtocol implements WireProtocol {
  private static final String EVENT_PREFIX = "42[\"pub\",";

  @Override
  public String name() {
    return "Socket.IO";
  }

  @Override
  public String path() {
    return "/socket.io/?EIO=4&transport=websocket";
  }

  /** Every socket joins the namespace; the server's broadcast reaches all of them but the sender. */
  @Override
  public Future<Void> join(LoadSocket socket, String channel) {
    return socket.exchange("40", "40");
  }

  @Override
  public String publishFrame(long commandId, String channel, String payload) {
    return EVENT_PREFIX + payload + "]";
  }

  @Override
  public boolean acksPublishes() {
    return false;
  }

  @Override
  public boolean isPublication(String frame) {
    return frame.startsWith(EVENT_PREFIX);
  }

  @Override
  public void onControlFrame(LoadSocket socket, String frame) {
    if (frame.equals("2")) {
      socket.send("3");
    } else if (frame.startsWith("0{") || socket.completeExchange(frame)) {
      // The open packet needs no answer: the client may join right away.
      return;
    } else {
      socket.events().unexpectedFrames++;
    }
  }
}
