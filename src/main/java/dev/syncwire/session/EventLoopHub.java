package dev.syncwire.session;

import dev.syncwire.broker.OutboundPublication;
import dev.syncwire.broker.PublicationSink;
import dev.syncwire.channel.ChannelId;
import dev.syncwire.internals.VertxInternals;
import dev.syncwire.protocol.CloseCode;
import dev.syncwire.telemetry.NodeMetrics;
import io.vertx.core.Context;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * The sessions of one event loop. It is the broker's {@link PublicationSink} for all of them: each
 * publication crosses threads once per event loop, is encoded once, and reaches every local
 * subscriber in a batch; each socket is flushed once per batch, or, for replies, once at the end of the turn.
 */
public final class EventLoopHub implements PublicationSink {
  /**
   * A run is flushed once it holds about this much: well under a socket's high-water mark (64 KiB), so
   * that a backlog of publications leaves in bounded writes and never makes its own socket look full.
   * Only what the client really does not read then counts against its outbound buffer.
   */
  private static final int MAX_RUN_BYTES = 16 * 1024;

  private final Context context;
  private final Map<ChannelId, SwapList<Subscription>> subscribers = new HashMap<>();
  private final SwapList<Session> sessions = new SwapList<>();
  private final Queue<Object> inbox = VertxInternals.newMpscQueue();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final List<Session> dirty = new ArrayList<>();
  private final List<OutboundPublication> run = new ArrayList<>();
  private int runBytes;
  /** The session {@link #deliverRun} is writing to; it flushes that one itself. */
  private Session deliveringTo;
  private boolean flushScheduled;
  private volatile int sessionCount;
  private volatile long queuedBytes;
  private final NodeMetrics metrics;
  /** Publications handed to subscriptions; written by this loop only, read by metric scrapes. */
  private volatile long deliveries;

  public EventLoopHub(Context context) {
    this(context, NodeMetrics.discarding());
  }

  public EventLoopHub(Context context, NodeMetrics metrics) {
    this.context = context;
    this.metrics = metrics;
  }

  /** Publications handed to this loop's subscriptions since start. */
  public long deliveries() {
    return deliveries;
  }

  public Context context() {
    return context;
  }

  public int sessionCount() {
    return sessionCount;
  }

  void addSession(Session session) {
    sessions.add(session);
    sessionCount = sessions.size();
  }

  void removeSession(Session session) {
    sessions.remove(session);
    sessionCount = sessions.size();
  }

  void addSubscription(Subscription subscription) {
    subscribers.computeIfAbsent(subscription.channel, k -> new SwapList<>()).add(subscription);
  }

  void removeSubscription(Subscription subscription) {
    SwapList<Subscription> list = subscribers.get(subscription.channel);
    if (list != null) {
      list.remove(subscription);
      if (list.isEmpty()) {
        subscribers.remove(subscription.channel);
      }
    }
  }

  @Override
  public void deliver(ChannelId channel, OutboundPublication publication) {
    enqueue(publication);
  }

  @Override
  public void reset(ChannelId channel, String reason) {
    enqueue(new ResetEvent(channel, reason));
  }

