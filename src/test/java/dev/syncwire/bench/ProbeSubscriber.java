package dev.syncwire.bench;

import dev.syncwire.client.Publication;
import dev.syncwire.client.Subscription;
import dev.syncwire.client.SyncwireClient;
import dev.syncwire.testing.LoadSocket;
import dev.syncwire.testing.SocketEvents;
import dev.syncwire.testing.SyncwireProtocol;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.List;

/**
 * One subscriber of a channel that checks what it applies ({@link AppliedCheck}): a {@link SyncwireClient}
 * on the given transport and encoding, or the benchmark's raw subscriber, a {@link LoadSocket} that scans
 * each {@code pub} frame for its seq and payload without parsing it, as the fan-out's subscribers do. The
 * application's work is the same small read in both: the seq and the payload's due time.
 */
final class ProbeSubscriber implements ProbeRole {
  private final Context context;
  private final URI url;
  private final String tenant;
  private final String channel;
  private final String kind;
  private final String transport;
  private final String encoding;
  private final AppliedCheck check = new AppliedCheck();
  /** What the raw subscriber's socket met besides publications (errors, resets, a close). */
  private final SocketEvents events = new SocketEvents();
  private SyncwireClient client;
  private WebSocketClient webSockets;
  private LoadSocket socket;

  ProbeSubscriber(Context context, URI url, String tenant, String channel, String kind, String transport,
                  String encoding) {
    this.context = context;
    this.url = url;
    this.tenant = tenant;
    this.channel = channel;
    this.kind = kind;
    this.transport = transport;
    this.encoding = encoding;
  }

  @Override
  public Future<Void> start() {
    return "raw".equals(kind) ? startRaw() : startClient();
  }

  private Future<Void> startClient() {
    client = SyncwireClient.builder(url.toString()).tenant(tenant).transports(List.of(transport)).encoding(encoding)
        .context(context).build();
    boolean[] connectedOnce = new boolean[1];
    client.onState(e -> {
      if ("connected".equals(e.state())) {
        if (connectedOnce[0]) {
          check.interrupted("reconnected over " + e.transport());
        }
        connectedOnce[0] = true;
      } else if (connectedOnce[0] && !"closed".equals(e.state())) {
        check.interrupted(e.state() + (e.reason() == null ? "" : " (" + e.reason() + ")"));
      }
    });
    return client.connect().compose(v -> {
      Subscription s = client.subscribe(channel, this::applied);
      s.onReset(r -> check.interrupted("reset " + r.reason()));
      s.onError(e -> check.interrupted("refused " + e.code()));
      return s.ready();
    });
  }

  private void applied(Publication p) {
    check.applied(p.seq(), ((JsonObject) p.data()).getLong("t"));
  }

  private Future<Void> startRaw() {
    webSockets = context.owner().createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(1 << 20));
    SyncwireProtocol protocol = new SyncwireProtocol(tenant);
    Payload payload = new Payload();
    return webSockets.connect(new WebSocketConnectOptions().setHost(url.getHost()).setPort(url.getPort())
        .setURI("/ws")).compose(ws -> {
          socket = new LoadSocket(context.owner(), 0, ws, protocol, events);
          socket.listener((i, frame) -> {
            int at = frame.indexOf("\"seq\":");
            if (at < 0 || !payload.read(frame)) {
              check.interrupted("unreadable: " + frame);
              return;
            }
            check.applied(Payload.parseLong(frame, at + 6), payload.intendedNanos);
          });
          return protocol.join(socket, channel);
        });
  }

  @Override
  public Future<JsonObject> command(String name, String argument) {
    return switch (name) {
      case "count" -> Future.succeededFuture(new JsonObject().put("applied", check.applied()));
      case "mark" -> {
        // The counts as the window starts, then a fresh window of latencies.
        JsonObject before = stats();
        check.mark();
        yield Future.succeededFuture(before);
      }
      case "stats" -> Future.succeededFuture(stats());
      default -> Future.failedFuture("unknown command " + name);
    };
  }

  private JsonObject stats() {
    JsonObject stats = check.stats();
    if (events.problems() > 0) {
      stats.put("interruptions", stats.getLong("interruptions") + events.problems());
      if (stats.getString("firstInterruption") == null) {
        stats.put("firstInterruption", events.toString());
      }
    }
    return stats;
  }

  @Override
  public Future<Void> close() {
    if (client != null) {
      return client.close();
    }
    return socket == null ? Future.succeededFuture() : socket.close().eventually(() -> webSockets.close());
  }
}
