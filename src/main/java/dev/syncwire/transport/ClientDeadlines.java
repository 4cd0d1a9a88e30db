package dev.syncwire.transport;

import dev.syncwire.config.HttpConfig;
import dev.syncwire.config.WebSocketConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The deadlines of one HTTP/1.1 connection on the client port. Unlike an idle timeout they do not move
 * while a slow client trickles bytes in, so a byte every few seconds buys nothing:
 * <ul>
 *   <li>a request's line and headers must be complete within {@code http.headerTimeoutMs} of its start
 *   (the accept for a connection's first request, so a connection that sends nothing is closed too; the
 *   first byte for a later one);</li>
 *   <li>a request for {@code /ws}, recognised from its request line, must be upgraded within
 *   {@code websocket.handshakeTimeoutMs} of its start instead;</li>
 *   <li>a body must be complete within {@code http.bodyTimeoutMs} of its headers;</li>
 *   <li>after a response, the next request must start within {@code http.idleTimeoutMs}.</li>
 * </ul>
 * A request that timed out after part of it arrived is answered {@code 408} (when no other response is
 * due first), then the connection is closed. Nothing limits a response in progress, so SSE streams and
 * waiting polls are never cut, and an upgrade removes both handlers: a WebSocket session has its own
 * heartbeat.
 *
 * <p>Two handlers share this state: one before Vert.x's request decoder sees raw bytes (a request has
 * started, and whether its line begins with {@code GET /ws}); one after the response encoder sees decoded
 * requests and the responses Vert.x writes. Pipeline names are those of Vert.x 5's
 * {@code HttpServerConnectionInitializer} ({@code httpDecoder}, {@code httpEncoder}); check them on
 * upgrade. Everything runs on the connection's event loop.
 */
final class ClientDeadlines {
  static final String BYTES_HANDLER = "syncwireRequestBytes";
  static final String MESSAGES_HANDLER = "syncwireDeadlines";
  private static final byte[] WEBSOCKET_REQUEST = "GET /ws".getBytes(StandardCharsets.US_ASCII);
  /** {@link #wsMatched} once the request line is known to ask for {@code /ws}. */
  private static final int WEBSOCKET = WEBSOCKET_REQUEST.length + 1;
  /** {@link #wsMatched} once the request line is known to ask for something else. */
  private static final int OTHER = -1;

  /** The limits, in milliseconds. */
  record Timeouts(long headerMs, long bodyMs, long idleMs, long handshakeMs) {
    static Timeouts from(HttpConfig http, WebSocketConfig webSocket) {
      return new Timeouts(http.headerTimeoutMs(), http.bodyTimeoutMs(), http.idleTimeoutMs(),
          webSocket.handshakeTimeoutMs());
    }
  }

  private final Timeouts timeouts;
  private final Channel channel;
  private final Bytes bytes = new Bytes();
  private final Messages messages = new Messages();
  /** Where the 408 is written from: the position of {@link Messages}, above the response encoder. */
  private ChannelHandlerContext messagesCtx;
  /** The head (or handshake) deadline of the request being received. */
  private ScheduledFuture<?> requestTimer;
  private boolean handshakeDeadline;
  private ScheduledFuture<?> bodyTimer;
  private ScheduledFuture<?> idleTimer;
  private long requestStartNanos;
  /** The awaited request has started: its first byte arrived, or, for the first one, the connection. */
  private boolean requestStarted;
  private boolean requestBytes;
  private int wsMatched;
  private boolean awaitingHead = true;
  /** Requests whose head arrived and whose response has not ended. */
  private int unanswered;
  private boolean responseStarted;
  private boolean finished;

  private ClientDeadlines(Channel channel, Timeouts timeouts) {
    this.channel = channel;
    this.timeouts = timeouts;
  }

  /** Adds the deadlines to a new HTTP/1.x connection's pipeline; call on its event loop. */
  static void install(ChannelPipeline pipeline, Timeouts timeouts) {
    ClientDeadlines deadlines = new ClientDeadlines(pipeline.channel(), timeouts);
    pipeline.addBefore("httpDecoder", BYTES_HANDLER, deadlines.bytes);
    pipeline.addAfter("httpEncoder", MESSAGES_HANDLER, deadlines.messages);
    deadlines.startRequest();
  }

  private void startRequest() {
    cancel(idleTimer);
    idleTimer = null;
    cancel(requestTimer);
    requestStarted = true;
    requestBytes = false;
    wsMatched = 0;
    requestStartNanos = System.nanoTime();
    handshakeDeadline = false;
    requestTimer = schedule(timeouts.headerMs(), this::requestExpired);
  }

