package dev.syncwire.admin;

import dev.syncwire.config.OperationsConfig;
import dev.syncwire.session.Admission;
import dev.syncwire.session.EventLoopHub;
import dev.syncwire.session.Hubs;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * A node's drain (docs/protocol.md §7 and §12): {@code /ready} turns 503 and new connections are refused at
 * once; every session gets a {@code reconnect} push whose {@code delayMs} values are spread evenly over
 * {@code drain.periodMs}, so that its clients come back to the other nodes in a steady trickle rather than
 * a storm, and is closed {@code 1012}. The drain completes once no session is left (or after the period);
 * what follows (leaving the cluster, exiting) is the caller's.
 */
public final class NodeDrain {
  private static final Logger LOG = Logger.getLogger(NodeDrain.class.getName());
  private static final long CHECK_MS = 20;

  private final Vertx vertx;
  private final Hubs hubs;
  private final Admission admission;
  private final OperationsConfig config;
  private final AtomicBoolean started = new AtomicBoolean();
  private final Promise<Void> done = Promise.promise();

  public NodeDrain(Vertx vertx, Hubs hubs, Admission admission, OperationsConfig config) {
    this.vertx = vertx;
    this.hubs = hubs;
    this.admission = admission;
    this.config = config;
  }

  public boolean started() {
    return started.get();
  }

  /** Starts the drain, once; later calls return the same completion. */
  public Future<Void> start(String why) {
    if (!started.compareAndSet(false, true)) {
      return done.future();
    }
    admission.startDraining();
    int sessions = hubs.sessionCount();
    long periodMs = config.drainPeriodMs();
    LOG.info("draining (" + why + "): " + sessions + " sessions told to reconnect within " + periodMs + " ms");
    AtomicLong next = new AtomicLong();
    // Evenly spread: the i-th of n sessions comes back after i/n of the period.
    int n = Math.max(1, sessions);
    List<Future<Integer>> closed = new ArrayList<>();
    for (EventLoopHub hub : hubs.all()) {
      Promise<Integer> promise = Promise.promise();
      hub.context().runOnContext(v -> promise.complete(
          hub.drainSessions(() -> periodMs * Math.min(next.getAndIncrement(), n - 1) / n)));
      closed.add(promise.future());
    }
    long deadline = System.nanoTime() + periodMs * 1_000_000L;
    Future.all(closed).onComplete(ar -> awaitNoSessions(deadline));
    return done.future();
  }

  /** Sessions closed on their loops end when their transports do; wait for that, up to the deadline. */
  private void awaitNoSessions(long deadlineNanos) {
    if (hubs.sessionCount() == 0 || System.nanoTime() >= deadlineNanos) {
      LOG.info("drained: " + hubs.sessionCount() + " sessions left");
      done.tryComplete();
      return;
    }
    vertx.setTimer(CHECK_MS, t -> awaitNoSessions(deadlineNanos));
  }

  public Future<Void> completion() {
    return done.future();
  }
}
