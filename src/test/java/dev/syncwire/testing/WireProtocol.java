package dev.syncwire.testing;

import io.vertx.core.Future;

/**
 * The thin adapter between {@link LoadSocket} and one server: how a new socket becomes a subscriber (or a
 * publisher) and how a publication is framed. Everything else the client does is shared, so that the
 * client's own cost is the same whatever server it drives.
 */
public interface WireProtocol {

  String name();

  /** The WebSocket path the server serves its clients on. */
  default String path() {
    return "/ws";
  }

  /** Gets a freshly opened socket ready: subscribed to {@code channel}, or able to publish when it is null. */
  Future<Void> join(LoadSocket socket, String channel);

  /** The frame that publishes {@code payload} to {@code channel}. */
  String publishFrame(long commandId, String channel, String payload);

  /** Whether the server answers each publish with an ack (then every publish must be acked). */
  boolean acksPublishes();

  /**
   * Whether publishes carry an idempotency key: then they are kept until acknowledged and a retryable
   * refusal sends them again with it.
   */
  default boolean keysPublishes() {
    return false;
  }

  /** Whether a received frame is a publication pushed to a subscriber. */
  boolean isPublication(String frame);

  /**
   * Hands the publications of a frame {@link #isPublication} accepted to {@code listener}: the frame itself,
   * unless the server packs several publications into one frame.
   */
  default void deliver(String frame, int subscriber, PublicationListener listener) {
    listener.onPublication(subscriber, frame);
  }

  /** Any other received frame: a reply, an ack, an error or a reset. */
  void onControlFrame(LoadSocket socket, String frame);
}
