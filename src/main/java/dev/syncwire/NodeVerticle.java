package dev.syncwire;

import dev.syncwire.admin.AdminOperations;
import dev.syncwire.admin.AdminVerticle;
import dev.syncwire.admin.Dashboard;
import dev.syncwire.admin.NodeDrain;
import dev.syncwire.admin.ProcessLifecycle;
import dev.syncwire.admin.UserDisconnects;
import dev.syncwire.cluster.Addresses;
import dev.syncwire.session.Admission;
import dev.syncwire.telemetry.MetricNames;
import dev.syncwire.telemetry.MetricsEndpoint;
import dev.syncwire.telemetry.MetricsRegistries;
import dev.syncwire.telemetry.NodeMetrics;
import dev.syncwire.telemetry.Tracing;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.syncwire.admin.NodeStatus;
import dev.syncwire.auth.Authenticator;
import dev.syncwire.bridge.redis.RedisChannelHistory;
import dev.syncwire.bridge.redis.RedisBridgeVerticle;
import dev.syncwire.bridge.redis.RedisLink;
import dev.syncwire.broker.LogStore;
import dev.syncwire.broker.ChannelBroker;
import dev.syncwire.broker.ChannelVerticle;
import dev.syncwire.broker.LocalChannelBroker;
import dev.syncwire.broker.TenantChannelSettings;
import dev.syncwire.cluster.ClusterChannelBroker;
import dev.syncwire.cluster.ClusterVerticle;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import dev.syncwire.channel.ChannelLog;
import dev.syncwire.channel.HistoryBudget;
import dev.syncwire.config.ConfigException;
import dev.syncwire.config.ConfigKey;
import dev.syncwire.config.DevelopmentSettings;
import dev.syncwire.config.SyncwireConfig;
import dev.syncwire.guard.GuardVerticle;
import dev.syncwire.guard.MemoryGuard;
import dev.syncwire.internals.VertxInternals;
import dev.syncwire.session.ConnectionLimits;
import dev.syncwire.session.HeartbeatVerticle;
import dev.syncwire.session.Hubs;
import dev.syncwire.session.SessionServices;
import dev.syncwire.config.TenantConfig;
import dev.syncwire.transport.ClientFiles;
import dev.syncwire.transport.SelfWarmUp;
import dev.syncwire.transport.GatewayVerticle;
import dev.syncwire.transport.http.SessionDirectory;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.util.List;
import java.util.logging.Logger;

/**
 * The main verticle: validates the configuration, builds the node's services and deploys, in order,
 * the channel shards, the heartbeat, one gateway per event loop and the admin endpoint.
 */
