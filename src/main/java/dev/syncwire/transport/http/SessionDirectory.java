package dev.syncwire.transport.http;

import dev.syncwire.cluster.Addresses;
import dev.syncwire.config.HttpConfig;
import dev.syncwire.internals.VertxInternals;
import dev.syncwire.protocol.CloseCode;
import dev.syncwire.session.EventLoopHub;
import dev.syncwire.session.Session;
import dev.syncwire.session.SessionServices;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HTTP sessions of this node, and the way to every other node's: a session's id names its home
 * node, and any node serves a request for it by calling the home node at {@link Addresses#sessions}
 * (or directly when it is home). SSE streams of sessions that live elsewhere are relayed: the home node
 * sends the pushes to the node holding the client's connection ({@link Addresses#relays}), one hop.
 */
public final class SessionDirectory {
  private final java.util.Map<String, EndedUnauthorized> endedUnauthorized = new java.util.concurrent.ConcurrentHashMap<>();
  /** An HTTP answer: status and JSON body. */
  record Answer(int status, String body) {
    private static final Answer NO_SESSION = new Answer(404,
        "{\"code\":\"session_not_found\",\"message\":\"no session with this id and key; connect again\"}");
    private static final Answer TOKEN_EXPIRED = new Answer(401,
        "{\"code\":\"unauthorized\",\"message\":\"the session ended with its token; connect again with a fresh one\"}");

    /**
     * The one answer for a request that reaches no session: an unknown id, a wrong key, a session that
     * ended (lingered out, home node gone, cursor lost). One answer for all, so that nobody learns which
     * session ids exist. Only the holder of the right key hears that its session ended with its token.
     */
    static Answer noSession() {
      return NO_SESSION;
    }

    JsonObject toJson() {
      return new JsonObject().put("status", status).put("body", body);
    }

    static Answer fromJson(JsonObject json) {
      return new Answer(json.getInteger("status"), json.getString("body"));
    }
  }

  private final Vertx vertx;
  private final SessionServices services;
  private final HttpConfig config;
  private final String nodeName;
  private final Map<String, HttpSession> sessions = new ConcurrentHashMap<>();
  private final SseRelays relays;
  /** Requests relayed to other nodes and not answered yet, by home node. */
  private final Map<String, Set<Promise<Answer>>> waitingOn = new ConcurrentHashMap<>();

  public SessionDirectory(Vertx vertx, SessionServices services, HttpConfig config) {
    this.vertx = vertx;
    this.services = services;
    this.config = config;
    this.nodeName = services.nodeId();
    this.relays = new SseRelays(vertx, nodeName);
  }

  /** Registers this node's addresses for requests of other nodes. */
  public Future<?> start() {
    return Future.all(
        vertx.eventBus().<JsonObject>consumer(Addresses.sessions(nodeName), this::onRemoteRequest).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.relays(nodeName), relays::onBatch).completion());
  }

  public int size() {
    return sessions.size();
  }

  /**
   * A new session on {@code hub}'s event loop, for a {@code /send} without session from {@code clientIp},
   * whose place among that address's sessions it releases when it ends.
   */
  HttpSession create(EventLoopHub hub, String clientIp) {
    HttpSession transport = new HttpSession(vertx, hub.context(), this, services.limits().outboundBufferBytes(),
        config.sessionLingerMs(), clientIp);
    Session session = new Session(services, hub, transport, dev.syncwire.protocol.JsonCodec.INSTANCE);
    transport.bind(session);
    sessions.put(session.id(), transport);
    session.open();
    return transport;
  }

  void ended(String sessionId, String clientIp, String key, CloseCode code) {
    sessions.remove(sessionId);
    services.connections().releaseIp(clientIp);
    if (code == CloseCode.UNAUTHORIZED) {
      // Its holder's next request learns why (401), for as long as a session would have lingered.
      long now = System.currentTimeMillis();
      endedUnauthorized.values().removeIf(e -> e.until() < now);
      endedUnauthorized.put(sessionId, new EndedUnauthorized(key, now + config.sessionLingerMs()));
    }
  }

  /** A session that ended with its token: its key, and until when its holder hears so. */
  private record EndedUnauthorized(String key, long until) {
  }

  static String homeOf(String sessionId) {
    int dot = sessionId == null ? -1 : sessionId.indexOf('.');
    return dot < 0 ? null : sessionId.substring(dot + 1);
  }

  // ---- the operations, wherever the session lives ----

  Future<Answer> send(String sessionId, String key, JsonArray commands) {
    return route(sessionId, new JsonObject().put("op", "send").put("commands", commands), key,
        session -> sendHere(session, commands));
  }

  /** Whether the session exists here or elsewhere and {@code key} is its key: 200, else 401. */
  Future<Answer> check(String sessionId, String key) {
    return route(sessionId, new JsonObject().put("op", "check"), key,
        session -> Future.succeededFuture(new Answer(200, "{}")));
  }

  Future<Answer> poll(String sessionId, String key, long cursor) {
    return route(sessionId, new JsonObject().put("op", "poll").put("cursor", cursor), key,
        session -> pollHere(session, cursor));
  }

  /**
   * Opens an SSE stream for a session: attached directly when the session lives here, relayed from its
   * home node otherwise. Answers 200 once the stream is attached (the caller has already started it).
   */
  Future<Answer> stream(String sessionId, String key, long cursor, SseStream stream) {
    String home = homeOf(sessionId);
    if (nodeName.equals(home)) {
      return local(sessionId, key, session -> streamHere(session, cursor, new LocalSse(session, stream)));
    }
    String relayId = relays.hold(sessionId, key, home, stream);
    long check = vertx.setPeriodic(config.sseKeepaliveMs(), t -> checkRelay(sessionId, key, relayId, stream));
    stream.onClose(() -> {
      vertx.cancelTimer(check);
      relays.release(relayId);
      vertx.eventBus().send(Addresses.sessions(home), new JsonObject().put("op", "detach").put("session", sessionId)
          .put("key", key).put("relay", relayId));
    });
    return remote(home, new JsonObject().put("op", "stream").put("session", sessionId).put("key", key)
        .put("cursor", cursor).put("relayNode", nodeName).put("relay", relayId), 10_000)
        .onComplete(ar -> {
          if (ar.failed() || ar.result().status() != 200) {
            relays.release(relayId);
          }
        });
  }

  private Future<Answer> route(String sessionId, JsonObject request, String key,
                               java.util.function.Function<HttpSession, Future<Answer>> here) {
    String home = homeOf(sessionId);
    if (home == null) {
      return Future.succeededFuture(Answer.noSession());
    }
    if (home.equals(nodeName)) {
      return local(sessionId, key, here);
    }
    long timeout = "poll".equals(request.getString("op")) ? config.longpollTimeoutMs() + 10_000 : HttpSession.REPLY_TIMEOUT_MS + 5_000;
    return remote(home, request.put("session", sessionId).put("key", key), timeout);
  }

  private Future<Answer> remote(String home, JsonObject request, long timeoutMs) {
    Context caller = vertx.getOrCreateContext();
    Promise<Answer> answer = VertxInternals.promise(caller);
    Set<Promise<Answer>> waiting = waitingOn.computeIfAbsent(home, h -> ConcurrentHashMap.newKeySet());
    waiting.add(answer);
    vertx.eventBus().<JsonObject>request(Addresses.sessions(home), request,
            new DeliveryOptions().setSendTimeout(timeoutMs))
        .map(m -> Answer.fromJson(m.body()))
        // No handler at the home node (it is gone) or no answer: the session is lost.
        .otherwise(e -> Answer.noSession())
        .onComplete(ar -> {
          waiting.remove(answer);
          answer.tryComplete(ar.result());
        });
    return answer.future();
  }

  /**
   * The cluster's members changed: a request relayed to a home node that left gets no answer, so it is
   * answered {@code session_not_found} now rather than when its timeout ends (a poll's is 35 s), and the
   * client connects again at once.
   */
  public void membersChanged(Set<String> liveNodes) {
    for (String home : waitingOn.keySet()) {
      if (!liveNodes.contains(home)) {
        Set<Promise<Answer>> waiting = waitingOn.remove(home);
        if (waiting != null) {
          waiting.forEach(p -> p.tryComplete(Answer.noSession()));
        }
      }
    }
  }

  private Future<Answer> local(String sessionId, String key, java.util.function.Function<HttpSession, Future<Answer>> op) {
    HttpSession session = sessions.get(sessionId);
    if (session == null) {
      EndedUnauthorized e = endedUnauthorized.get(sessionId);
      boolean expired = e != null && e.until() > System.currentTimeMillis() && key != null
          && MessageDigest.isEqual(e.key().getBytes(StandardCharsets.UTF_8), key.getBytes(StandardCharsets.UTF_8));
      return Future.succeededFuture(expired ? Answer.TOKEN_EXPIRED : Answer.noSession());
    }
    if (!keyMatches(session, key)) {
      return Future.succeededFuture(Answer.noSession());
    }
    Promise<Answer> answer = Promise.promise();
    session.context().runOnContext(v -> op.apply(session).onComplete(answer));
    return answer.future();
  }

  private static boolean keyMatches(HttpSession session, String key) {
    return key != null && MessageDigest.isEqual(session.session().key().getBytes(StandardCharsets.UTF_8),
        key.getBytes(StandardCharsets.UTF_8));
  }

  // ---- on the session's own event loop ----

  /**
   * The first {@code /send}: a new session here, which must begin with {@code connect}. A refused
   * connect answers 401, or 503 when the tenant has no room for another session.
   */
  Future<Answer> sendNew(EventLoopHub hub, JsonArray commands, String clientIp) {
    Promise<Answer> answer = Promise.promise();
    hub.context().runOnContext(v -> {
      HttpSession session = create(hub, clientIp);
      Promise<JsonArray> replies = Promise.promise();
      session.send(commands, replies);
      replies.future().onComplete(ar -> {
        if (session.session().isConnected()) {
          answer.complete(new Answer(200, ar.result().encode()));
        } else if (session.closed() && session.closeCode() == CloseCode.TRY_AGAIN_LATER) {
          // The tenant has no room for another session on this node.
          answer.complete(new Answer(503, ar.result().encode()));
        } else {
          // A connect refused or absent: the session ends with its first request.
          session.session().close(CloseCode.UNAUTHORIZED, "a new HTTP session must begin with a connect");
          answer.complete(new Answer(401, ar.result().encode()));
        }
      });
    });
    return answer.future();
  }

  private static Future<Answer> sendHere(HttpSession session, JsonArray commands) {
    Promise<JsonArray> replies = Promise.promise();
    session.send(commands, replies);
    return replies.future().map(r -> new Answer(200, r.encode()));
  }

  private Future<Answer> pollHere(HttpSession session, long cursor) {
    Promise<HttpSession.PollResult> result = Promise.promise();
    session.poll(cursor, config.longpollTimeoutMs(), result);
    return result.future().map(r -> {
      if (r == null) {
        session.session().close(CloseCode.GOING_AWAY, "cursor " + cursor + " no longer held");
        return Answer.noSession();
      }
      StringBuilder sb = new StringBuilder(64 + r.pushes().size() * 128).append("{\"cursor\":").append(r.cursor())
          .append(",\"messages\":[");
      for (int i = 0; i < r.pushes().size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        sb.append(new String(r.pushes().get(i).frame(), StandardCharsets.UTF_8));
      }
      return new Answer(200, sb.append("]}").toString());
    });
  }

  private Future<Answer> streamHere(HttpSession session, long cursor, Downstream downstream) {
    if (!session.stream(cursor, downstream)) {
      session.session().close(CloseCode.GOING_AWAY, "cursor " + cursor + " no longer held");
      return Future.succeededFuture(Answer.noSession());
    }
    return Future.succeededFuture(new Answer(200, "{}"));
  }

  // ---- requests from other nodes ----

  private void onRemoteRequest(Message<JsonObject> message) {
    JsonObject m = message.body();
    String sessionId = m.getString("session");
    String key = m.getString("key");
    switch (m.getString("op", "")) {
      case "send" -> local(sessionId, key, s -> sendHere(s, m.getJsonArray("commands")))
          .onComplete(ar -> message.reply(ar.result().toJson()));
      case "poll" -> local(sessionId, key, s -> pollHere(s, m.getLong("cursor", 0L)))
          .onComplete(ar -> message.reply(ar.result().toJson()));
      case "stream" -> local(sessionId, key, s -> streamHere(s, m.getLong("cursor", 0L),
          relays.downstream(s, m.getString("relayNode"), m.getString("relay"))))
          .onComplete(ar -> message.reply(ar.result().toJson()));
      case "drained" -> local(sessionId, key, s -> {
        SseRelays.drained(s.relayed(m.getString("relay")));
        return Future.succeededFuture(new Answer(200, "{}"));
      });
      case "detach" -> local(sessionId, key, s -> {
        s.detachRelay(m.getString("relay"));
        return Future.succeededFuture(new Answer(200, "{}"));
      });
      case "check" -> local(sessionId, key, s -> Future.succeededFuture(new Answer(200, "{}")))
          .onComplete(ar -> message.reply(ar.result().toJson()));
      case "alive" -> local(sessionId, key, s -> Future.succeededFuture(
          new Answer(s.isRelayCurrent(m.getString("relay")) ? 200 : 410, "{}")))
          .onComplete(ar -> message.reply(ar.result().toJson()));
      default -> message.fail(400, "unknown op");
    }
  }

  /** Checks that a relayed stream's session still exists and still streams to it; ends it otherwise. */
  private void checkRelay(String sessionId, String key, String relayId, SseStream stream) {
    if (stream.ended()) {
      return;
    }
    String home = homeOf(sessionId);
    remote(home, new JsonObject().put("op", "alive").put("session", sessionId).put("key", key).put("relay", relayId),
        config.sseKeepaliveMs()).onComplete(ar -> {
          if (ar.failed() || ar.result().status() != 200) {
            relays.release(relayId);
            stream.end();
          }
        });
  }

  // ---- downstreams ----

  /** An SSE stream on this node for a session of this node. */
  private static final class LocalSse implements Downstream {
    private final HttpSession session;
    private final SseStream stream;

    LocalSse(HttpSession session, SseStream stream) {
      this.session = session;
      this.stream = stream;
      stream.onClose(() -> session.context().runOnContext(v -> session.detach(this)));
      stream.drainHandler(() -> session.context().runOnContext(v -> session.downstreamWritable()));
    }

    @Override
    public void deliver(List<CursorBuffer.Entry> pushes) {
      stream.events(pushes);
    }

    @Override
    public boolean writable() {
      return stream.writable();
    }

    @Override
    public boolean oneShot() {
      return false;
    }

    @Override
    public void end() {
      stream.end();
    }
  }
}
