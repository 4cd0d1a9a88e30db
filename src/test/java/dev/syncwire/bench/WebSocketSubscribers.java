package dev.syncwire.bench;

import dev.syncwire.testing.PublicationListener;
import dev.syncwire.testing.SocketEvents;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.List;

/** Subscribers over WebSocket: the {@link Connector}'s sockets, each joined to the channel. */
final class WebSocketSubscribers implements SubscriberTransport {
  private final Vertx vertx;
  private final List<String> sources;

  WebSocketSubscribers(Vertx vertx, List<String> sources) {
    this.vertx = vertx;
    this.sources = sources;
  }

  @Override
  public String name() {
    return "WebSocket";
  }

  @Override
  public Future<Subscribers> open(Target target, int count, int window, String channel, SocketEvents events,
                                  PublicationListener listener) {
    Connector connector = new Connector(vertx, sources);
    return connector.open(target, 0, count, window, i -> channel, events, null).map(opened -> {
      opened.sockets().forEach(s -> s.listener(listener));
      return new Subscribers() {
        @Override
        public int failures() {
          return opened.failures();
        }

        @Override
        public String firstFailure() {
          return opened.firstFailure();
        }

        @Override
        public long requests() {
          return 0;
        }

        @Override
        public Future<Void> close() {
          return connector.closeAll();
        }
      };
    });
  }
}