public final class NodeVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(NodeVerticle.class.getName());

  /** The transports every node offers. */
  static final List<String> TRANSPORTS = List.of("websocket", "sse", "longpoll");

  private SyncwireConfig config;
  private SessionDirectory directory;
  private NodeStatus status;
  private Hubs hubs;
  private ChannelBroker broker;
  private MemoryGuard guard;
  private HistoryBudget historyBudget;
  private ConnectionLimits limits;
  private Admission admission;
  private NodeMetrics metrics;
  private NodeDrain drain;
  private String warmUpTenant;
  /** The node's connection to Redis; null when {@code redis.url} is empty. */
  private RedisLink redis;
  /** Set before deployment by tests that read spans; otherwise made from the configuration at start. */
  private Tracing tracing;

  @Override
  public Future<?> start() {
    try {
      config = SyncwireConfig.fromJson(withConcretePorts(config()));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    for (String warning : DevelopmentSettings.inForce(config)) {
      LOG.warning(warning);
    }
    String nodeId = config.node().id().isEmpty() ? randomNodeId() : config.node().id();
    int loops = config.node().eventLoops();
    hubs = new Hubs();
    limits = ConnectionLimits.from(config.limits());
    // The warm-up's tenant: anonymous, but under a name nobody outside this process can know.
    warmUpTenant = "warmup-" + randomNodeId().substring(2) + Long.toHexString(new SecureRandom().nextLong());
    List<TenantConfig> tenants = new java.util.ArrayList<>(config.tenants());
    if (config.operations().warmUpSessions() > 0) {
      tenants.add(new TenantConfig(warmUpTenant, List.of(), true, true, false, null, null, null));
    }
    Authenticator authenticator = new Authenticator(vertx, tenants);
    historyBudget = new HistoryBudget(config.channel().historyNodeMaxBytes(),
        config.channel().historyTenantMaxBytes());
    ChannelLog.useBudget(historyBudget);
    guard = new MemoryGuard(config.guard().heapHighPercent(), config.guard().heapLowPercent());
    admission = new Admission(guard);
    PrometheusMeterRegistry registry = MetricsRegistries.forNode();
    metrics = new NodeMetrics(registry, config.operations().metricsPerTenant());
    drain = new NodeDrain(vertx, hubs, admission, config.operations());
    if (tracing == null) {
      tracing = Tracing.configured(config.operations(), nodeId);
      if (tracing.enabled()) {
        LOG.info("recording traces (OTLP/HTTP to " + (config.operations().otelEndpoint().isEmpty()
            ? "the OTEL_* endpoint or localhost:4318" : config.operations().otelEndpoint()) + ")");
      }
    }
    Tracing.useForNode(tracing);
    if (config.redis().enabled()) {
      redis = new RedisLink(vertx, config.redis().url(), config.redis().timeoutMs());
      metrics.gauge(MetricNames.REDIS_UP, "1 while the node reaches Redis", () -> redis.isUp() ? 1 : 0);
      metrics.counter(MetricNames.REDIS_STATE_CHANGES, "changes between Redis reachable and not",
          redis::stateChanges);
    }
    // With history in Redis, channel logs are written there before a publish is acknowledged.
    LogStore logStore = config.redis().historyInRedis() ? new RedisChannelHistory(redis) : null;
    AdminOperations.UserDisconnect disconnect;
    Future<?> channels;
    java.util.function.Supplier<Future<io.vertx.core.json.JsonArray>> nodeStatuses = null;
    if (vertx.isClustered()) {
      HazelcastInstance hazelcast = ((HazelcastClusterManager) VertxInternals.clusterManager(vertx))
          .getHazelcastInstance();
      long sameName = ClusterVerticle.members(hazelcast).values().stream().filter(nodeId::equals).count();
      if (sameName > 1) {
        // Session ids and event-bus addresses use the name: two nodes with one name would mix them up.
        return Future.failedFuture(new ConfigException(SyncwireConfig.NODE_ID.path(),
            "must be unique in the cluster; another member is already named", nodeId));
      }
      ClusterChannelBroker clusterBroker = new ClusterChannelBroker(vertx, hazelcast,
          VertxInternals.clusterManager(vertx).getNodeId(), TenantChannelSettings.from(config),
          config.cluster().repairDelayMs(), config.cluster().publishBatch(), logStore);
      broker = clusterBroker;
      status = new NodeStatus(nodeId, config.heartbeat().intervalMs(), TRANSPORTS, hubs, guard, admission,
          () -> new java.util.TreeSet<>(ClusterVerticle.members(hazelcast).values()).stream().toList());
      clusterBroker.registerMetrics(metrics);
      String vertxNodeId = VertxInternals.clusterManager(vertx).getNodeId();
      vertx.eventBus().<JsonObject>consumer(Addresses.disconnect(vertxNodeId),
          m -> UserDisconnects.answer(hubs, m.body()).onSuccess(m::reply));
      disconnect = (tenant, user) -> UserDisconnects.onEveryNode(vertx,
          ClusterVerticle.members(hazelcast).keySet().stream().map(Addresses::disconnect).toList(), tenant, user);
      ClusterVerticle clusterVerticle = new ClusterVerticle(clusterBroker, hazelcast,
          config.cluster().announceIntervalMs(), status::localStatus, live -> {
            if (directory != null) {
              directory.membersChanged(live);
            }
          });
      clusterVerticle.registerMetrics(metrics);
      channels = vertx.deployVerticle(clusterVerticle);
      nodeStatuses = () -> ClusterVerticle.statuses(vertx, hazelcast);
    } else {
      LocalChannelBroker localBroker = new LocalChannelBroker(vertx, TenantChannelSettings.from(config), logStore);
      broker = localBroker;
      status = new NodeStatus(nodeId, config.heartbeat().intervalMs(), TRANSPORTS, hubs, guard, admission, null);
      disconnect = (tenant, user) -> UserDisconnects.onThisNode(hubs, tenant, user);
      channels = vertx.deployVerticle(() -> new ChannelVerticle(localBroker), new DeploymentOptions().setInstances(loops));
    }
    if (logStore != null) {
      status.requireStore(logStore::available);
    }
    SessionServices services = new SessionServices(vertx, nodeId, config.limits(), config.heartbeat(), authenticator,
        broker, limits, guard, metrics, admission, tracing);
    registerNodeMetrics();
    AdminOperations operations = new AdminOperations(new MetricsEndpoint(registry, metrics),
        config.operations().metricsRequireKey(), drain, disconnect, new Dashboard(vertx, status, broker, nodeStatuses,
        metrics, config.tenants().stream().map(TenantConfig::id).toList()));
    directory = new SessionDirectory(vertx, services, config.http());
    java.util.function.Supplier<Future<io.vertx.core.json.JsonArray>> statuses = nodeStatuses;
    // Read from the jar once, at start (a few hundred KB), and shared by every event loop's server.
    ClientFiles clientFiles = new ClientFiles(config.http().demoEnabled());

    Future<Void> redisStarted = redis == null ? Future.succeededFuture() : redis.start();
    return redisStarted
        .compose(v -> channels)
        .compose(id -> directory.start())
        .compose(id -> vertx.deployVerticle(new HeartbeatVerticle(hubs, config.heartbeat())))
        .compose(id -> vertx.deployVerticle(new GuardVerticle(guard, historyBudget, hubs, config.guard())))
        .compose(id -> vertx.deployVerticle(() -> new GatewayVerticle(config.http(), config.webSocket(), services, hubs,
            status, directory, clientFiles), new DeploymentOptions().setInstances(loops)))
        .compose(id -> vertx.deployVerticle(new AdminVerticle(status, broker, authenticator, config.admin(), statuses,
            operations)))
        // The Redis bridge (docs/redis.md); a child deployment, so it stops before stop() closes the link.
        .compose(id -> !config.redis().bridgeEnabled() ? Future.succeededFuture(id) : vertx.deployVerticle(
            new RedisBridgeVerticle(redis, broker, config, nodeId, metrics, admission::draining)))
        .compose(id -> warmUp())
        .onSuccess(id -> {
          status.ready(true);
          ProcessLifecycle.nodeStarted(vertx, drain, config.operations().drainGraceMs());
          LOG.info("Syncwire node " + nodeId + " serving clients on " + config.http().host() + ":"
              + config.http().port() + ", admin on " + config.admin().host() + ":" + config.admin().port());
        });
  }

  /** Runs the node's own warm-up (see {@link SelfWarmUp}) before it reports ready; never fails the start. */
  private Future<Void> warmUp() {
    int sessions = config.operations().warmUpSessions();
    if (sessions == 0) {
      return Future.succeededFuture();
    }
    // Stay within the node's own per-address and per-tenant bounds, if any.
    if (config.limits().connectionsPerIp() > 0) {
      sessions = Math.min(sessions, config.limits().connectionsPerIp());
    }
    if (config.limits().connectionsPerTenant() > 0) {
      sessions = Math.min(sessions, config.limits().connectionsPerTenant());
    }
    String host = config.http().host().equals("0.0.0.0") || config.http().host().equals("::") ? "127.0.0.1"
        : config.http().host();
    return SelfWarmUp.run(vertx, host, config.http().port(), config.http().tls().enabled(), warmUpTenant, sessions,
            config.operations().warmUpRounds(), config.operations().warmUpTimeoutMs())
        .onSuccess(r -> {
          String line = "warmed up in " + r.millis() + " ms: " + r.sessions() + " sessions, " + r.acked()
              + " publishes";
          if (r.problem() == null) {
            LOG.info(line);
          } else {
            LOG.warning(line + "; not all went through (" + r.problem() + "), ready anyway");
          }
        })
        .<Void>mapEmpty().recover(e -> {
          LOG.warning("warm-up failed (" + e.getMessage() + "), ready anyway");
          return Future.succeededFuture();
        });
  }

  private void registerNodeMetrics() {
    metrics.counter(MetricNames.DELIVERIES, "publications handed to subscriptions", hubs::deliveries);
    metrics.gauge(MetricNames.GUARD_ENGAGED, "1 while the memory guard sheds load", () -> guard.engaged() ? 1 : 0);
    metrics.gauge(MetricNames.GUARD_HEAP_PERCENT, "old generation in use after its last collection, in %",
        guard::usedPercent);
    metrics.counter(MetricNames.GUARD_ENGAGEMENTS, "times the memory guard engaged", guard::engagements);
    metrics.gauge(MetricNames.READY, "1 while the node takes new clients", () -> status.ready() ? 1 : 0);
    metrics.gauge(MetricNames.DRAINING, "1 while the node drains", () -> admission.draining() ? 1 : 0);
  }

  /** Traces through {@code tracing} instead of the configured exporter (call before deploying). */
  public NodeVerticle withTracing(Tracing tracing) {
    this.tracing = tracing;
    return this;
  }

  @Override
  public Future<?> stop() {
    if (status != null) {
      status.ready(false);
    }
    if (redis != null) {
      redis.close();
    }
    Tracing spans = tracing;
    // Flushing the exporter waits for the collector: not on the event loop.
    return spans == null || !spans.enabled() ? Future.succeededFuture()
        : vertx.executeBlocking(() -> {
          spans.close();
          return null;
        });
  }

  public SyncwireConfig syncwireConfig() {
    return config;
  }

  public NodeMetrics metrics() {
    return metrics;
  }

  public NodeDrain drain() {
    return drain;
  }

  public NodeStatus status() {
    return status;
  }

  public Hubs hubs() {
    return hubs;
  }

  public SessionDirectory directory() {
    return directory;
  }

  public MemoryGuard guard() {
    return guard;
  }

  public HistoryBudget historyBudget() {
    return historyBudget;
  }

  public ChannelBroker broker() {
    return broker;
  }

  public ConnectionLimits limits() {
    return limits;
  }

  public int httpPort() {
    return config.http().port();
  }

  public int adminPort() {
    return config.admin().port();
  }

  // Port 0 means "any free port"; resolve it once so every gateway instance shares the same port.
  private static JsonObject withConcretePorts(JsonObject json) {
    JsonObject copy = json == null ? new JsonObject() : json.copy();
    resolvePort(copy, SyncwireConfig.HTTP_PORT);
    resolvePort(copy, SyncwireConfig.ADMIN_PORT);
    return copy;
  }

  private static void resolvePort(JsonObject json, ConfigKey<Long> port) {
    Object given = SyncwireConfig.rawValue(json, port);
    // A file gives the port as an Integer, an override (-Dsyncwire.http.port=0) as a Long.
    if (given instanceof Number && ((Number) given).longValue() == 0) {
      try (ServerSocket socket = new ServerSocket(0)) {
        SyncwireConfig.put(json, port, (long) socket.getLocalPort());
      } catch (IOException e) {
        throw new IllegalStateException("cannot find a free port", e);
      }
    }
  }

  static String randomNodeId() {
    return "n-" + Integer.toString(new SecureRandom().nextInt(36 * 36 * 36 * 36), 36);
  }
}
