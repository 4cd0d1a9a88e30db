package dev.syncwire;

import dev.syncwire.admin.AdminVerticle;
import dev.syncwire.admin.NodeStatus;
import dev.syncwire.auth.Authenticator;
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
import dev.syncwire.transport.ClientFiles;
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
    Authenticator authenticator = new Authenticator(vertx, config.tenants());
    historyBudget = new HistoryBudget(config.channel().historyNodeMaxBytes(),
        config.channel().historyTenantMaxBytes());
    ChannelLog.useBudget(historyBudget);
    guard = new MemoryGuard(config.guard().heapHighPercent(), config.guard().heapLowPercent());
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
          config.cluster().repairDelayMs(), config.cluster().publishBatch());
      broker = clusterBroker;
      status = new NodeStatus(nodeId, config.heartbeat().intervalMs(), TRANSPORTS, hubs, guard,
          () -> new java.util.TreeSet<>(ClusterVerticle.members(hazelcast).values()).stream().toList());
      channels = vertx.deployVerticle(new ClusterVerticle(clusterBroker, hazelcast,
          config.cluster().announceIntervalMs(), status::localStatus));
      nodeStatuses = () -> ClusterVerticle.statuses(vertx, hazelcast);
    } else {
      LocalChannelBroker localBroker = new LocalChannelBroker(vertx, TenantChannelSettings.from(config));
      broker = localBroker;
      status = new NodeStatus(nodeId, config.heartbeat().intervalMs(), TRANSPORTS, hubs, guard, null);
      channels = vertx.deployVerticle(() -> new ChannelVerticle(localBroker), new DeploymentOptions().setInstances(loops));
    }
    SessionServices services = new SessionServices(vertx, nodeId, config.limits(), config.heartbeat(), authenticator,
        broker, limits, guard);
    directory = new SessionDirectory(vertx, services, config.http());
    java.util.function.Supplier<Future<io.vertx.core.json.JsonArray>> statuses = nodeStatuses;
    // Read from the jar once, at start (a few hundred KB), and shared by every event loop's server.
    ClientFiles clientFiles = new ClientFiles(config.http().demoEnabled());

    return channels
        .compose(id -> directory.start())
        .compose(id -> vertx.deployVerticle(new HeartbeatVerticle(hubs, config.heartbeat())))
        .compose(id -> vertx.deployVerticle(new GuardVerticle(guard, historyBudget, hubs, config.guard())))
        .compose(id -> vertx.deployVerticle(() -> new GatewayVerticle(config.http(), config.webSocket(), services, hubs,
            status, directory, clientFiles), new DeploymentOptions().setInstances(loops)))
        .compose(id -> vertx.deployVerticle(new AdminVerticle(status, broker, authenticator, config.admin(), statuses)))
        .onSuccess(id -> {
          status.ready(true);
          LOG.info("Syncwire node " + nodeId + " serving clients on " + config.http().host() + ":"
              + config.http().port() + ", admin on " + config.admin().host() + ":" + config.admin().port());
        });
  }

  @Override
  public Future<?> stop() {
    if (status != null) {
      status.ready(false);
    }
    return Future.succeededFuture();
  }

  public SyncwireConfig syncwireConfig() {
    return config;
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
