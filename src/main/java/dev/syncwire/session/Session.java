package dev.syncwire.session;

import dev.syncwire.protocol.TransportKind;
import dev.syncwire.auth.Principal;
import dev.syncwire.broker.ChannelBroker;
import dev.syncwire.broker.OutboundPublication;
import dev.syncwire.channel.ChannelId;
import dev.syncwire.channel.Position;
import dev.syncwire.channel.Since;
import dev.syncwire.config.LimitsConfig;
import dev.syncwire.config.SyncwireConfig;
import dev.syncwire.guard.MemoryGuard;
import dev.syncwire.protocol.ChannelNames;
import dev.syncwire.protocol.CloseCode;
import dev.syncwire.protocol.Command;
import dev.syncwire.protocol.ErrorCode;
import dev.syncwire.protocol.FrameCodec;
import dev.syncwire.protocol.MalformedFrameException;
import dev.syncwire.protocol.ProtocolException;
import dev.syncwire.protocol.ServerFrame;
import dev.syncwire.telemetry.LogContext;
import dev.syncwire.telemetry.NodeMetrics;
import dev.syncwire.telemetry.Tracing;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.vertx.core.Future;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client session: the protocol state machine of docs/protocol.md §3-§6 over any
 * {@link Transport}. Everything here runs on the session's event loop.
 */
public final class Session implements SwapList.Member {
  private static final Logger LOG = Logger.getLogger(Session.class.getName());
  private static final SecureRandom RANDOM = new SecureRandom();

  private enum State { AWAITING_CONNECT, CONNECTING, CONNECTED, CLOSED }

  private final SessionServices services;
  private final LimitsConfig limits;
  private final EventLoopHub hub;
  private final Transport transport;
  private final FrameCodec codec;
  private final OutboundBuffer outbound;
  private final TokenBucket commands;
  private final Map<String, Subscription> subscriptions = new HashMap<>(2);
  private final String id;
  private final String key;
  private State state = State.AWAITING_CONNECT;
  private Principal principal;
  private int missedPongs;
  private boolean flushPending;
  private long connectTimer = -1;
  private long expiryTimer = -1;
  /** Refreshes received and the latest one applied: an older token verified late must not replace a newer. */
  private long refreshes;
  private long appliedRefresh;
  private int listIndex = -1;
  /** The transport this session is counted under in the connection gauge. */
  private TransportKind openedAs;
  private long openedAtMillis;
  /** The {@code ws.connection} span, once started (only while tracing is on). */
  private Span connectionSpan;
  /** How the session ended, for its span: set by {@link #close} or by the peer's close. */
  private int closeCode = CloseCode.GOING_AWAY.code();
  private String closeReason = "connection lost";
  /** The tenant this session is counted against in {@link ConnectionLimits}, once connected. */
  private String countedTenant;
  /** Commands pipelined behind a {@code connect} whose token is still being verified. */
  private final List<Runnable> heldWhileConnecting = new ArrayList<>(0);
  /** At most this many; a client that sends more before {@code connected} gets {@code rate_limited}. */
  static final int MAX_HELD_WHILE_CONNECTING = 64;

  public Session(SessionServices services, EventLoopHub hub, Transport transport, FrameCodec codec) {
    this.services = services;
    this.limits = services.limits();
    this.hub = hub;
    this.transport = transport;
    this.codec = codec;
    this.outbound = new OutboundBuffer(transport, codec, limits.outboundBufferBytes(), limits.outboundHighWaterBytes(),
        services.metrics());
    this.commands = new TokenBucket(limits.commandRate(), limits.commandBurst());
    // The home node's name is part of the id: any node can route a session's requests to its home.
    this.id = "s_" + randomToken(12) + "." + services.nodeId();
    this.key = randomToken(24);
  }