  private void onBytes(ByteBuf buf) {
    if (!requestStarted) {
      startRequest();
    }
    requestBytes = true;
    for (int i = buf.readerIndex(); i < buf.writerIndex() && wsMatched != OTHER && wsMatched != WEBSOCKET; i++) {
      byte b = buf.getByte(i);
      if (wsMatched == 0 && (b == '\r' || b == '\n')) {
        continue; // the request decoder skips line breaks before a request line too
      }
      if (wsMatched < WEBSOCKET_REQUEST.length) {
        wsMatched = b == WEBSOCKET_REQUEST[wsMatched] ? wsMatched + 1 : OTHER;
      } else if (b == ' ' || b == '?') {
        wsMatched = WEBSOCKET;
        toHandshakeDeadline();
      } else {
        wsMatched = OTHER;
      }
    }
  }

  private void toHandshakeDeadline() {
    if (handshakeDeadline) {
      return;
    }
    cancel(requestTimer);
    handshakeDeadline = true;
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - requestStartNanos);
    requestTimer = schedule(Math.max(0, timeouts.handshakeMs() - elapsedMs), this::requestExpired);
  }

  private void onHead(HttpRequest request) {
    awaitingHead = false;
    unanswered++;
    if (request.method() == HttpMethod.GET && isWebSocketPath(request.uri())) {
      toHandshakeDeadline(); // kept until the upgrade or the refusal
    } else {
      cancel(requestTimer);
      requestTimer = null;
    }
    if (!(request instanceof LastHttpContent) && hasBody(request.headers())) {
      bodyTimer = schedule(timeouts.bodyMs(), this::bodyExpired);
    }
  }

  private void onBodyEnd() {
    cancel(bodyTimer);
    bodyTimer = null;
    awaitingHead = true;
    requestStarted = false;
    requestBytes = false;
  }

  private void onResponseEnd() {
    unanswered = Math.max(0, unanswered - 1);
    responseStarted = false;
    if (handshakeDeadline && !requestStarted) {
      cancel(requestTimer); // a refused handshake
      requestTimer = null;
      handshakeDeadline = false;
    }
  }

  private void armIdleIfIdle() {
    if (!finished && channel.isActive() && unanswered == 0 && awaitingHead && !requestStarted
        && idleTimer == null) {
      idleTimer = schedule(timeouts.idleMs(), () -> finish(false));
    }
  }

  private void requestExpired() {
    requestTimer = null;
    finish(requestBytes || !awaitingHead);
  }

  private void bodyExpired() {
    bodyTimer = null;
    finish(true);
  }

  /** Closes the connection, first answering 408 when part of the only request due an answer arrived. */
  private void finish(boolean partialRequest) {
    if (finished || !channel.isActive()) {
      return;
    }
    int due = unanswered + (awaitingHead && requestStarted ? 1 : 0);
    if (partialRequest && due == 1 && !responseStarted) {
      FullHttpResponse timeout = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT,
          Unpooled.EMPTY_BUFFER);
      timeout.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0).set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      messagesCtx.writeAndFlush(timeout);
    }
    stop();
    channel.close();
  }

  private void upgraded() {
    stop();
    ChannelPipeline pipeline = channel.pipeline();
    pipeline.remove(bytes);
    pipeline.remove(messages);
  }

  private void stop() {
    finished = true;
    cancel(requestTimer);
    cancel(bodyTimer);
    cancel(idleTimer);
    requestTimer = bodyTimer = idleTimer = null;
  }

  private ScheduledFuture<?> schedule(long delayMs, Runnable task) {
    return channel.eventLoop().schedule(task, delayMs, TimeUnit.MILLISECONDS);
  }

  private static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }

  private static boolean isWebSocketPath(String uri) {
    int query = uri.indexOf('?');
    return (query < 0 ? uri : uri.substring(0, query)).equals("/ws");
  }

  // A request without Content-Length or Transfer-Encoding has no body.
  private static boolean hasBody(HttpHeaders headers) {
    if (headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
      return true;
    }
    String length = headers.get(HttpHeaderNames.CONTENT_LENGTH);
    return length != null && !length.trim().equals("0");
  }

  /** Before the request decoder: raw bytes. */
  private final class Bytes extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!finished && awaitingHead && msg instanceof ByteBuf buf && buf.isReadable()) {
        onBytes(buf);
      }
      ctx.fireChannelRead(msg);
    }
  }

  /** After the response encoder: decoded requests in, Vert.x's responses out. */
  private final class Messages extends ChannelDuplexHandler {
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      messagesCtx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!finished) {
        if (msg instanceof HttpRequest request) {
          onHead(request);
        }
        if (msg instanceof LastHttpContent) {
          onBodyEnd();
        }
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (finished) {
        ctx.write(msg, promise);
        return;
      }
      if (msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        ctx.write(msg, promise);
        if (response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
          upgraded();
        }
        return; // 100 Continue, 103 Early Hints: the response is still to come
      }
      if (msg instanceof HttpResponse) {
        responseStarted = true;
      }
      if (msg instanceof LastHttpContent) {
        onResponseEnd();
        // The next request may keep the connection only from when the response has left.
        ChannelPromise sent = promise.unvoid();
        sent.addListener(f -> armIdleIfIdle());
        ctx.write(msg, sent);
        return;
      }
      ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      stop();
      ctx.fireChannelInactive();
    }
  }
}
