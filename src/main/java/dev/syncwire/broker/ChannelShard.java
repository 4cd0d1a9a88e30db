package dev.syncwire.broker;

import dev.syncwire.channel.ChannelId;
import dev.syncwire.channel.ChannelLog;
import dev.syncwire.channel.ChannelSettings;
import dev.syncwire.channel.Epochs;
import dev.syncwire.channel.MonotonicClock;
import dev.syncwire.channel.Position;
import dev.syncwire.channel.Publication;
import dev.syncwire.channel.PublishOutcome;
import dev.syncwire.channel.Since;
import dev.syncwire.channel.StoredLog;
import dev.syncwire.internals.VertxInternals;
import dev.syncwire.protocol.ErrorCode;
import dev.syncwire.protocol.ProtocolException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Owns a share of the node's channels. Every method runs on the shard's event loop; this is the only
 * place a channel's log is read or written.
 *
 * <p>With a {@link LogStore}, the node's copy of a log is a cache of the store's: a channel is loaded
 * from the store on first use (commands wait meanwhile), and a publication is delivered and acknowledged
 * only once the store has it, in seq order. When a write fails, the channel stops taking commands until
 * its writes in flight are done, then loads again from the store, which decides what happened: what it
 * holds and was not delivered yet is delivered; when it holds less than positions already handed out, or
 * another epoch, subscribers get {@code reset}. Failed publishes answer {@code unavailable}, and a retry
 * with the same key is answered from the store's keys.
 */
final class ChannelShard {
  private static final Logger LOG = Logger.getLogger(ChannelShard.class.getName());
  /** What a client is told to wait before retrying a command the store could not take. */
  static final long RETRY_AFTER_MS = 500;
  /** Bytes of commands that may wait for one channel's load. */
  private static final long MAX_WAITING_BYTES = 8L << 20;
  private static final int SUBSCRIBE_BYTES = 64;

  private final Context context;
  private final Function<String, ChannelSettings> settings;
  private final LogStore store;
  private final Map<ChannelId, OwnedChannel> channels = new HashMap<>();

  ChannelShard(Context context, Function<String, ChannelSettings> settings, LogStore store) {
    this.context = context;
    this.settings = settings;
    this.store = store;
  }

  Context context() {
    return context;
  }

  Future<ChannelBroker.PublishAck> publish(ChannelId id, ChannelBroker.PublishRequest request) {
    OwnedChannel channel = channel(id);
    if (store != null && !channel.ready()) {
      return channel.whenReady(request.bytes(), () -> publish(id, request));
    }
    if (store != null && !store.available()) {
      // Nothing is sequenced that could not be written: the node's copy stays the store's.
      return Future.failedFuture(unavailable("the channel store is unavailable, retry with the same key"));
    }
    PublishOutcome outcome = channel.log.publish(request.key(), request.dataJson(), request.patchJson(), now());
    if (store == null) {
      if (outcome instanceof PublishOutcome.Accepted accepted) {
        channel.deliver(accepted.publication(), outbound(id, accepted));
      }
      return answer(outcome);
    }
    if (outcome instanceof PublishOutcome.Accepted accepted) {
      return write(channel, accepted);
    }
    if (outcome instanceof PublishOutcome.Duplicate duplicate && duplicate.seq() > channel.storedSeq) {
      // The original is still on its way to the store: answer once it is there.
      return channel.enqueueDuplicate(ChannelBroker.PublishAck.of(duplicate));
    }
    return answer(outcome);
  }

  private static Future<ChannelBroker.PublishAck> answer(PublishOutcome outcome) {
    try {
      return Future.succeededFuture(ChannelBroker.PublishAck.of(outcome));
    } catch (ProtocolException e) {
      return Future.failedFuture(e);
    }
  }

  private static OutboundPublication outbound(ChannelId id, PublishOutcome.Accepted a) {
    return new OutboundPublication(id, a.publication(), a.patch(), a.versions());
  }

