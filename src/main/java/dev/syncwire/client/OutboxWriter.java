package dev.syncwire.client;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes to the outbox in groups: one write (one commit of the file) at a time, off the event loop, and
 * what is handed over meanwhile goes in the next one. A burst of publishes then costs a few commits rather
 * than one each, and the order of adds is the order they were handed over. Removals wait a little for an
 * add to go with. The memory outbox is written at once. Runs on the client's context.
 */
final class OutboxWriter {
  private final Context context;
  private final Outbox outbox;
  private List<Outbox.Draft> adds = new ArrayList<>();
  private List<Promise<Outbox.Entry>> added = new ArrayList<>();
  private List<Long> removals = new ArrayList<>();
  private List<Promise<Void>> flushes = new ArrayList<>();
  private List<Promise<Void>> flushesOfWriting = new ArrayList<>();
  private boolean writing;
  private long removalTimer = -1;

  /** How long a removal may wait for an add to share its commit. */
  static final long REMOVAL_DELAY_MS = 100;

  OutboxWriter(Context context, Outbox outbox) {
    this.context = context;
    this.outbox = outbox;
  }

  Outbox outbox() {
    return outbox;
  }

  /** Stores an entry; completes with it once written. */
  Future<Outbox.Entry> add(Outbox.Draft draft) {
    if (!outbox.durable()) {
      try {
        return Future.succeededFuture(outbox.write(List.of(draft), List.of()).get(0));
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    }
    Promise<Outbox.Entry> p = Promise.promise();
    adds.add(draft);
    added.add(p);
    next();
    return p.future();
  }

  /**
   * Removes an entry with the next write: with the next add, or within {@link #REMOVAL_DELAY_MS}. A removal
   * that a crash loses costs a resend under the same key, which the server answers as a duplicate, so it
   * need not cost a commit of its own.
   */
  void remove(long id) {
    if (!outbox.durable()) {
      outbox.write(List.of(), List.of(id));
      return;
    }
    removals.add(id);
    if (removalTimer < 0 && !writing) {
      removalTimer = context.owner().setTimer(REMOVAL_DELAY_MS, t -> {
        removalTimer = -1;
        next();
      });
    }
  }

  /** Completes once everything handed over before it is written, removals included. */
  Future<Void> flush() {
    Promise<Void> p = Promise.promise();
    if (!adds.isEmpty() || !removals.isEmpty()) {
      flushes.add(p);
      next();
    } else if (writing) {
      flushesOfWriting.add(p);
    } else {
      p.complete();
    }
    return p.future();
  }

  private void next() {
    if (writing || adds.isEmpty() && removals.isEmpty()) {
      return;
    }
    if (removalTimer >= 0) {
      context.owner().cancelTimer(removalTimer);
      removalTimer = -1;
    }
    writing = true;
    List<Outbox.Draft> toAdd = adds;
    List<Promise<Outbox.Entry>> waiting = added;
    List<Long> toRemove = removals;
    flushesOfWriting = flushes;
    adds = new ArrayList<>();
    added = new ArrayList<>();
    removals = new ArrayList<>();
    flushes = new ArrayList<>();
    context.executeBlocking(() -> outbox.write(toAdd, toRemove), false).onComplete(ar -> {
      writing = false;
      List<Promise<Void>> flushed = flushesOfWriting;
      flushesOfWriting = new ArrayList<>();
      if (ar.succeeded()) {
        for (int i = 0; i < waiting.size(); i++) {
          waiting.get(i).complete(ar.result().get(i));
        }
        flushed.forEach(Promise::complete);
      } else {
        waiting.forEach(p -> p.fail(ar.cause()));
        flushed.forEach(p -> p.fail(ar.cause()));
      }
      next();
    });
  }
}