  /** Starts the session: registers it with its event loop and arms the connect deadline. */
  public void open() {
    hub.addSession(this);
    openedAs = transport.kind();
    services.metrics().connectionOpened(openedAs);
    openedAtMillis = System.currentTimeMillis();
    connectTimer = services.vertx().setTimer(limits.connectTimeoutMs(), t -> {
      connectTimer = -1;
      if (state == State.AWAITING_CONNECT || state == State.CONNECTING) {
        close(CloseCode.UNAUTHORIZED, "no connect within " + limits.connectTimeoutMs() + " ms");
      }
    });
  }

  public String id() {
    return id;
  }

  /** The tenant of the connected user, for log lines; null before {@code connect} succeeds. */
  public String tenant() {
    return principal == null ? null : principal.tenant();
  }

  /** The secret that HTTP requests of this session must present. */
  public String key() {
    return key;
  }

  public EventLoopHub hub() {
    return hub;
  }

  public boolean isClosed() {
    return state == State.CLOSED;
  }

  /** Whether a {@code connect} succeeded and the session is not closed. */
  public boolean isConnected() {
    return state == State.CONNECTED;
  }

  /** Handles one inbound text message. */
  public void onText(String text) {
    if (state != State.CLOSED) {
      onMessage(text, null);
    }
  }

  /** Handles one inbound binary message. */
  public void onBinary(byte[] bytes) {
    if (state != State.CLOSED) {
      onMessage(null, bytes);
    }
  }

  private void onMessage(String text, byte[] bytes) {
    if (connectionSpan != null && connectionSpan.isRecording()) {
      long size = text != null ? text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length : bytes.length;
      connectionSpan.addEvent(Tracing.MESSAGE_EVENT, Attributes.of(Tracing.MESSAGE_SIZE, size));
    }
    Command command;
    try {
      command = text != null ? codec.decodeText(text) : codec.decode(bytes);
    } catch (MalformedFrameException e) {
      close(CloseCode.MALFORMED_FRAME, e.getMessage());
      return;
    } catch (ProtocolException e) {
      if (state == State.CONNECTING) {
        holdWhileConnecting(e.commandId(), () -> sendError(e));
      } else if (state != State.CONNECTED) {
        refuseBeforeConnect(e.commandId(), e.getMessage());
      } else {
        sendError(e);
      }
      return;
    }
    onCommand(command);
  }

  /** Handles one decoded command (the HTTP transports decode a batch themselves). */
  public void onCommand(Command command) {
    if (state == State.CLOSED) {
      return;
    }
    long wait = commands.take();
    if (wait > 0) {
      services.metrics().rateLimited(transport.kind());
      send(new ServerFrame.Error(command.id(), ErrorCode.RATE_LIMITED, "too many commands", true, wait, null));
      return;
    }
    handleReplyingToFailures(command);
  }

  /** Bytes this session holds on their way to its peer: its outbound queue and what its transport keeps. */
  long queuedBytes() {
    return state == State.CLOSED ? 0 : outbound.queuedBytes() + transport.pendingBytes() + transport.retainedBytes();
  }

  /**
   * A WebSocket ping from the peer: it costs a command of the rate like any other. Returns whether the
   * transport should answer it; past the rate the session is closed instead, since a pong cannot be
   * refused with an error reply.
   */
  public boolean onPing() {
    if (state == State.CLOSED) {
      return false;
    }
    if (commands.take() > 0) {
      close(CloseCode.RATE_LIMITED, "too many ping frames");
      return false;
    }
    return true;
  }

  /** The transport now reports another {@link Transport#kind()} (an HTTP session moved between SSE and polls). */
  public void transportKindChanged() {
    TransportKind now = transport.kind();
    if (openedAs != null && state != State.CLOSED && now != openedAs) {
      services.metrics().transportSwitched(openedAs, now);
      openedAs = now;
    }
  }

  /** The client resumed its downstream after a cursor: a reconnect, for the metrics. */
  public void resumed() {
    services.metrics().reconnect(transport.kind());
  }

  public void onPong() {
    missedPongs = 0;
  }