  private void enqueue(Object event) {
    inbox.add(event);
    if (drainScheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> drain());
    }
  }

  private void drain() {
    drainScheduled.set(false);
    Object event;
    while ((event = inbox.poll()) != null) {
      if (event instanceof OutboundPublication p) {
        if (!run.isEmpty() && !run.get(0).channel().equals(p.channel())) {
          deliverRun();
        }
        run.add(p);
        runBytes += payloadBytes(p);
        if (runBytes >= MAX_RUN_BYTES) {
          deliverRun();
        }
      } else {
        deliverRun();
        ResetEvent reset = (ResetEvent) event;
        SwapList<Subscription> list = subscribers.get(reset.channel);
        if (list != null) {
          for (int i = list.size() - 1; i >= 0; i--) {
            if (i < list.size()) {
              list.get(i).onReset(reset.reason);
            }
          }
        }
      }
    }
    deliverRun();
  }

  /**
   * Delivers a run of publications of one channel subscriber by subscriber, flushing each socket right
   * after its frames: its buffers are still in the CPU cache then, whereas a second pass over a thousand
   * sockets at the end of the turn would fetch each one again. Several publications in the run still
   * share one flush.
   */
  private void deliverRun() {
    if (run.isEmpty()) {
      return;
    }
    SwapList<Subscription> list = subscribers.get(run.get(0).channel());
    if (list != null) {
      long now = System.nanoTime();
      for (int j = 0; j < run.size(); j++) {
        metrics.delivered(now - run.get(j).enteredNanos());
      }
      deliveries += (long) list.size() * run.size();
      for (int i = list.size() - 1; i >= 0; i--) {
        if (i < list.size()) {
          Subscription subscription = list.get(i);
          deliveringTo = subscription.session;
          try {
            for (int j = 0; j < run.size(); j++) {
              subscription.onPublication(run.get(j));
            }
          } finally {
            deliveringTo = null;
          }
          subscription.session.flushIfPending();
        }
      }
    }
    run.clear();
    runBytes = 0;
  }

  private static int payloadBytes(OutboundPublication p) {
    String json = p.publication().dataJson() != null ? p.publication().dataJson() : p.publication().patchJson();
    return json == null ? 0 : json.length();
  }

  /** Arranges one flush of {@code session} at the end of this event-loop turn. */
  void flushLater(Session session) {
    if (session == deliveringTo) {
      return;
    }
    dirty.add(session);
    if (!flushScheduled) {
      flushScheduled = true;
      context.runOnContext(v -> flushAll());
    }
  }

  private void flushAll() {
    flushScheduled = false;
    for (int i = 0; i < dirty.size(); i++) {
      dirty.get(i).flushIfPending();
    }
    dirty.clear();
  }

  /** One heartbeat for every session of this loop: ping, or drop those that missed too many pongs. */
  void heartbeat(int maxMissedPongs) {
    for (int i = sessions.size() - 1; i >= 0; i--) {
      if (i < sessions.size()) {
        sessions.get(i).heartbeat(maxMissedPongs);
      }
    }
  }

  /**
   * On this loop: tells every session to reconnect after the delay {@code nextDelayMs} gives it, then
   * closes it {@code 1012}. Returns how many sessions it closed.
   */
  public int drainSessions(LongSupplier nextDelayMs) {
    int closed = 0;
    for (int i = sessions.size() - 1; i >= 0; i--) {
      if (i < sessions.size()) {
        sessions.get(i).drain(nextDelayMs.getAsLong());
        closed++;
      }
    }
    return closed;
  }

  /** On this loop: closes the sessions of {@code user} in {@code tenant} with {@code 4003}; returns how many. */
  public int disconnectUser(String tenant, String user) {
    int closed = 0;
    for (int i = sessions.size() - 1; i >= 0; i--) {
      if (i < sessions.size() && sessions.get(i).belongsTo(tenant, user)) {
        sessions.get(i).close(CloseCode.FORBIDDEN, "disconnected by an administrator");
        closed++;
      }
    }
    return closed;
  }

  /** Bytes waiting for this loop's sessions at the last {@link #measureQueued}. */
  public long queuedBytes() {
    return queuedBytes;
  }

  /** On this loop: adds up what its sessions have waiting (outbound queues and transport buffers). */
  public long measureQueued() {
    long total = 0;
    for (int i = 0; i < sessions.size(); i++) {
      total += sessions.get(i).queuedBytes();
    }
    queuedBytes = total;
    return total;
  }

  /**
   * On this loop: cuts off the sessions holding the most queued bytes, largest first, until this loop
   * holds at most {@code targetBytes}. They are closed as slow consumers: they reconnect and recover
   * from history like any subscriber that fell behind. Returns how many were cut off.
   */
  public int shedLargest(long targetBytes, String reason) {
    List<Session> waiting = new ArrayList<>();
    long total = 0;
    for (int i = 0; i < sessions.size(); i++) {
      Session s = sessions.get(i);
      long q = s.queuedBytes();
      if (q > 0) {
        waiting.add(s);
        total += q;
      }
    }
    waiting.sort((a, b) -> Long.compare(b.queuedBytes(), a.queuedBytes()));
    int shed = 0;
    for (Session s : waiting) {
      if (total <= targetBytes) {
        break;
      }
      total -= s.queuedBytes();
      s.close(dev.syncwire.protocol.CloseCode.SLOW_CONSUMER, reason);
      shed++;
    }
    queuedBytes = Math.max(0, total);
    return shed;
  }

  private record ResetEvent(ChannelId channel, String reason) {
  }
}