  /**
   * Queues an accepted publication for the store; it is delivered and acknowledged once written. One write
   * per channel is in flight at a time, and what is accepted meanwhile goes together in the next one (group
   * commit: one script for many publishes, and never a write that overtakes another).
   */
  private Future<ChannelBroker.PublishAck> write(OwnedChannel channel, PublishOutcome.Accepted accepted) {
    channel.issuedSeq = accepted.publication().seq();
    return channel.enqueue(accepted);
  }

  /** Writes what waits for the store, if no write is in flight. */
  private void flush(OwnedChannel channel) {
    if (channel.writing || channel.unwritten.isEmpty()) {
      return;
    }
    List<Unwritten> batch = new ArrayList<>(channel.unwritten);
    channel.unwritten.clear();
    if (channel.broken) {
      batch.forEach(u -> u.ack().fail(unavailable("the channel store did not take the publish, retry with the same key")));
      reloadWhenIdle(channel);
      return;
    }
    List<Publication> pubs = new ArrayList<>(batch.size());
    boolean patched = false;
    for (Unwritten u : batch) {
      if (u.accepted() != null) {
        pubs.add(u.accepted().publication());
        patched |= u.accepted().patch() != null;
      }
    }
    if (pubs.isEmpty()) {
      // Duplicates only: what they wait for was written by the write that just ended.
      batch.forEach(u -> u.ack().complete(u.answer()));
      return;
    }
    ChannelLog log = channel.log;
    long[] at = new long[pubs.size()];
    java.util.Arrays.fill(at, System.currentTimeMillis());
    channel.writing = true;
    onShard(store.append(channel.id, settings.apply(channel.id.tenant()), log.epoch(), pubs, at,
        patched ? log.snapshotJson() : null, false)).onComplete(ar -> {
          channel.writing = false;
          if (ar.succeeded() && channel.log == log && !channel.broken) {
            for (Unwritten u : batch) {
              if (u.accepted() != null) {
                channel.storedSeq = u.accepted().publication().seq();
                channel.deliver(u.accepted().publication(), outbound(channel.id, u.accepted()));
              }
              u.ack().complete(u.answer());
            }
          } else {
            if (ar.failed() && channel.log == log && !channel.broken) {
              channel.broken = true;
              LOG.log(Level.FINE, "writing " + channel.id + " to the store failed; loading it again", ar.cause());
            }
            batch.forEach(u -> u.ack().fail(unavailable("the channel store did not take the publish, retry with the same key")));
          }
          flush(channel);
          reloadWhenIdle(channel);
        });
  }

  /** A publish waiting for the store: an accepted one, or a duplicate of one not written yet. */
  private record Unwritten(PublishOutcome.Accepted accepted, ChannelBroker.PublishAck answer,
                           Promise<ChannelBroker.PublishAck> ack) {
  }

  Future<Position> subscribe(ChannelId id, Since since, PublicationSink sink) {
    OwnedChannel channel = channel(id);
    if (store != null && !channel.ready()) {
      return channel.whenReady(SUBSCRIBE_BYTES, () -> subscribe(id, since, sink));
    }
    channel.sinks.merge(sink, 1, Integer::sum);
    return Future.succeededFuture(channel.log.subscribe(since, now()));
  }

  void unsubscribe(ChannelId id, PublicationSink sink) {
    OwnedChannel channel = channels.get(id);
    if (channel != null) {
      channel.sinks.computeIfPresent(sink, (s, n) -> n > 1 ? n - 1 : null);
    }
  }

  List<ChannelBroker.ChannelInfo> channels(String tenant) {
    List<ChannelBroker.ChannelInfo> out = new ArrayList<>();
    channels.forEach((id, ch) -> {
      if (ch.log != null && (tenant == null || tenant.equals(id.tenant()))) {
        out.add(ch.info());
      }
    });
    return out;
  }

