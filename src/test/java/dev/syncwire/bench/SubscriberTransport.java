package dev.syncwire.bench;

import dev.syncwire.testing.PublicationListener;
import dev.syncwire.testing.SocketEvents;
import io.vertx.core.Future;

/**
 * How a fan-out's subscribers reach the target: over WebSocket ({@link WebSocketSubscribers}) or over one
 * of the HTTP transports ({@link HttpSubscribers}). The publisher always uses WebSocket, so that only the
 * subscribers' transport differs between runs.
 */
interface SubscriberTransport {

  String name();

  /**
   * Opens {@code count} subscribers of {@code channel}, at most {@code window} joining at once. Each hands
   * every publication it receives to {@code listener}, with its index; anything else goes to
   * {@code events}. Completes once every subscriber has joined or failed. Runs on the load generator's loop.
   */
  Future<Subscribers> open(Target target, int count, int window, String channel, SocketEvents events,
                           PublicationListener listener);

  /** The subscribers of one run. */
  interface Subscribers {
    int failures();

    String firstFailure();

    /** HTTP requests the subscribers made so far for their downstream (polls, streams); 0 over WebSocket. */
    long requests();

    /** Closes every subscriber. */
    Future<Void> close();
  }
}