  private void handle(Command command) {
    if (command instanceof Command.Connect) {
      connect((Command.Connect) command);
      return;
    }
    if (state == State.CONNECTING) {
      // Sent right behind the connect, while its token is verified: run once the session is connected.
      holdWhileConnecting(command.id(), () -> handleReplyingToFailures(command));
      return;
    }
    if (state != State.CONNECTED) {
      refuseBeforeConnect(command.id(), "connect must be the first command");
      return;
    }
    if ((command instanceof Command.Subscribe || command instanceof Command.Publish)
        && services.guard().engaged()) {
      throw new ProtocolException(ErrorCode.OVERLOADED, "node under memory pressure, retry later", null, null,
          MemoryGuard.RETRY_AFTER_MS);
    }
    if (command instanceof Command.Subscribe) {
      subscribe((Command.Subscribe) command);
    } else if (command instanceof Command.Unsubscribe) {
      unsubscribe((Command.Unsubscribe) command);
    } else if (command instanceof Command.Publish) {
      publish((Command.Publish) command);
    } else if (command instanceof Command.Ping) {
      send(new ServerFrame.Pong(command.id()));
    } else if (command instanceof Command.Refresh) {
      refresh((Command.Refresh) command);
    }
  }

  /**
   * A later token for the same user and tenant (docs/protocol.md §5.4): the session keeps its subscriptions
   * and takes the new token's expiry and claims. Another user or tenant is {@code forbidden} and closes the
   * session; a token that does not verify is {@code unauthorized} and leaves the old expiry in force.
   * Refreshes complete in the order they verify; a refresh that verifies after a later one has been
   * applied is answered but changes nothing.
   */
  private void refresh(Command.Refresh command) {
    long generation = ++refreshes;
    services.authenticator().authenticate(command.token()).onComplete(ar -> {
      if (state != State.CONNECTED) {
        return;
      }
      if (ar.failed()) {
        services.metrics().authFailure();
        String message = ar.cause() instanceof ProtocolException ? ar.cause().getMessage() : "authentication failed";
        send(ServerFrame.Error.of(command.id(), ErrorCode.UNAUTHORIZED, message + "; the current token stays"));
        return;
      }
      Principal next = ar.result();
      if (!next.tenant().equals(principal.tenant()) || !next.user().equals(principal.user())) {
        String message = "a refresh token must be for the same user and tenant";
        send(ServerFrame.Error.of(command.id(), ErrorCode.FORBIDDEN, message));
        close(CloseCode.FORBIDDEN, message);
        return;
      }
      if (generation > appliedRefresh) {
        appliedRefresh = generation;
        principal = next;
        cancelTimer(expiryTimer);
        expiryTimer = -1;
        armExpiry(next);
      }
      Long expiresAt = principal.expiresAtMs() > 0 ? principal.expiresAtMs() : null;
      send(new ServerFrame.Refreshed(command.id(), expiresAt));
    });
  }

  private void refuseBeforeConnect(Long commandId, String message) {
    send(ServerFrame.Error.of(commandId, ErrorCode.UNAUTHORIZED, message));
    close(CloseCode.UNAUTHORIZED, message);
  }