  Future<ChannelBroker.ChannelDetail> detail(ChannelId id) {
    OwnedChannel channel = channels.get(id);
    if (channel != null && channel.log != null) {
      return Future.succeededFuture(new ChannelBroker.ChannelDetail(channel.info(), channel.log.snapshotJson(), null));
    }
    if (store == null) {
      return Future.failedFuture(new ProtocolException(ErrorCode.NOT_FOUND, "no such channel"));
    }
    // Known to the store only: describe it without keeping it here.
    ChannelSettings s = settings.apply(id.tenant());
    return onShard(store.load(id, s, System.currentTimeMillis())).transform(ar -> {
      if (ar.failed()) {
        return Future.failedFuture(unavailable("the channel store is unavailable"));
      }
      if (ar.result() == null) {
        return Future.failedFuture(new ProtocolException(ErrorCode.NOT_FOUND, "no such channel"));
      }
      ChannelLog log = ChannelLog.restore(id, s, ar.result(), now());
      return Future.succeededFuture(new ChannelBroker.ChannelDetail(
          new ChannelBroker.ChannelInfo(id.name(), log.epoch(), log.seq(), 0), log.snapshotJson(), null));
    });
  }

  /**
   * Forgets channels that nobody follows and that hold nothing: no state, history or dedup keys. With a
   * store, any channel nobody follows and nothing waits on: the store has all of it.
   */
  int sweep() {
    long now = now();
    int removed = 0;
    for (Iterator<OwnedChannel> it = channels.values().iterator(); it.hasNext(); ) {
      OwnedChannel channel = it.next();
      boolean idle = channel.sinks.isEmpty() && channel.waiting.isEmpty() && !channel.writing
          && channel.unwritten.isEmpty() && !channel.loading;
      if (idle && (store != null || channel.log.isDisposable(now))) {
        it.remove();
        removed++;
      }
    }
    return removed;
  }

  int channelCount() {
    return channels.size();
  }

  private OwnedChannel channel(ChannelId id) {
    OwnedChannel channel = channels.get(id);
    if (channel == null) {
      channel = new OwnedChannel(id);
      if (store == null) {
        channel.log = new ChannelLog(id, Epochs.next(), settings.apply(id.tenant()));
      }
      channels.put(id, channel);
    }
    return channel;
  }

  /** Loads the channel from the store, then runs what waited for it. */
  private void load(OwnedChannel channel) {
    channel.loading = true;
    ChannelSettings s = settings.apply(channel.id.tenant());
    onShard(store.load(channel.id, s, System.currentTimeMillis())).onComplete(ar -> {
      channel.loading = false;
      if (ar.failed()) {
        LOG.log(Level.FINE, "loading " + channel.id + " from the store failed", ar.cause());
        channel.failWaiting(unavailable("the channel store is unavailable, retry"));
        return;
      }
      StoredLog stored = ar.result();
      ChannelLog log = stored == null ? new ChannelLog(channel.id, Epochs.next(), s)
          : ChannelLog.restore(channel.id, s, stored, now());
      channel.adopt(log);
      channel.runWaiting();
    });
  }

  /** After a failed write: once nothing is in flight, the store says where the channel stands. */
  private void reloadWhenIdle(OwnedChannel channel) {
    if (!channel.broken || channel.writing || !channel.unwritten.isEmpty()) {
      return;
    }
    channel.broken = false;
    channel.log = null;
    if (!channel.waiting.isEmpty()) {
      load(channel);
    }
  }

  private <T> Future<T> onShard(Future<T> future) {
    Promise<T> promise = VertxInternals.promise(context);
    future.onComplete(promise);
    return promise.future();
  }

  private static ProtocolException unavailable(String message) {
    return new ProtocolException(ErrorCode.UNAVAILABLE, message, null, null, RETRY_AFTER_MS);
  }

  private static long now() {
    return MonotonicClock.nowMs();
  }

  /** A channel's log, the sinks that follow it (each with its number of subscriptions) and its store state. */
  private final class OwnedChannel {
    final ChannelId id;
    // One entry per event loop with subscribers: usually one or two.
    final Map<PublicationSink, Integer> sinks = new HashMap<>(4);
    /** Null while the channel is not loaded from the store. */
    ChannelLog log;
    // ---- with a store only ----
    final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    final ArrayDeque<Promise<?>> waitingPromises = new ArrayDeque<>();
    long waitingBytes;
    boolean loading;
    /** A write failed: take no command until the store is asked again. */
    boolean broken;
    /** Whether a write to the store is in flight; what comes meanwhile waits in {@link #unwritten}. */
    boolean writing;
    final ArrayDeque<Unwritten> unwritten = new ArrayDeque<>();
    /** The highest seq the store confirmed. */
    long storedSeq;
    /** The highest seq given out (acknowledged or not): positions handed to subscribers may include it. */
    long issuedSeq;
    /** The epoch and seq delivered to the sinks so far. */
    String deliveredEpoch;
    long deliveredSeq;

