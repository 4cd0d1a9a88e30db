package dev.syncwire.transport.http;

import dev.syncwire.cluster.Addresses;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * SSE streams held by one node for sessions that live on another. The home node sends their pushes
 * here, and gathers them: within one event-loop turn, the pushes of all its sessions for streams held
 * by one node travel in one event-bus message, so a publication to many relayed subscribers costs one
 * message per relaying node, not one per stream. The relaying node writes them and answers which
 * streams are backed up; those stay paused (their pushes wait in their session's outbound buffer) until
 * the relaying node says they drained.
 */
final class SseRelays {
  /** A stream held here for a session of another node. */
  private record Held(String sessionId, String key, String home, SseStream stream) {
  }

  private final Vertx vertx;
  private final String nodeName;
  private final Map<String, Held> held = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Context, Batches> batches = new ConcurrentHashMap<>();

  SseRelays(Vertx vertx, String nodeName) {
    this.vertx = vertx;
    this.nodeName = nodeName;
  }

  // ---- the relaying side ----

  /** Holds {@code stream} for a session of {@code home}; returns the id the home node addresses it by. */
  String hold(String sessionId, String key, String home, SseStream stream) {
    String relayId = nodeName + "/" + ids.incrementAndGet() + "/" + UUID.randomUUID();
    held.put(relayId, new Held(sessionId, key, home, stream));
    return relayId;
  }

  void release(String relayId) {
    held.remove(relayId);
  }

  /** A batch from a home node: {"streams":[{"relay","events":[[cursor, frame], ...]} | {"relay","end":true}]}. */
  void onBatch(Message<JsonObject> message) {
    JsonArray backedUp = new JsonArray();
    JsonArray gone = new JsonArray();
    for (Object o : message.body().getJsonArray("streams")) {
      JsonObject item = (JsonObject) o;
      String relayId = item.getString("relay");
      Held h = held.get(relayId);
      if (h == null || h.stream().ended()) {
        gone.add(relayId);
        continue;
      }
      if (item.getBoolean("end", false)) {
        held.remove(relayId);
        h.stream().end();
        continue;
      }
      JsonArray events = item.getJsonArray("events");
      List<CursorBuffer.Entry> pushes = new ArrayList<>(events.size());
      for (Object e : events) {
        JsonArray event = (JsonArray) e;
        pushes.add(new CursorBuffer.Entry(event.getLong(0), event.getString(1).getBytes(StandardCharsets.UTF_8)));
      }
      h.stream().events(pushes);
      if (!h.stream().writable()) {
        backedUp.add(relayId);
        h.stream().drainHandler(() -> vertx.eventBus().send(Addresses.sessions(h.home()), new JsonObject()
            .put("op", "drained").put("session", h.sessionId()).put("key", h.key()).put("relay", relayId)));
      }
    }
    if (message.replyAddress() != null) {
      message.reply(new JsonObject().put("backedUp", backedUp).put("gone", gone));
    }
  }

  // ---- the home side ----

  /** The downstream of a session whose SSE stream {@code relayId} is held by {@code relayNode}. */
  Downstream downstream(HttpSession session, String relayNode, String relayId) {
    return new Relayed(session, relayNode, relayId);
  }

  /** Pushes may flow to a relayed stream again. */
  static void drained(Downstream downstream) {
    if (downstream instanceof Relayed) {
      Relayed r = (Relayed) downstream;
      r.backedUp = false;
      r.session.downstreamWritable();
    }
  }

  private final class Relayed implements Downstream {
    private static final int MAX_IN_FLIGHT = 4;
    final HttpSession session;
    final String relayNode;
    final String relayId;
    int inFlight;
    boolean backedUp;

    Relayed(HttpSession session, String relayNode, String relayId) {
      this.session = session;
      this.relayNode = relayNode;
      this.relayId = relayId;
    }

    @Override
    public void deliver(List<CursorBuffer.Entry> pushes) {
      JsonArray events = new JsonArray();
      for (CursorBuffer.Entry e : pushes) {
        events.add(new JsonArray().add(e.cursor()).add(new String(e.frame(), StandardCharsets.UTF_8)));
      }
      batchesOf(session.context()).add(this, new JsonObject().put("relay", relayId).put("events", events));
    }

    @Override
    public boolean writable() {
      return inFlight < MAX_IN_FLIGHT && !backedUp;
    }

    @Override
    public boolean oneShot() {
      return false;
    }

    @Override
    public void end() {
      batchesOf(session.context()).add(this, new JsonObject().put("relay", relayId).put("end", true));
    }

    @Override
    public String relayId() {
      return relayId;
    }
  }

  private Batches batchesOf(Context context) {
    return batches.computeIfAbsent(context, Batches::new);
  }

  /** The pushes of one event loop's sessions, per relaying node, sent once per turn. */
  private final class Batches {
    private final Context context;
    private final Map<String, List<Relayed>> streams = new HashMap<>();
    private final Map<String, JsonArray> items = new HashMap<>();
    private boolean scheduled;

    Batches(Context context) {
      this.context = context;
    }

    void add(Relayed relayed, JsonObject item) {
      streams.computeIfAbsent(relayed.relayNode, n -> new ArrayList<>()).add(relayed);
      items.computeIfAbsent(relayed.relayNode, n -> new JsonArray()).add(item);
      relayed.inFlight++;
      if (!scheduled) {
        scheduled = true;
        context.runOnContext(v -> send());
      }
    }

    private void send() {
      scheduled = false;
      items.forEach((node, batch) -> {
        List<Relayed> sent = streams.get(node);
        vertx.eventBus().<JsonObject>request(Addresses.relays(node), new JsonObject().put("streams", batch))
            .onComplete(ar -> {
              Set<Object> backedUp = ar.succeeded() ? Set.copyOf(ar.result().body().getJsonArray("backedUp").getList()) : Set.of();
              Set<Object> gone = ar.succeeded() ? Set.copyOf(ar.result().body().getJsonArray("gone").getList()) : Set.of();
              for (Relayed r : sent) {
                r.inFlight--;
                if (ar.failed() || gone.contains(r.relayId)) {
                  r.session.detach(r);
                } else if (backedUp.contains(r.relayId)) {
                  r.backedUp = true;
                } else {
                  r.session.downstreamWritable();
                }
              }
            });
      });
      items.clear();
      streams.clear();
    }
  }
}