  private void connect(Command.Connect command) {
    if (state != State.AWAITING_CONNECT) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "already connected");
    }
    state = State.CONNECTING;
    if (services.tracing().enabled()) {
      connectionSpan = startConnectionSpan(command.traceparent());
    }
    Future<Principal> auth;
    if (command.token() != null) {
      auth = services.authenticator().authenticate(command.token());
    } else {
      try {
        auth = Future.succeededFuture(services.authenticator().anonymous(command.tenant(), "anon-" + id));
      } catch (ProtocolException e) {
        auth = Future.failedFuture(e);
      }
    }
    auth.onComplete(ar -> {
      if (state != State.CONNECTING) {
        return;
      }
      if (ar.failed()) {
        services.metrics().authFailure();
        String message = ar.cause() instanceof ProtocolException ? ar.cause().getMessage() : "authentication failed";
        refuseBeforeConnect(command.id(), message);
        return;
      }
      onAuthenticated(command.id(), ar.result());
    });
  }

  private void onAuthenticated(long commandId, Principal principal) {
    if (!services.connections().tryAcquireTenant(principal.tenant())) {
      String message = "tenant " + principal.tenant() + " has its " + services.connections().perTenantLimit()
          + " connections on this node";
      send(new ServerFrame.Error(commandId, ErrorCode.OVERLOADED, message, true,
          ConnectionLimits.RETRY_AFTER_SECONDS * 1000L, null));
      close(CloseCode.TRY_AGAIN_LATER, message);
      return;
    }
    countedTenant = principal.tenant();
    this.principal = principal;
    state = State.CONNECTED;
    cancelTimer(connectTimer);
    connectTimer = -1;
    armExpiry(principal);
    send(new ServerFrame.Connected(commandId, id, key, principal.user(), principal.tenant(), services.nodeId(),
        services.heartbeat().intervalMs()));
    runHeldCommands();
  }

  /**
   * Keeps what a command pipelined behind the {@code connect} needs done (running it, or answering its
   * error) until the session is connected, so that its reply comes after {@code connected}.
   */
  private void holdWhileConnecting(Long commandId, Runnable work) {
    if (heldWhileConnecting.size() >= MAX_HELD_WHILE_CONNECTING) {
      send(new ServerFrame.Error(commandId, ErrorCode.RATE_LIMITED, "more than " + MAX_HELD_WHILE_CONNECTING
          + " commands sent before connected", true, 100L, null));
      return;
    }
    heldWhileConnecting.add(work);
  }

  /** What arrived while the connect was being verified, in its order. */
  private void runHeldCommands() {
    if (heldWhileConnecting.isEmpty()) {
      return;
    }
    List<Runnable> held = new ArrayList<>(heldWhileConnecting);
    heldWhileConnecting.clear();
    for (Runnable work : held) {
      if (state != State.CONNECTED) {
        return;
      }
      work.run();
    }
  }

  /** Handles a command; a failure becomes its error reply (an unexpected one, {@code internal}). */
  private void handleReplyingToFailures(Command command) {
    try {
      handle(command);
    } catch (ProtocolException e) {
      sendError(e.withCommandId(command.id()));
    } catch (RuntimeException e) {
      LogContext.log(LOG, Level.WARNING, id, tenant(), () -> "command failed in session " + id, e);
      send(ServerFrame.Error.of(command.id(), ErrorCode.INTERNAL, "internal error"));
    }
  }

  /** Closes the session {@code 4001} when the token of {@code principal} expires, if it does. */
  private void armExpiry(Principal principal) {
    if (principal.expiresAtMs() > 0) {
      long delay = Math.max(1, principal.expiresAtMs() - System.currentTimeMillis());
      expiryTimer = services.vertx().setTimer(delay, t -> {
        expiryTimer = -1;
        close(CloseCode.UNAUTHORIZED, "token expired");
      });
    }
  }

  private void subscribe(Command.Subscribe command) {
    String name = command.channel();
    if (!principal.maySubscribe(name)) {
      throw new ProtocolException(ErrorCode.FORBIDDEN, "not allowed to subscribe to " + name);
    }
    Subscription previous = subscriptions.get(name);
    if (previous == null && subscriptions.size() >= limits.maxSubscriptions()) {
      throw new ProtocolException(ErrorCode.TOO_LARGE,
          "subscription limit of " + limits.maxSubscriptions() + " reached");
    }
    if (previous != null) {
      dropSubscription(previous);
    }
    ChannelId channel = new ChannelId(principal.tenant(), name);
    Subscription subscription = new Subscription(this, channel, command.id());
    subscriptions.put(name, subscription);
    hub.addSubscription(subscription);
    Command.Since asked = command.since();
    Since since = asked == null ? Since.NONE : new Since(asked.epoch(), asked.seq());
    if (asked != null) {
      services.metrics().reconnect(transport.kind());
    }
    services.broker().subscribe(channel, since, hub).onComplete(ar -> {
      if (state == State.CLOSED) {
        return;
      }
      if (asked != null && ar.succeeded()) {
        services.metrics().recovery(ar.result().recovered());
      }
      if (ar.failed()) {
        if (!subscription.cancelled()) {
          subscriptions.remove(name, subscription);
          hub.removeSubscription(subscription);
          subscription.cancel();
        }
        sendError(failure(ar.cause()).withCommandId(command.id()));
      } else if (subscription.cancelled()) {
        // Overtaken by an unsubscribe or a resubscribe: every command still gets its one reply
        // (docs/protocol.md §3.1), and an overtaking unsubscribe's reply waits for this one.
        sendSubscribed(command.id(), subscription, ar.result());
      } else {
        subscription.activate(ar.result());
      }
      subscription.answered();
    });
  }

  private void unsubscribe(Command.Unsubscribe command) {
    Subscription subscription = subscriptions.get(command.channel());
    ServerFrame.Unsubscribed reply = new ServerFrame.Unsubscribed(command.id(), command.channel());
    if (subscription == null) {
      send(reply, command.channel());
      return;
    }
    dropSubscription(subscription);
    subscription.afterAnswer(() -> send(reply, command.channel()));
  }

  private void publish(Command.Publish command) {
    String name = command.channel();
    if (!principal.mayPublish(name)) {
      throw new ProtocolException(ErrorCode.FORBIDDEN, "not allowed to publish to " + name);
    }
    ChannelId channel = new ChannelId(principal.tenant(), name);
    long received = System.nanoTime();
    services.metrics().publish(transport.kind(), principal.tenant());
    Span span = services.tracing().enabled() ? startPublishSpan(command, channel) : null;
    services.broker().publish(channel, new ChannelBroker.PublishRequest(command.key(), command.dataJson(),
            command.patchJson(), span == null ? null : Tracing.traceparent(span)))
        .onComplete(ar -> {
          if (span != null) {
            endPublishSpan(span, ar.succeeded() ? ar.result() : null, ar.cause());
          }
          if (state == State.CLOSED) {
            return;
          }
          if (ar.succeeded()) {
            ChannelBroker.PublishAck r = ar.result();
            services.metrics().acked(r.duplicate(), System.nanoTime() - received);
            send(new ServerFrame.Ack(command.id(), name, r.seq(), r.epoch(), r.duplicate()));
          } else {
            sendError(failure(ar.cause()).withCommandId(command.id()));
          }
        });
  }

  private Span startConnectionSpan(String traceparent) {
    Tracing tracing = services.tracing();
    String protocol = transport.kind() == TransportKind.WEBSOCKET ? codec.subprotocol() : transport.kind().label();
    return tracing.tracer().spanBuilder(Tracing.CONNECTION_SPAN).setSpanKind(SpanKind.SERVER)
        .setParent(tracing.parentOf(traceparent))
        .setStartTimestamp(openedAtMillis, java.util.concurrent.TimeUnit.MILLISECONDS)
        .setAttribute(Tracing.CLIENT_ID, id).setAttribute(Tracing.PROTOCOL, protocol).startSpan();
  }

  /** Ends the connection's span: status OK only for a normal close (1000). */
  private void endConnectionSpan() {
    if (!services.tracing().enabled()) {
      return;
    }
    Span span = connectionSpan != null ? connectionSpan : startConnectionSpan(null);
    connectionSpan = null;
    span.setAttribute(Tracing.CLOSE_CODE, (long) closeCode).setAttribute(Tracing.CLOSE_REASON, closeReason)
        .setAttribute(Tracing.CONNECTION_DURATION, System.currentTimeMillis() - openedAtMillis);
    if (principal != null) {
      span.setAttribute(Tracing.TENANT, principal.tenant());
    }
    span.setStatus(closeCode == CloseCode.NORMAL.code() ? StatusCode.OK : StatusCode.ERROR, closeReason);
    span.end();
  }

  /**
   * A publish's span: a child of the client's {@code traceparent} when it gave one, else a trace of its own
   * linked to the connection's (a connection lives for hours; its publishes should not all share its trace).
   */
  private Span startPublishSpan(Command.Publish command, ChannelId channel) {
    Tracing tracing = services.tracing();
    var builder = tracing.tracer().spanBuilder(Tracing.PUBLISH_SPAN).setSpanKind(SpanKind.SERVER)
        .setParent(tracing.parentOf(command.traceparent())).setAttribute(Tracing.CHANNEL, channel.name())
        .setAttribute(Tracing.TENANT, channel.tenant()).setAttribute(Tracing.TRANSPORT, transport.kind().label());
    if (command.traceparent() == null && connectionSpan != null) {
      builder.addLink(connectionSpan.getSpanContext());
    }
    return builder.startSpan();
  }

  /** Ends a publish's span with the position it got, or as an error. */
  public static void endPublishSpan(Span span, ChannelBroker.PublishAck ack, Throwable failure) {
    if (ack != null) {
      span.setAttribute(Tracing.SEQ, ack.seq()).setAttribute(Tracing.EPOCH, ack.epoch());
    } else {
      span.setStatus(StatusCode.ERROR, failure == null ? "failed" : String.valueOf(failure.getMessage()));
    }
    span.end();
  }

  private ProtocolException failure(Throwable cause) {
    if (cause instanceof ProtocolException) {
      return (ProtocolException) cause;
    }
    LogContext.log(LOG, Level.WARNING, id, tenant(), () -> "broker call failed", cause);
    return new ProtocolException(ErrorCode.UNAVAILABLE, "channel temporarily unavailable");
  }

  void sendSubscribed(long commandId, Subscription subscription, Position result) {
    String name = subscription.channel.name();
    java.util.List<ServerFrame.Pub> pubs = null;
    if (result.recovered()) {
      pubs = new java.util.ArrayList<>(result.pubs().size());
      for (var p : result.pubs()) {
        pubs.add(OutboundPublication.toFrame(name, p));
      }
    }
    send(new ServerFrame.Subscribed(commandId, name, result.epoch(), result.seq(), result.recovered(), pubs,
        result.snapshotJson()), name);
  }

  /** Ends a subscription that cannot continue in order and tells the client. */
  void resetSubscription(Subscription subscription, String reason) {
    if (subscription.cancelled()) {
      return;
    }
    subscriptions.remove(subscription.channel.name(), subscription);
    dropSubscription(subscription);
    services.metrics().reset(reason);
    send(new ServerFrame.Reset(subscription.channel.name(), reason), subscription.channel.name());
  }

  private void dropSubscription(Subscription subscription) {
    subscriptions.remove(subscription.channel.name(), subscription);
    subscription.cancel();
    hub.removeSubscription(subscription);
    services.broker().unsubscribe(subscription.channel, hub);
  }

  /** Queues a publication's shared frame. */
  void push(OutboundPublication publication) {
    if (state != State.CLOSED) {
      afterOffer(outbound.offer(publication));
    }
  }

  private void send(ServerFrame frame) {
    send(frame, null);
  }

  /** Queues a reply or push; {@code channel} names the channel it is about, if any. */
  private void send(ServerFrame frame, String channel) {
    if (state == State.CLOSED) {
      return;
    }
    Long replyTo = frame.replyTo();
    if (replyTo != null && transport.separatesReplies()) {
      transport.reply(replyTo, codec.encode(frame));
      return;
    }
    afterOffer(outbound.offer(codec.encode(frame), channel));
  }

  private void sendError(ProtocolException e) {
    send(e.toFrame());
  }

  private void afterOffer(boolean withinLimit) {
    if (!withinLimit && transport.resetsOnOverflow()) {
      // Give up the channels that fill the buffer, one at a time, and tell the client.
      String channel;
      while (!outbound.withinLimit() && (channel = outbound.heaviestChannel()) != null) {
        services.metrics().framesDropped(NodeMetrics.DropReason.CHANNEL_RESET, outbound.dropChannel(channel));
        Subscription s = subscriptions.get(channel);
        if (s != null) {
          resetSubscription(s, "slow_consumer");
        }
      }
      withinLimit = outbound.withinLimit();
    }
    if (!withinLimit) {
      services.metrics().framesDropped(NodeMetrics.DropReason.SLOW_CONSUMER, outbound.clear());
      close(CloseCode.SLOW_CONSUMER, "outbound buffer over " + limits.outboundBufferBytes() + " bytes");
      return;
    }
    if (!flushPending) {
      flushPending = true;
      hub.flushLater(this);
    }
  }

  /** Flushes the transport if something was queued since the last flush. */
  void flushIfPending() {
    if (!flushPending) {
      return;
    }
    flushPending = false;
    if (state != State.CLOSED) {
      transport.flush();
    }
  }

  /** The transport has room again: move waiting frames to it. */
  public void onWritable() {
    if (state != State.CLOSED && outbound.drainToTransport()) {
      transport.flush();
    }
  }

  void heartbeat(int maxMissedPongs) {
    if (state == State.CLOSED || !transport.usesHeartbeat()) {
      return;
    }
    if (missedPongs >= maxMissedPongs) {
      release();
      transport.terminate();
      return;
    }
    missedPongs++;
    transport.ping();
  }

  /** Whether this session is connected as {@code user} of {@code tenant}. */
  boolean belongsTo(String tenant, String user) {
    return state == State.CONNECTED && principal.tenant().equals(tenant) && principal.user().equals(user);
  }

  /**
   * The node is leaving: a {@code reconnect} push telling the client when to come back (to another node),
   * sent at once, then close {@code 1012}.
   */
  void drain(long delayMs) {
    if (state == State.CLOSED) {
      return;
    }
    send(new ServerFrame.Reconnect(delayMs, "draining"));
    onWritable();
    transport.flush();
    close(CloseCode.SERVICE_RESTART, "draining");
  }

  /** Closes the session and its transport with {@code code}. */
  public void close(CloseCode code, String reason) {
    if (state == State.CLOSED) {
      return;
    }
    // Most closes are the client's doing (a bad token or frame, a limit): worth a line when debugging, no more.
    LogContext.log(LOG, Level.FINE, id, tenant(), () -> "session " + id + " closed with " + code.code() + ": " + reason,
        null);
    services.metrics().closed(code.code());
    closeCode = code.code();
    closeReason = reason;
    release();
    transport.close(code, reason);
  }

  /** The transport is gone (closed by either side): free everything. */
  public void onTransportClosed() {
    release();
  }

  /** The peer closed the connection, with {@code code} and {@code reason} if it sent a close frame. */
  public void onTransportClosed(Short code, String reason) {
    if (state != State.CLOSED && code != null) {
      closeCode = code;
      closeReason = reason == null ? "" : reason;
    }
    release();
  }

  private void release() {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    cancelTimer(connectTimer);
    cancelTimer(expiryTimer);
    if (countedTenant != null) {
      services.connections().releaseTenant(countedTenant);
      countedTenant = null;
    }
    for (Subscription s : new ArrayList<>(subscriptions.values())) {
      dropSubscription(s);
    }
    subscriptions.clear();
    heldWhileConnecting.clear();
    outbound.clear();
    hub.removeSession(this);
    if (openedAs != null) {
      services.metrics().connectionClosed(openedAs);
    }
    endConnectionSpan();
  }

  private void cancelTimer(long timerId) {
    if (timerId >= 0) {
      services.vertx().cancelTimer(timerId);
    }
  }

  int subscriptionCount() {
    return subscriptions.size();
  }

  @Override
  public int listIndex() {
    return listIndex;
  }

  @Override
  public void listIndex(int index) {
    this.listIndex = index;
  }

  private static String randomToken(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