    OwnedChannel(ChannelId id) {
      this.id = id;
    }

    boolean ready() {
      return log != null && !broken;
    }

    Future<ChannelBroker.PublishAck> enqueue(PublishOutcome.Accepted accepted) {
      Promise<ChannelBroker.PublishAck> ack = Promise.promise();
      unwritten.add(new Unwritten(accepted, ChannelBroker.PublishAck.of(accepted), ack));
      flush(this);
      return ack.future();
    }

    Future<ChannelBroker.PublishAck> enqueueDuplicate(ChannelBroker.PublishAck answer) {
      Promise<ChannelBroker.PublishAck> ack = Promise.promise();
      unwritten.add(new Unwritten(null, answer, ack));
      flush(this);
      return ack.future();
    }

    void deliver(Publication p, OutboundPublication out) {
      deliveredEpoch = p.epoch();
      deliveredSeq = p.seq();
      for (PublicationSink sink : sinks.keySet()) {
        sink.deliver(id, out);
      }
    }

    /** Queues {@code command} until the channel is loaded; a bounded queue. */
    <T> Future<T> whenReady(int bytes, Supplier<Future<T>> command) {
      if (waitingBytes + bytes > MAX_WAITING_BYTES) {
        return Future.failedFuture(new ProtocolException(ErrorCode.OVERLOADED,
            "too many commands waiting for this channel", null, null, RETRY_AFTER_MS));
      }
      Promise<T> promise = Promise.promise();
      waitingBytes += bytes;
      waitingPromises.add(promise);
      waiting.add(() -> command.get().onComplete(promise));
      if (log == null && !loading) {
        load(this);
      }
      return promise.future();
    }

    void runWaiting() {
      waitingBytes = 0;
      waitingPromises.clear();
      List<Runnable> commands = new ArrayList<>(waiting);
      waiting.clear();
      commands.forEach(Runnable::run);
    }

    void failWaiting(ProtocolException e) {
      waitingBytes = 0;
      waiting.clear();
      List<Promise<?>> promises = new ArrayList<>(waitingPromises);
      waitingPromises.clear();
      promises.forEach(p -> p.tryFail(e));
    }

    /** Takes the log the store gave; tells the sinks what they missed, or resets them when they cannot know. */
    void adopt(ChannelLog loaded) {
      if (deliveredEpoch != null && !sinks.isEmpty()) {
        if (!loaded.epoch().equals(deliveredEpoch)) {
          resetSinks("epoch_changed");
        } else if (loaded.seq() < issuedSeq) {
          // Positions up to issuedSeq were handed out, and the store does not have them all.
          resetSinks("history_lost");
        } else if (loaded.seq() > deliveredSeq) {
          List<Publication> missed = loaded.history().after(deliveredSeq, now());
          if (missed == null) {
            resetSinks("history_lost");
          } else {
            for (Publication p : missed) {
              deliver(p, OutboundPublication.of(id, p));
            }
          }
        }
      }
      log = loaded;
      storedSeq = loaded.seq();
      issuedSeq = loaded.seq();
      deliveredEpoch = loaded.epoch();
      deliveredSeq = loaded.seq();
    }

    private void resetSinks(String reason) {
      for (PublicationSink sink : sinks.keySet()) {
        sink.reset(id, reason);
      }
    }

    ChannelBroker.ChannelInfo info() {
      return new ChannelBroker.ChannelInfo(log.id().name(), log.epoch(), log.seq(),
          sinks.values().stream().mapToInt(Integer::intValue).sum());
    }
  }
}
