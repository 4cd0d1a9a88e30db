package dev.syncwire.client;

import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One channel as the client follows it, shared by every {@link Subscription} handle of that channel: the
 * position it applied up to, the pushes held for a gap, the state replica, and the subscribe in flight.
 * It survives connections: after each (re)connect it subscribes again with {@code since}. Runs on the
 * client's context.
 */
final class ChannelStream {
  private final SyncwireClient client;
  final String channel;
  final List<Subscription> handles = new CopyOnWriteArrayList<>();
  private final StateReplica replica = new StateReplica();
  private final Promise<Void> ready = Promise.promise();
  private Sequencer sequencer;
  private volatile Position position;
  private volatile String status = "subscribing";
  private boolean hasState;
  private boolean everSubscribed;
  private Connection conn;          // whose pushes are applied
  private Connection pendingConn;   // a subscribe is in flight on it
  private List<JsonObject> early = new ArrayList<>();
  private String resetReason;
  private long gapTimer = -1;
  private long retryTimer = -1;
  private boolean stopped;

  ChannelStream(SyncwireClient client, String channel, Position since) {
    this.client = client;
    this.channel = channel;
    this.position = since;
    this.sequencer = new Sequencer(client.gapBufferLimit());
  }

  io.vertx.core.Future<Void> ready() {
    return ready.future();
  }

  Position position() {
    return position;
  }

  String status() {
    return status;
  }

  StateReplica replica() {
    return replica;
  }

  /** Sends {@code subscribe} on this connection, with {@code since} when a position is known. */
  void subscribe(Connection c) {
    if (c == null || c.closed() || stopped) {
      return;
    }
    cancel(retryTimer);
    retryTimer = -1;
    pendingConn = c;
    early = new ArrayList<>();
    if (conn == null || conn.closed()) {
      status = "subscribing";
    }
    JsonObject frame = new JsonObject().put("type", "subscribe").put("channel", channel);
    Position since = position;
    if (since != null) {
      frame.put("since", new JsonObject().put("epoch", since.epoch()).put("seq", since.seq()));
    }
    c.command(frame).onComplete(ar -> {
      if (ar.succeeded()) {
        replied(c, ar.result(), since);
      } else if (pendingConn == c) {
        pendingConn = null; // the connection ended: the next one subscribes again
      }
    });
  }

  private void replied(Connection c, JsonObject reply, Position since) {
    if (pendingConn != c || stopped) {
      return;
    }
    pendingConn = null;
    if ("error".equals(reply.getString("type"))) {
      SyncwireException e = SyncwireException.fromReply(reply);
      if (e.retry()) {
        long delay = e.retryAfterMs() != null ? e.retryAfterMs() : client.backoff().delayMs(0);
        retryTimer = client.vertx().setTimer(Math.max(1, delay), t -> {
          retryTimer = -1;
          resubscribe(null);
        });
        return;
      }
      status = "failed";
      stopped = true;
      client.forget(this);
      ready.tryFail(e);
      handles.forEach(h -> h.failed(e));
      return;
    }
    if (!"subscribed".equals(reply.getString("type"))) {
      return;
    }
    conn = c;
    status = "subscribed";
    cancel(gapTimer);
    gapTimer = -1;
    boolean first = !everSubscribed;
    everSubscribed = true;
    JsonObject snapshot = reply.getJsonObject("snapshot");
    String reason = resetReason;
    resetReason = null;
    String epoch = reply.getString("epoch");
    long seq = reply.getLong("seq");
    if (since != null && Boolean.TRUE.equals(reply.getBoolean("recovered"))) {
      // Same epoch: apply the replay in order, then what arrived meanwhile (§6.3).
      if (snapshot != null) {
        hasState = true;
      }
      if (reason != null) {
        report(new Reset(channel, reason, true, epoch, seq, null));
      }
      if (!since.epoch().equals(sequencer.epoch()) || sequencer.last() < since.seq()) {
        sequencer.reset(since.epoch(), since.seq());
      }
      List<JsonObject> ready = new ArrayList<>();
      JsonArray pubs = reply.getJsonArray("pubs", new JsonArray());
      for (Object p : pubs) {
        JsonObject pub = ((JsonObject) p).copy().put("channel", channel).put("recovered", true);
        ready.addAll(sequencer.offer(pub).ready());
      }
      apply(ready);
      sequencer.reset(epoch, Math.max(sequencer.last(), seq));
      position = new Position(epoch, sequencer.last());
    } else {
      // A fresh start: the first subscribe without since is no reset; any other start is (§6.3).
      sequencer = new Sequencer(client.gapBufferLimit());
      sequencer.reset(epoch, seq);
      position = new Position(epoch, seq);
      Set<String> changed = null;
      if (snapshot != null) {
        hasState = true;
        changed = replica.load(snapshot);
      } else if (hasState && !first) {
        changed = replica.load(new JsonObject().put("seq", seq));
      }
      if (since != null) {
        report(new Reset(channel, reason != null ? reason : "not_recovered", false, epoch, seq, snapshot));
      }
      if (changed != null && !changed.isEmpty()) {
        stateChanged(changed);
      }
    }
    // Pushes of this connection that came before the reply (over HTTP, replies and pushes travel apart).
    List<JsonObject> before = early;
    early = new ArrayList<>();
    before.forEach(p -> pushed(c, p));
    ready.tryComplete();
  }

