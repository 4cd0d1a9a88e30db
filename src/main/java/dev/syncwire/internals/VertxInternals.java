package dev.syncwire.internals;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.util.internal.PlatformDependent;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.metrics.TCPMetrics;

import java.util.Queue;

/**
 * Every use of Vert.x and Netty internals (APIs outside their public contract, which change without
 * notice), each for a speed or a hook the public API lacks. Each method says why it is needed and what
 * breaks when the internal changes: on an upgrade of Vert.x or Netty, read this class first. The methods
 * are static and add no allocation, so that the hot paths calling them cost what the internal costs.
 */
public final class VertxInternals {
  private VertxInternals() {
  }

  /**
   * A promise whose listeners run on {@code context}, whichever thread completes it.
   *
   * <p>Why: a publish or subscribe completes on a channel shard's event loop, or on a Hazelcast response
   * thread, and its callbacks touch the session, which only its own event loop may touch. The public
   * {@code Promise.promise()} runs listeners on the completing thread; hopping back with
   * {@code runOnContext} would cost a task and a lambda per call.
   *
   * <p>On upgrade: {@code ContextInternal.promise()}. If it stops dispatching to its context, callbacks run
   * on foreign threads and race with the session (no test fails reliably: look for it in the release notes).
   */
  public static <T> Promise<T> promise(Context context) {
    return ((ContextInternal) context).promise();
  }

  /**
   * The cluster manager of a clustered Vert.x.
   *
   * <p>Why: the node needs the Hazelcast instance the cluster manager runs (the channel map, the members)
   * and the manager's node id (the address of a node's status); Vert.x has no public accessor.
   *
   * <p>On upgrade: {@code VertxInternal.clusterManager()}. If it moves, this stops compiling.
   */
  public static ClusterManager clusterManager(Vertx vertx) {
    return ((VertxInternal) vertx).clusterManager();
  }

  /**
   * The Netty pipeline of a connection to the client port; null when the connection is not Vert.x's own.
   *
   * <p>Why: the client port's deadlines ({@code ClientDeadlines}) and the capped permessage-deflate handler
   * are Netty handlers put into each connection's pipeline; Vert.x exposes no pipeline for a server
   * connection.
   *
   * <p>On upgrade: {@code io.vertx.core.net.impl.ConnectionBase} and its {@code channelHandlerContext()}.
   * If the class moves, this stops compiling; if the connection stops being one, connections silently get
   * no deadlines and no inflation cap: {@code ClientTimeoutsTest} and {@code WebSocketLimitsTest} fail.
   */
  public static ChannelPipeline pipeline(HttpConnection connection) {
    if (!(connection instanceof ConnectionBase)) {
      return null;
    }
    return ((ConnectionBase) connection).channelHandlerContext().pipeline();
  }

  /**
   * Gives a server connection the metric Vert.x failed to give it, if it lacks one; call from the
   * server's connection handler, before the connection's first request is read.
   *
   * <p>Why: Vert.x creates a server's metrics only when its socket is bound, on another thread, while the
   * socket already accepts. A connection accepted in that window gets no connection metric, yet its
   * requests are measured with the metrics that exist by then: the request's start fails on the missing
   * metric, and the request is never answered. At a node's start, the first health checks and clients hung
   * that way until their own timeouts.
   *
   * <p>On upgrade: {@code ConnectionBase.metric()} and {@code metrics()}, and where
   * {@code NetServerImpl} creates its metrics. If they move, this stops compiling; if the window closes,
   * this does nothing. {@code VertxInternalsTest} fails when a connection without a metric hangs.
   */
  @SuppressWarnings({"rawtypes", "unchecked"})
  public static void ensureConnectionMetric(HttpConnection connection) {
    if (connection instanceof ConnectionBase base && base.metric() == null
        && base.metrics() instanceof TCPMetrics metrics) {
      base.metric(metrics.connected(base.remoteAddress(), null));
    }
  }

  /**
   * The Netty context of a server WebSocket, where its frames are written.
   *
   * <p>Why: frames go straight into the pipeline, below Vert.x's write queue and without a flush each, and
   * the event loop flushes each socket once per batch of frames: one system call for a burst instead of
   * one per frame.
   *
   * <p>On upgrade: {@code WebSocketInternal.channelHandlerContext()}. If it moves, this stops compiling;
   * the pipeline names Vert.x gives its handlers matter too (see {@code ClientDeadlines}).
   */
  public static ChannelHandlerContext channelHandlerContext(ServerWebSocket socket) {
    return ((WebSocketInternal) socket).channelHandlerContext();
  }

  /**
   * Bytes written to {@code channel} that are not yet on the socket; 0 once it is closed.
   *
   * <p>Why: a session's queued bytes, which its outbound limit and the node's bound count, include what
   * waits in Netty below the high-water mark; {@code Channel} itself tells only whether it is writable.
   *
   * <p>On upgrade: {@code Channel.unsafe()} is meant for Netty's transports, not for users. If its outbound
   * buffer stops counting, slow subscribers are cut off later than their limit says.
   */
  public static long pendingWriteBytes(Channel channel) {
    ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
    return buffer == null ? 0 : buffer.totalPendingWriteBytes();
  }

  /**
   * A queue for many producer threads and one consumer.
   *
   * <p>Why: each event loop's hub takes publications from every channel shard's thread. The queue Netty
   * ships (JCTools, array-chunked) is lock-free and, unlike {@code ConcurrentLinkedQueue}, allocates no
   * node per element.
   *
   * <p>On upgrade: {@code io.netty.util.internal.PlatformDependent}. If it goes, use
   * {@code ConcurrentLinkedQueue} (more garbage per publication) or depend on JCTools directly.
   */
  public static <T> Queue<T> newMpscQueue() {
    return PlatformDependent.newMpscQueue();
  }
}
