package dev.syncwire.transport.websocket;

import dev.syncwire.admin.HttpRefusals;
import dev.syncwire.config.SyncwireConfig;
import dev.syncwire.config.WebSocketConfig;
import dev.syncwire.protocol.CloseCode;
import dev.syncwire.protocol.ErrorCode;
import dev.syncwire.protocol.FrameCodec;
import dev.syncwire.protocol.JsonCodec;
import dev.syncwire.protocol.ProtoCodec;
import dev.syncwire.session.ConnectionLimits;
import dev.syncwire.session.EventLoopHub;
import dev.syncwire.session.Session;
import dev.syncwire.session.SessionServices;
import dev.syncwire.telemetry.LogContext;
import dev.syncwire.transport.Shedding;
import dev.syncwire.transport.ClientIp;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;

import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code GET /ws}: checks the handshake (Origin, subprotocol, room under {@code limits.connectionsPerIp}),
 * upgrades, and binds the socket to a new {@link Session} on this event loop.
 */
public final class WebSocketGateway {
  private static final Logger LOG = Logger.getLogger(WebSocketGateway.class.getName());
  /** Subprotocols this server speaks, in order of preference. */
  public static final List<String> SUBPROTOCOLS = List.of(JsonCodec.SUBPROTOCOL, ProtoCodec.SUBPROTOCOL);
  /** How long a closing peer has to answer the close frame before the connection is dropped. */
  static final long CLOSE_TIMEOUT_MS = 5000;
  private static final String TOO_BIG = "message larger than " + SyncwireConfig.LIMITS_MAX_FRAME_BYTES.path();

  private final SessionServices services;
  private final EventLoopHub hub;
  private final ClientIp clientIp;
  private final ConnectionLimits limits;
  private final Set<String> allowedOrigins;
  private final ProtoCodec protoCodec;

  public WebSocketGateway(SessionServices services, EventLoopHub hub, ClientIp clientIp, WebSocketConfig config) {
    this.services = services;
    this.hub = hub;
    this.clientIp = clientIp;
    this.limits = services.connections();
    this.allowedOrigins = Set.copyOf(config.allowedOrigins());
    this.protoCodec = new ProtoCodec(config.protoCompressAboveBytes());
  }

  public void handle(HttpServerRequest request) {
    if (services.admission().refusesNewSessions()) {
      Shedding.refuse(request.response(), services.admission());
      return;
    }
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    // Browsers always send Origin; clients without one (services, CLIs) still need a valid connect.
    if (!allowedOrigins.isEmpty()) {
      request.response().putHeader(HttpHeaders.VARY, "Origin");
      if (origin != null && !allowedOrigins.contains(origin)) {
        HttpRefusals.refuse(request, 403, ErrorCode.FORBIDDEN, "origin not allowed");
        return;
      }
    }
    String offered = request.getHeader("Sec-WebSocket-Protocol");
    if (offered != null && !offersKnownSubprotocol(offered)) {
      HttpRefusals.refuse(request, 400, ErrorCode.BAD_REQUEST, "unsupported subprotocol; use "
          + String.join(" or ", SUBPROTOCOLS));
      return;
    }
    String ip = clientIp.of(request);
    if (!limits.tryAcquireIp(ip)) {
      request.response().setStatusCode(503)
          .putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(ConnectionLimits.RETRY_AFTER_SECONDS))
          .end("too many connections from this address");
      return;
    }
    request.toWebSocket().onComplete(ar -> {
      if (ar.succeeded()) {
        bind(ar.result(), ip);
      } else {
        limits.releaseIp(ip);
        LOG.log(Level.FINE, "WebSocket upgrade failed", ar.cause());
      }
    });
  }

  private static boolean offersKnownSubprotocol(String header) {
    for (String part : header.split(",")) {
      if (SUBPROTOCOLS.contains(part.trim())) {
        return true;
      }
    }
    return false;
  }

  private void bind(ServerWebSocket socket, String ip) {
    FrameCodec codec = ProtoCodec.SUBPROTOCOL.equals(socket.subProtocol()) ? protoCodec : JsonCodec.INSTANCE;
    WebSocketTransport transport = new WebSocketTransport(services.vertx(), socket, codec.binary(), CLOSE_TIMEOUT_MS);
    Session session = new Session(services, hub, transport, codec);
    ChannelHandlerContext chctx = transport.channelHandlerContext();
    chctx.pipeline().addBefore(chctx.name(), "syncwire", new SocketEvents(session, transport, e -> onException(session, e)));
    socket.textMessageHandler(session::onText);
    socket.binaryMessageHandler(b -> session.onBinary(b.getBytes()));
    socket.pongHandler(b -> session.onPong());
    socket.exceptionHandler(e -> onException(session, e));
    socket.closeHandler(v -> session.onTransportClosed(socket.closeStatusCode(), socket.closeReason()));
    // The connection, however it ends, frees its place among its address's connections.
    chctx.channel().closeFuture().addListener(f -> limits.releaseIp(ip));
    session.open();
  }

  private static void onException(Session session, Throwable e) {
    if (session.isClosed()) {
      return;
    }
    if (e instanceof CorruptedWebSocketFrameException) {
      CloseCode code = CloseCode.of(((CorruptedWebSocketFrameException) e).closeStatus().code());
      session.close(code != null ? code : CloseCode.PROTOCOL_ERROR, e.getMessage());
    } else if (e instanceof DecompressionException
        || (e instanceof IllegalStateException && String.valueOf(e.getMessage()).contains("max message size"))) {
      session.close(CloseCode.MESSAGE_TOO_BIG, TOO_BIG);
    } else if (e instanceof java.io.IOException) {
      session.close(CloseCode.GOING_AWAY, "connection error");
    } else {
      LogContext.log(LOG, Level.FINE, session.id(), session.tenant(),
          () -> "WebSocket error in session " + session.id(), e);
      session.close(CloseCode.INTERNAL_ERROR, "internal error");
    }
  }
}