  /** A {@code pub} push from a connection. */
  void pushed(Connection c, JsonObject pub) {
    if (c == pendingConn) {
      early.add(pub);
      return;
    }
    if (c != conn || stopped) {
      return; // a connection this stream has left
    }
    Sequencer.Offer out = sequencer.offer(pub);
    if (out.epochChanged()) {
      resubscribe("epoch_changed");
      return;
    }
    apply(out.ready());
    position = new Position(sequencer.epoch(), sequencer.last());
    if (out.overflow()) {
      resubscribe(null);
    } else if (sequencer.gap()) {
      // §6.2: keep what came, and subscribe again with since if the gap does not fill in time.
      if (gapTimer < 0) {
        gapTimer = client.vertx().setTimer(client.gapTimeoutMs(), t -> {
          gapTimer = -1;
          if (sequencer.gap()) {
            resubscribe(null);
          }
        });
      }
    } else if (gapTimer >= 0) {
      cancel(gapTimer);
      gapTimer = -1;
    }
  }

  /** A {@code reset} push: the server ended the subscription; subscribe again with since and report it. */
  void resetPushed(Connection c, String reason) {
    if (c != conn && c != pendingConn) {
      return;
    }
    resubscribe(reason == null ? "reset" : reason);
  }

  /** Subscribes again on the current connection; a reason makes it a reported reset. */
  void resubscribe(String reason) {
    if (reason != null) {
      resetReason = reason;
    }
    Connection c = client.connection();
    if (c == null || c.closed() || c == pendingConn) {
      return;
    }
    subscribe(c);
  }

  private void apply(List<JsonObject> pubs) {
    if (pubs.isEmpty()) {
      return;
    }
    Set<String> changed = new LinkedHashSet<>();
    for (JsonObject p : pubs) {
      JsonObject patch = p.getJsonObject("patch");
      Publication publication = new Publication(channel, p.getString("epoch"), p.getLong("seq"), p.getLong("from"),
          p.getString("key"), patch == null ? p.getValue("data") : null, patch,
          Boolean.TRUE.equals(p.getBoolean("recovered")));
      if (patch != null) {
        hasState = true;
        String id = replica.apply(patch, publication.seq());
        if (id != null) {
          changed.add(id);
        }
      } else {
        replica.advance(publication.seq());
      }
      for (Subscription h : handles) {
        h.publication(publication);
      }
    }
    if (!changed.isEmpty()) {
      stateChanged(changed);
    }
  }

  private void stateChanged(Set<String> ids) {
    List<EntityChange> changes = replica.changes(channel, ids);
    for (Subscription h : handles) {
      h.stateChanged(replica, ids, changes);
    }
  }

  private void report(Reset reset) {
    for (Subscription h : handles) {
      h.reset(reset);
    }
  }

  /** The connection went; the next one subscribes again. */
  void disconnected() {
    conn = null;
    pendingConn = null;
    cancel(gapTimer);
    gapTimer = -1;
    cancel(retryTimer);
    retryTimer = -1;
    if (!stopped) {
      status = "subscribing";
    }
  }

  /** Stops for good: the last handle left, or the client closed. */
  void stop() {
    stopped = true;
    status = "unsubscribed";
    disconnected();
    status = "unsubscribed";
    ready.tryFail(new SyncwireException("closed", "unsubscribed before subscribed"));
  }

  private void cancel(long timer) {
    if (timer >= 0) {
      client.vertx().cancelTimer(timer);
    }
  }
}
