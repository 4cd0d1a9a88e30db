package dev.syncwire.session;

import dev.syncwire.broker.OutboundPublication;
import dev.syncwire.channel.ChannelId;
import dev.syncwire.channel.Position;

import java.util.ArrayDeque;

/**
 * One session following one channel. Until the broker answers the subscribe, publications are held;
 * after it, the subscription passes on exactly the publications after its position, in order, and
 * turns any break in the sequence into a {@code reset} rather than a silent gap.
 */
final class Subscription implements SwapList.Member {
  /** Publications held while waiting for the broker's answer; more means the answer is lost. */
  private static final int MAX_PENDING = 100_000;

  final Session session;
  final ChannelId channel;
  private final long commandId;
  // Publications held until the broker's answer; allocated only if one arrives first.
  private ArrayDeque<OutboundPublication> pending;
  private boolean active;
  private boolean cancelled;
  private boolean answered;
  // Replies that must follow this subscription's own (an unsubscribe that overtook it); rarely set.
  private Runnable afterAnswer;
  private String epoch;
  private long lastSeq;
  private int listIndex = -1;

  Subscription(Session session, ChannelId channel, long commandId) {
    this.session = session;
    this.channel = channel;
    this.commandId = commandId;
  }

  boolean active() {
    return active;
  }

  boolean cancelled() {
    return cancelled;
  }

  void cancel() {
    cancelled = true;
    pending = null;
  }

  /** Whether the broker's answer, and so this subscription's reply, is still to come. */
  boolean answerPending() {
    return !active && !answered;
  }

  /** Runs {@code reply} once this subscription's own reply is sent (at once if it was). */
  void afterAnswer(Runnable reply) {
    if (!answerPending()) {
      reply.run();
      return;
    }
    Runnable before = afterAnswer;
    afterAnswer = before == null ? reply : () -> {
      before.run();
      reply.run();
    };
  }

  /** This subscription's reply was sent; the replies that waited for it follow. */
  void answered() {
    answered = true;
    Runnable next = afterAnswer;
    afterAnswer = null;
    if (next != null) {
      next.run();
    }
  }

  /** The broker registered this subscription at {@code result}; send the reply, then what was held. */
  void activate(Position result) {
    ArrayDeque<OutboundPublication> held = pending;
    pending = null;
    active = true;
    epoch = result.epoch();
    lastSeq = result.seq();
    session.sendSubscribed(commandId, this, result);
    if (held != null) {
      for (OutboundPublication p : held) {
        if (!cancelled) {
          deliver(p);
        }
      }
    }
  }

  /**
   * The node can no longer continue the channel in order. A subscription still waiting for its answer
   * ignores this: the answer it gets is the new starting point.
   */
  void onReset(String reason) {
    if (cancelled) {
      return;
    }
    if (!active) {
      pending = null;
      return;
    }
    session.resetSubscription(this, reason);
  }

  void onPublication(OutboundPublication p) {
    if (cancelled) {
      return;
    }
    if (!active) {
      if (pending == null) {
        pending = new ArrayDeque<>();
      }
      if (pending.size() >= MAX_PENDING) {
        session.resetSubscription(this, "subscribe_timeout");
        return;
      }
      pending.add(p);
      return;
    }
    deliver(p);
  }

  private void deliver(OutboundPublication p) {
    long seq = p.seq();
    if (!epoch.equals(p.publication().epoch())) {
      session.resetSubscription(this, "epoch_changed");
    } else if (seq == lastSeq + 1) {
      lastSeq = seq;
      session.push(p);
    } else if (seq > lastSeq + 1) {
      session.resetSubscription(this, "gap");
    }
    // seq <= lastSeq: already delivered or before this subscription started.
  }

  long lastSeq() {
    return lastSeq;
  }

  @Override
  public int listIndex() {
    return listIndex;
  }

  @Override
  public void listIndex(int index) {
    this.listIndex = index;
  }
}
