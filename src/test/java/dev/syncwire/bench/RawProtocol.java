package dev.syncwire.bench;

import dev.syncwire.testing.LoadSocket;
import dev.syncwire.testing.WireProtocol;
import io.vertx.core.Future;

/** The raw broadcast server's "protocol": connected is subscribed, and a publication is its payload. */
final class RawProtocol implements WireProtocol {

  @Override
  public String name() {
    return "raw Vert.x";
  }

  @Override
  public Future<Void> join(LoadSocket socket, String channel) {
    return Future.succeededFuture();
  }

  @Override
  public String publishFrame(long commandId, String channel, String payload) {
    return payload;
  }

  @Override
  public boolean acksPublishes() {
    return false;
  }

  @Override
  public boolean isPublication(String frame) {
    return true;
  }

  @Override
  public void onControlFrame(LoadSocket socket, String frame) {
    socket.events().unexpectedFrames++;
  }
}
