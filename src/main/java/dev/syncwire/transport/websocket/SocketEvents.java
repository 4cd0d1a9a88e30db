package dev.syncwire.transport.websocket;

import dev.syncwire.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;

import java.util.function.Consumer;

/**
 * The one handler Syncwire adds to a WebSocket's pipeline (one per connection, so it is kept small). It
 * checks that text messages are well-formed UTF-8 (RFC 3629), across fragments, before Vert.x decodes
 * them leniently (an invalid message is status 1007), and that no frame has reserved bits set, which only
 * a negotiated extension may use (status 1002; permessage-deflate clears its bit before this handler).
 *
 * <p>Input that cannot be read as frames (those two cases, and everything Netty's decoder and inflater
 * refuse: a frame over the limit, a bad opcode, an inflation past the limit) is handed to
 * {@code badInput} here and goes no further: Vert.x would close the connection at once, before the close
 * frame is out and with the peer's bytes unread (which makes the kernel reset the connection). The
 * transport closes it instead ({@link WebSocketTransport#inputFailed()}), and everything after the bad
 * input is dropped.
 *
 * <p>It tells the session when the socket has room again, since frames are written below Vert.x's
 * own write queue. And it answers pings itself, instead of Vert.x, which queues one pong per ping
 * without bound: each ping costs the session a command of its rate, and at most one pong waits for a
 * peer that does not read (a newer ping replaces the unanswered one, as RFC 6455 section 5.5.3 allows).
 */
final class SocketEvents extends ChannelInboundHandlerAdapter {
  private final Session session;
  private final WebSocketTransport transport;
  private final Consumer<Throwable> badInput;
  private boolean inText;
  private boolean failed;
  private int need;
  private int lo = 0x80;
  private int hi = 0xBF;
  /** A pong is written but not yet on the wire. */
  private boolean pongInFlight;
  /** The payload of the latest ping received while a pong was in flight; answered when that one is out. */
  private ByteBuf latestPing;

  SocketEvents(Session session, WebSocketTransport transport, Consumer<Throwable> badInput) {
    this.session = session;
    this.transport = transport;
    this.badInput = badInput;
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (ctx.channel().isWritable()) {
      session.onWritable();
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (failed) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof WebSocketFrame && ((WebSocketFrame) msg).rsv() != 0) {
      ReferenceCountUtil.release(msg);
      fail(new CorruptedWebSocketFrameException(WebSocketCloseStatus.PROTOCOL_ERROR,
          "reserved bits set without a negotiated extension"));
      return;
    }
    if (msg instanceof PingWebSocketFrame) {
      onPing(ctx, (PingWebSocketFrame) msg);
      return;
    }
    if (msg instanceof TextWebSocketFrame || (msg instanceof ContinuationWebSocketFrame && inText)) {
      WebSocketFrame frame = (WebSocketFrame) msg;
      inText = !frame.isFinalFragment();
      if (!valid(frame) || (frame.isFinalFragment() && need != 0)) {
        ReferenceCountUtil.release(msg);
        fail(new CorruptedWebSocketFrameException(WebSocketCloseStatus.INVALID_PAYLOAD_DATA,
            "text message is not valid UTF-8"));
        return;
      }
    } else if (msg instanceof BinaryWebSocketFrame) {
      inText = false;
    }
    super.channelRead(ctx, msg);
  }

  private void onPing(ChannelHandlerContext ctx, PingWebSocketFrame ping) {
    try {
      if (!session.onPing()) {
        // Closed for flooding: stop reading what it keeps sending, so that it costs nothing until the
        // close completes or times out.
        failed = true;
        ctx.channel().config().setAutoRead(false);
        return;
      }
      if (pongInFlight) {
        if (latestPing != null) {
          latestPing.release();
        }
        latestPing = ping.content().copy();
      } else {
        pong(ctx, ping.content().copy());
      }
    } finally {
      ping.release();
    }
  }

  private void pong(ChannelHandlerContext ctx, ByteBuf payload) {
    pongInFlight = true;
    ctx.writeAndFlush(new PongWebSocketFrame(payload)).addListener(f -> {
      pongInFlight = false;
      ByteBuf next = latestPing;
      latestPing = null;
      if (next != null) {
        if (f.isSuccess() && ctx.channel().isActive()) {
          pong(ctx, next);
        } else {
          next.release();
        }
      }
    });
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (latestPing != null) {
      latestPing.release();
      latestPing = null;
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
    if (cause instanceof CorruptedWebSocketFrameException || cause instanceof DecompressionException) {
      fail(cause);
    } else {
      super.exceptionCaught(ctx, cause);
    }
  }

  private void fail(Throwable cause) {
    if (!failed) {
      failed = true;
      transport.inputFailed();
      badInput.accept(cause);
    }
  }

  private boolean valid(WebSocketFrame frame) {
    var content = frame.content();
    for (int i = content.readerIndex(), end = content.writerIndex(); i < end; i++) {
      int b = content.getByte(i) & 0xff;
      if (need == 0) {
        if (b <= 0x7F) {
          continue;
        }
        if (b >= 0xC2 && b <= 0xDF) {
          need = 1;
        } else if (b == 0xE0) {
          need = 2;
          lo = 0xA0;
        } else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) {
          need = 2;
        } else if (b == 0xED) {
          need = 2;
          hi = 0x9F;
        } else if (b == 0xF0) {
          need = 3;
          lo = 0x90;
        } else if (b >= 0xF1 && b <= 0xF3) {
          need = 3;
        } else if (b == 0xF4) {
          need = 3;
          hi = 0x8F;
        } else {
          return false;
        }
      } else {
        if (b < lo || b > hi) {
          return false;
        }
        need--;
        lo = 0x80;
        hi = 0xBF;
      }
    }
    return true;
  }
}
