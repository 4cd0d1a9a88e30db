package dev.syncwire.transport.websocket;

import dev.syncwire.internals.VertxInternals;
import dev.syncwire.protocol.CloseCode;
import dev.syncwire.session.Transport;
import dev.syncwire.protocol.TransportKind;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;

/**
 * A session's WebSocket. Frames are written straight into the Netty pipeline (below Vert.x's own write
 * queue, which is never used for data) without a flush; the session's event loop flushes once per turn.
 * Close frames go through Vert.x so that its close handshake stays consistent.
 */
final class WebSocketTransport implements Transport {

  @Override
  public TransportKind kind() {
    return TransportKind.WEBSOCKET;
  }
  /** Socket send buffer kept in Netty before frames wait in the session's own outbound buffer. */
  static final int HIGH_WATER_MARK = 64 * 1024;
  /** How long a connection closed for bad input keeps reading what its peer still sends (see {@code close}). */
  static final long LINGER_MS = 2000;
  private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(HIGH_WATER_MARK / 2, HIGH_WATER_MARK);

  private final Vertx vertx;
  private final ServerWebSocket socket;
  private final ChannelHandlerContext chctx;
  private final Channel channel;
  private final boolean binary;
  private final long closeTimeoutMs;
  private boolean closing;
  private boolean inputFailed;

  WebSocketTransport(Vertx vertx, ServerWebSocket socket, boolean binary, long closeTimeoutMs) {
    this.vertx = vertx;
    this.socket = socket;
    this.chctx = VertxInternals.channelHandlerContext(socket);
    this.channel = chctx.channel();
    this.binary = binary;
    this.closeTimeoutMs = closeTimeoutMs;
    channel.config().setWriteBufferWaterMark(WATER_MARK);
  }

  ChannelHandlerContext channelHandlerContext() {
    return chctx;
  }

  @Override
  public void write(byte[] frame) {
    if (closing) {
      return;
    }
    chctx.write(binary ? new BinaryWebSocketFrame(Unpooled.wrappedBuffer(frame))
        : new TextWebSocketFrame(Unpooled.wrappedBuffer(frame)), chctx.voidPromise());
  }

  @Override
  public void flush() {
    chctx.flush();
  }

  @Override
  public boolean writable() {
    return channel.isWritable();
  }

  @Override
  public long pendingBytes() {
    return VertxInternals.pendingWriteBytes(channel);
  }

  @Override
  public void ping() {
    if (!closing) {
      chctx.writeAndFlush(new PingWebSocketFrame(), chctx.voidPromise());
    }
  }

  /** The input can no longer be read as frames (see {@link SocketEvents}): the next close lingers. */
  void inputFailed() {
    inputFailed = true;
  }

  @Override
  public void close(CloseCode code, String reason) {
    if (closing) {
      return;
    }
    closing = true;
    chctx.flush();
    if (inputFailed) {
      closeAfterBadInput(code, reason);
      return;
    }
    socket.close(code.code(), truncate(reason));
    // A peer that stopped reading never completes the close handshake; do not wait for it forever.
    vertx.setTimer(closeTimeoutMs, t -> dropConnection());
  }

  /**
   * Closes after input that could not be read as frames, so the peer's close frame would not be read
   * either: there is no handshake to wait for. The close frame goes out, then the sending side is shut
   * down, so that the peer sees the end of the stream right after it. What the peer still sends is read
   * and dropped until it closes its side, for at most {@link #LINGER_MS}: closing a socket with unread
   * input makes the kernel reset the connection, and a reset can destroy the close frame before the peer
   * has read it.
   */
  private void closeAfterBadInput(CloseCode code, String reason) {
    channel.config().setAutoRead(true);
    chctx.writeAndFlush(new CloseWebSocketFrame(code.code(), truncate(reason))).addListener(written -> {
      if (written.isSuccess() && channel instanceof DuplexChannel) {
        ((DuplexChannel) channel).shutdownOutput();
      }
    });
    vertx.setTimer(LINGER_MS, t -> dropConnection());
  }

  @Override
  public void terminate() {
    closing = true;
    dropConnection();
  }

  // Closing from the head of the pipeline skips Vert.x's handler, which would send a close frame first.
  private void dropConnection() {
    if (channel.isOpen()) {
      channel.pipeline().firstContext().close();
    }
  }

  // A close frame's reason must fit in 123 bytes of UTF-8.
  private static String truncate(String reason) {
    if (reason == null) {
      return null;
    }
    String r = reason;
    while (r.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 123) {
      r = r.substring(0, r.length() - 1);
    }
    return r;
  }
}
