package dev.syncwire.session;

import dev.syncwire.auth.Authenticator;
import dev.syncwire.broker.ChannelBroker;
import dev.syncwire.broker.ChannelVerticle;
import dev.syncwire.broker.LocalChannelBroker;
import dev.syncwire.broker.TenantChannelSettings;
import dev.syncwire.config.SyncwireConfig;
import dev.syncwire.guard.MemoryGuard;
import dev.syncwire.protocol.JsonCodec;
import dev.syncwire.telemetry.NodeMetrics;
import dev.syncwire.telemetry.Tracing;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * A node's session layer without sockets: the real single-node broker (one channel shard), one
 * {@link EventLoopHub} and sessions over {@link FakeTransport}s, all sessions on one event-loop context.
 * Tests act on that context through {@link #onLoop} and read results on their own thread.
 */
final class SessionFixture {
  static final String NODE_ID = "unit-node";
  private static final long TIMEOUT_SECONDS = 10;

  final Vertx vertx;
  final Context context;
  final EventLoopHub hub;
  /** What the fixture's sessions reported. */
  final NodeMetrics metrics;
  final ChannelBroker broker;
  final SyncwireConfig config;
  final ConnectionLimits limits;
  private final SessionServices services;

  private SessionFixture(Vertx vertx, SyncwireConfig config, ChannelBroker broker) {
    this.vertx = vertx;
    this.config = config;
    this.broker = broker;
    this.context = vertx.getOrCreateContext();
    this.limits = ConnectionLimits.from(config.limits());
    MemoryGuard guard = new MemoryGuard(config.guard().heapHighPercent(), config.guard().heapLowPercent());
    this.metrics = new NodeMetrics(new SimpleMeterRegistry(), false);
    this.hub = new EventLoopHub(context, metrics);
    this.services = new SessionServices(vertx, NODE_ID, config.limits(), config.heartbeat(),
        new Authenticator(vertx, config.tenants()), broker, limits, guard, metrics, new Admission(guard),
        Tracing.disabled());
  }

  /**
   * Tenant {@code demo} (anonymous, may publish), no command rate, a tenant limit high enough never to
   * refuse but set (so that sessions are counted), and {@code overrides} merged in.
   */
  static SessionFixture start(Vertx vertx, JsonObject overrides) {
    return start(vertx, overrides, UnaryOperator.identity());
  }

  /** As {@link #start(Vertx, JsonObject)}, with the broker as the sessions see it wrapped by {@code wrap}. */
  static SessionFixture start(Vertx vertx, JsonObject overrides, UnaryOperator<ChannelBroker> wrap) {
    JsonObject json = new JsonObject()
        .put("limits", new JsonObject().put("commandRate", 0).put("connectionsPerTenant", 1000))
        .put("tenants", new JsonArray().add(new JsonObject().put("id", "demo").put("anonymous", true)
            .put("clientPublish", true)))
        .mergeIn(overrides, true);
    SyncwireConfig config = SyncwireConfig.fromJson(json);
    LocalChannelBroker broker = new LocalChannelBroker(vertx, TenantChannelSettings.from(config));
    await(vertx.deployVerticle(() -> new ChannelVerticle(broker), new io.vertx.core.DeploymentOptions())
        .toCompletionStage().toCompletableFuture());
    return new SessionFixture(vertx, config, wrap.apply(broker));
  }

  /** Opens a JSON session over {@code transport}; a peer that reads again makes the session drain. */
  Session open(FakeTransport transport) {
    return onLoop(() -> {
      Session session = new Session(services, hub, transport, JsonCodec.INSTANCE);
      transport.onWritable(() -> context.runOnContext(v -> session.onWritable()));
      session.open();
      return session;
    });
  }

  /** Opens a session and connects it anonymously to tenant {@code demo}. */
  Session connected(FakeTransport transport) {
    Session session = open(transport);
    send(session, "{\"id\":1,\"type\":\"connect\",\"tenant\":\"demo\"}");
    JsonObject reply = await(transport.separatesReplies() ? transport.replies(1) : transport.received(1)).get(0);
    if (!"connected".equals(reply.getString("type"))) {
      throw new AssertionError("connect failed: " + reply.encode());
    }
    return session;
  }

  /** Hands {@code frames} to {@code session} as inbound text messages, all in one event-loop turn. */
  void send(Session session, String... frames) {
    run(() -> {
      for (String frame : frames) {
        session.onText(frame);
      }
    });
  }

  /** Runs {@code action} on the sessions' context and waits for it. */
  void run(Runnable action) {
    onLoop(() -> {
      action.run();
      return null;
    });
  }

  /** Runs {@code action} on the sessions' context and returns its result on the calling thread. */
  <T> T onLoop(Callable<T> action) {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        result.complete(action.call());
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    });
    return await(result);
  }

  /** The frames of {@code type} among {@code frames}. */
  static List<JsonObject> ofType(List<JsonObject> frames, String type) {
    return frames.stream().filter(f -> type.equals(f.getString("type"))).toList();
  }

  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("nothing after " + TIMEOUT_SECONDS + " s", e);
    } catch (ExecutionException e) {
      throw new AssertionError("failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
