package dev.syncwire.bench;

import dev.syncwire.testing.LoadSocket;
import dev.syncwire.testing.PublicationListener;
import dev.syncwire.testing.WireProtocol;
import io.vertx.core.Future;

/**
 * The "protocol" of the plain broadcast servers (raw Vert.x, Node's {@code ws}): connected is subscribed,
 * and a publication is its payload. A coalescing server packs the publications one socket gets in one
 * event-loop turn into one frame, one per line.
 */
final class RawProtocol implements WireProtocol {
  private final String name;
  private final boolean lineBatches;

  private RawProtocol(String name, boolean lineBatches) {
    this.name = name;
    this.lineBatches = lineBatches;
  }

  /** {@link RawBroadcastServer}: one frame per publication, written with the public API. */
  static RawProtocol rawVertx() {
    return new RawProtocol("raw Vert.x", false);
  }

  /** {@link RawBroadcastServer} started with {@code --coalesce}: one frame per socket and turn. */
  static RawProtocol rawVertxCoalesced() {
    return new RawProtocol("raw Vert.x, coalesced", true);
  }

  /** The Node {@code ws} broadcast server of {@code src/test/bench-peers}. */
  static RawProtocol nodeWs() {
    return new RawProtocol("Node ws", false);
  }

  @Override
  public String name() {
    return name;
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
  public void deliver(String frame, int subscriber, PublicationListener listener) {
    if (!lineBatches) {
      listener.onPublication(subscriber, frame);
      return;
    }
    int from = 0;
    for (int end = frame.indexOf('\n'); end >= 0; end = frame.indexOf('\n', from)) {
      listener.onPublication(subscriber, frame.substring(from, end));
      from = end + 1;
    }
    listener.onPublication(subscriber, from == 0 ? frame : frame.substring(from));
  }

  @Override
  public void onControlFrame(LoadSocket socket, String frame) {
    socket.events().unexpectedFrames++;
  }
}
