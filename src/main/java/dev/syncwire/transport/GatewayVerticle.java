package dev.syncwire.transport;

import dev.syncwire.admin.HealthRoutes;
import dev.syncwire.admin.HttpRefusals;
import dev.syncwire.admin.NodeStatus;
import dev.syncwire.config.HttpConfig;
import dev.syncwire.config.WebSocketConfig;
import dev.syncwire.internals.VertxInternals;
import dev.syncwire.session.EventLoopHub;
import dev.syncwire.session.Hubs;
import dev.syncwire.session.SessionServices;
import dev.syncwire.transport.http.HttpGateway;
import dev.syncwire.transport.http.SessionDirectory;
import dev.syncwire.transport.websocket.WebSocketGateway;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

import java.util.concurrent.TimeUnit;

/**
 * The client port: {@code /ws} and the public info, health and readiness endpoints. One instance runs
 * per event loop; the instances share the port and each owns the {@link EventLoopHub} of its loop. Every
 * connection gets the {@link ClientDeadlines} of the configured timeouts.
 */
public final class GatewayVerticle extends VerticleBase {
  private static final String EXTENSION_HANDLER = "webSocketExtensionHandler";

  private final HttpConfig http;
  private final WebSocketConfig webSocket;
  private final SessionServices services;
  private final Hubs hubs;
  private final NodeStatus status;
  private EventLoopHub hub;
  private HttpServer server;

  private final SessionDirectory directory;
  private final ClientFiles clientFiles;

  public GatewayVerticle(HttpConfig http, WebSocketConfig webSocket, SessionServices services, Hubs hubs,
                         NodeStatus status, SessionDirectory directory, ClientFiles clientFiles) {
    this.http = http;
    this.webSocket = webSocket;
    this.services = services;
    this.hubs = hubs;
    this.status = status;
    this.directory = directory;
    this.clientFiles = clientFiles;
  }

  @Override
  public Future<?> start() {
    hub = new EventLoopHub(context, services.metrics());
    hubs.add(hub);
    ClientIp clientIp = new ClientIp(http.trustedProxies());
    WebSocketGateway webSockets = new WebSocketGateway(services, hub, clientIp, webSocket);
    Router router = Router.router(vertx);
    HttpRefusals.install(router);
    // Before /info: the HTTP gateway puts CORS on it too.
    new HttpGateway(vertx, directory, hub, http, clientIp, services.connections(), services.admission()).mount(router);
    HealthRoutes.mount(router, status);
    clientFiles.mount(router);

    HttpServerOptions options = new HttpServerOptions()
        .setHost(http.host())
        .setPort(http.port())
        .setTcpNoDelay(true)
        .setMaxWebSocketFrameSize(webSocket.maxFrameBytes())
        .setMaxWebSocketMessageSize(webSocket.maxFrameBytes())
        .setWebSocketSubProtocols(WebSocketGateway.SUBPROTOCOLS)
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(webSocket.compression())
        // HTTP/1.1 only: with cleartext HTTP/2 allowed, Vert.x builds a connection's pipeline only once
        // its first bytes arrive, so a connection that sends nothing would escape the header deadline.
        .setHttp2ClearTextEnabled(false);
    if (http.tls().enabled()) {
      // The connection, and with it the header deadline, starts after the handshake: bound that as tightly.
      http.tls().applyTo(options).setSslHandshakeTimeout(http.headerTimeoutMs())
          .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
    }
    // /ws bypasses the router: the upgrade needs the server's own request, not vertx-web's wrapper.
    server = vertx.createHttpServer(options).requestHandler(request -> {
      if (HttpRefusals.refusedWithoutHost(request)) {
        return;
      }
      if ("/ws".equals(request.path()) && request.method() == HttpMethod.GET) {
        webSockets.handle(request);
      } else {
        router.handle(request);
      }
    });
    ClientDeadlines.Timeouts timeouts = ClientDeadlines.Timeouts.from(http, webSocket);
    server.connectionHandler(conn -> {
      VertxInternals.ensureConnectionMetric(conn);
      ChannelPipeline pipeline = VertxInternals.pipeline(conn);
      if (pipeline == null) {
        return;
      }
      ClientDeadlines.install(pipeline, timeouts);
      if (webSocket.compression()) {
        capInflatedSize(pipeline, webSocket.maxFrameBytes());
      }
    });
    return server.listen();
  }

  // Vert.x installs permessage-deflate without an inflation cap; replace it with one that refuses to
  // inflate a message past the frame limit, so a small compressed frame cannot expand without bound.
  private static void capInflatedSize(ChannelPipeline pipeline, int maxBytes) {
    if (pipeline.get(EXTENSION_HANDLER) != null) {
      pipeline.replace(EXTENSION_HANDLER, EXTENSION_HANDLER, new WebSocketServerExtensionHandler(
          new PerMessageDeflateServerExtensionHandshaker(6, ZlibCodecFactory.isSupportingWindowSizeAndMemLevel(),
              PerMessageDeflateServerExtensionHandshaker.MAX_WINDOW_SIZE, false, false, maxBytes)));
    }
  }

  @Override
  public Future<?> stop() {
    hubs.remove(hub);
    return Future.succeededFuture();
  }
}
