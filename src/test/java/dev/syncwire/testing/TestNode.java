package dev.syncwire.testing;

import dev.syncwire.NodeVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** A real node started in this JVM on free ports, with test tenants. */
public final class TestNode implements AutoCloseable {
  public static final String ADMIN_KEY = "test-admin-key";
  public static final String ACME_SECRET = "acme-test-secret-0123456789abcdef";
  public static final String OTHER_SECRET = "other-test-secret-0123456789abcdef";

  public final Vertx vertx;
  public final NodeVerticle node;
  private final String deploymentId;

  private TestNode(Vertx vertx, NodeVerticle node, String deploymentId) {
    this.vertx = vertx;
    this.node = node;
    this.deploymentId = deploymentId;
  }

  /**
   * The base configuration of test nodes: free ports, fast timers, tenants demo, acme, other, and no start-up
   * warm-up (it has tests of its own).
   */
  public static JsonObject baseConfig() {
    return new JsonObject()
        .put("warmup", new JsonObject().put("sessions", 0))
        .put("node", new JsonObject().put("id", "test-node").put("eventLoops", 2))
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("admin", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("key", ADMIN_KEY))
        .put("tenants", new JsonArray()
            .add(new JsonObject().put("id", "demo").put("anonymous", true).put("clientPublish", true))
            .add(new JsonObject().put("id", "acme").put("clientPublish", true)
                .put("keys", new JsonArray().add(new JsonObject().put("alg", "HS256").put("secret", ACME_SECRET))))
            .add(new JsonObject().put("id", "other").put("clientPublish", true)
                .put("keys", new JsonArray().add(new JsonObject().put("alg", "HS256").put("secret", OTHER_SECRET))))
            .add(new JsonObject().put("id", "readonly").put("anonymous", true).put("clientPublish", false)));
  }

  public static TestNode start() {
    return start(baseConfig());
  }

  /** Starts a node with {@code overrides} deep-merged over {@link #baseConfig()}. */
  public static TestNode startWith(JsonObject overrides) {
    return start(baseConfig().mergeIn(overrides, true));
  }

  /**
   * Starts a clustered node in this JVM: its own clustered Vert.x and Hazelcast member, joining the
   * members at {@code members} ("127.0.0.1:port") of cluster {@code clusterName}.
   */
  public static TestNode startClustered(String name, String clusterName, int hazelcastPort, String members,
                                        JsonObject overrides) {
    return startClustered(name, clusterName, hazelcastPort, members, overrides, new NodeVerticle());
  }

  /** As above, deploying {@code node} (for example one {@link NodeVerticle#withTracing traced}). */
  public static TestNode startClustered(String name, String clusterName, int hazelcastPort, String members,
                                        JsonObject overrides, NodeVerticle node) {
    JsonObject config = baseConfig().mergeIn(overrides, true);
    config.getJsonObject("node").put("id", name);
    config.put("cluster", config.getJsonObject("cluster", new JsonObject()).put("name", clusterName)
        .put("port", hazelcastPort).put("members", new JsonArray().add(members)));
    dev.syncwire.config.SyncwireConfig parsed = dev.syncwire.config.SyncwireConfig.fromJson(config);
    try {
      Vertx vertx = Vertx.builder().withClusterManager(new io.vertx.spi.cluster.hazelcast.HazelcastClusterManager(
          dev.syncwire.cluster.HazelcastConfigs.load(parsed.cluster(), name))).buildClustered()
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      return deploy(vertx, config, node);
    } catch (Exception e) {
      throw new IllegalStateException("clustered node did not start", e);
    }
  }

  public static TestNode start(JsonObject config) {
    return deploy(Vertx.vertx(), config, new NodeVerticle());
  }

  /** A node alone whose spans go to {@code tracing} (for example an in-memory exporter). */
  public static TestNode startTraced(dev.syncwire.telemetry.Tracing tracing) {
    return deploy(Vertx.vertx(), baseConfig(), new NodeVerticle().withTracing(tracing));
  }

  private static TestNode deploy(Vertx vertx, JsonObject config) {
    return deploy(vertx, config, new NodeVerticle());
  }

  private static TestNode deploy(Vertx vertx, JsonObject config, NodeVerticle node) {
    try {
      String id = vertx.deployVerticle(node, new DeploymentOptions().setConfig(config))
          .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      return new TestNode(vertx, node, id);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("node did not start", e);
    }
  }

  public int port() {
    return node.httpPort();
  }

  public int adminPort() {
    return node.adminPort();
  }

  public int sessions() {
    return node.hubs().sessionCount();
  }

  /** The sessions the node closed, per close code, as its {@code /metrics} gives them: for a failure's message. */
  public String closedByCode() {
    return Http.send(Http.request(adminPort(), "/metrics").header("Authorization", "Bearer " + ADMIN_KEY)).body()
        .lines().filter(line -> line.startsWith("syncwire_closes")).collect(Collectors.joining(", "));
  }

  /** A client on the shared client-side Vert.x, so clients never share the node's event loops. */
  public WsClient client() {
    return WsClient.open(clientVertx(), port());
  }

  /** A client speaking {@code codec}. */
  public WsClient client(WireCodec codec) {
    return WsClient.open(clientVertx(), port(), codec);
  }

  /** A client speaking {@code codec}, connected anonymously to tenant {@code demo}. */
  public WsClient demoClient(WireCodec codec) {
    WsClient c = client(codec);
    c.connectAnonymous("demo");
    return c;
  }

  private static Vertx clientVertx;

  /** One Vert.x instance for all test clients of this JVM. */
  public static synchronized Vertx clientVertx() {
    if (clientVertx == null) {
      clientVertx = Vertx.vertx();
    }
    return clientVertx;
  }

  /** A client connected anonymously to tenant {@code demo}. */
  public WsClient demoClient() {
    WsClient c = client();
    c.connectAnonymous("demo");
    return c;
  }

  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
