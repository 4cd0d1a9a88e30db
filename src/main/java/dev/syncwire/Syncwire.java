package dev.syncwire;

import dev.syncwire.config.ConfigException;
import dev.syncwire.config.SyncwireConfig;
import dev.syncwire.cluster.HazelcastConfigs;
import dev.syncwire.admin.ProcessLifecycle;
import dev.syncwire.telemetry.MetricsRegistries;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The jar's entry point: the Vert.x launcher ({@code -conf}, {@code --cluster}, ...) with Syncwire's
 * configuration handling, and Syncwire's own {@code --help} and {@code --version}. Without {@code -conf} the embedded {@code conf/node.json} is used. Overrides
 * come from {@code -Dsyncwire.<key>} and {@code SYNCWIRE_<KEY>}; a bad configuration stops the process
 * with one line naming the key.
 */
public class Syncwire extends VertxApplication implements VertxApplicationHooks {
  /** Exit status when the configuration is invalid. */
  public static final int EXIT_BAD_CONFIG = 78;
  /** Exit status when the command line cannot be read (the launcher's too). */
  public static final int EXIT_USAGE = 2;
  /** Vert.x worker threads unless the launcher's options say otherwise. */
  static final int WORKER_THREADS = 4;
  static final String EMBEDDED_CONFIG = "/syncwire/node.json";
  /**
   * Starts, warms up, then drains and exits 0: the training run of the class-data-sharing archive
   * ({@code -XX:ArchiveClassesAtExit}) that the build makes.
   */
  static final String EXIT_WHEN_READY = "--exit-when-ready";

  private final boolean clustered;
  private SyncwireConfig config;

  public Syncwire(String[] args) {
    // The launcher's parser reports an unknown option with its usage already; do not print it twice.
    super(args, null, false, true);
    this.clustered = java.util.Arrays.stream(args).anyMatch(a -> a.equals("-cluster") || a.equals("--cluster")
        || a.equals("-c"));
  }

  public static void main(String[] args) {
    for (String a : args) {
      if (a.equals("--help") || a.equals("-help") || a.equals("-h")) {
        System.out.print(Usage.text());
        return;
      }
      if (a.equals("--version") || a.equals("-version")) {
        System.out.println(Usage.version());
        return;
      }
      if (a.startsWith("-D") || a.startsWith("-X")) {
        System.err.println("syncwire: " + a + " is a JVM option: it goes before -jar (java " + a
            + " -jar syncwire.jar); see --help");
        System.exit(EXIT_USAGE);
      }
    }
    String conf = confArgument(args);
    if (conf != null && !isJsonObject(conf)) {
      NodeLogs.printError("syncwire: the -conf file '" + conf + "' cannot be read or is not a JSON object", null);
      System.exit(EXIT_BAD_CONFIG);
    }
    boolean exitWhenReady = java.util.Arrays.asList(args).contains(EXIT_WHEN_READY);
    ProcessLifecycle.installForProcess(exitWhenReady);
    new Syncwire(java.util.Arrays.stream(args).filter(a -> !a.equals(EXIT_WHEN_READY)).toArray(String[]::new))
        .launch();
  }

  // The launcher only logs a warning for an unreadable -conf and goes on with none; refuse instead.
  private static String confArgument(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if ((a.equals("-conf") || a.equals("--conf")) && i + 1 < args.length) {
        return args[i + 1];
      }
      if (a.startsWith("-conf=") || a.startsWith("--conf=")) {
        return a.substring(a.indexOf('=') + 1);
      }
    }
    return null;
  }

  private static boolean isJsonObject(String fileOrJson) {
    try {
      java.nio.file.Path path = java.nio.file.Path.of(fileOrJson);
      if (java.nio.file.Files.isRegularFile(path)) {
        new JsonObject(java.nio.file.Files.readString(path));
        return true;
      }
    } catch (RuntimeException | IOException e) {
      return false;
    }
    try {
      new JsonObject(fileOrJson);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public void afterVerticleDeployed(io.vertx.launcher.application.HookContext context) {
    ProcessLifecycle.nodeDeployed();
  }

  @Override
  public JsonObject afterConfigParsed(JsonObject conf) {
    try {
      JsonObject base = conf != null ? conf : embeddedConfig();
      JsonObject merged = SyncwireConfig.applyOverrides(base, propertiesAsMap(), System.getenv());
      // The node's name must be known before the cluster forms (it is a member attribute).
      if (SyncwireConfig.fromJson(merged).node().id().isEmpty()) {
        SyncwireConfig.put(merged, SyncwireConfig.NODE_ID, NodeVerticle.randomNodeId());
      }
      config = SyncwireConfig.fromJson(merged);
      NodeLogs.install(config);
      if (clustered) {
        HazelcastConfigs.load(config.cluster(), config.node().id());
      }
      return merged;
    } catch (ConfigException e) {
      NodeLogs.printError("syncwire: " + e.getMessage(), conf);
      System.exit(EXIT_BAD_CONFIG);
      return null;
    }
  }

  @Override
  public VertxBuilder createVertxBuilder(VertxOptions options) {
    options.setEventLoopPoolSize(config.node().eventLoops());
    if (options.getWorkerPoolSize() == VertxOptions.DEFAULT_WORKER_POOL_SIZE) {
      // Only the cluster manager's lookups use the worker pool (address registrations, node infos); a
      // pool starts a new thread for each of its first tasks, so a small one is full after start-up and
      // steady traffic never starts another.
      options.setWorkerPoolSize(WORKER_THREADS);
    }
    VertxBuilder builder = MetricsRegistries.withVertxMetrics(Vertx.builder(), options);
    if (clustered) {
      com.hazelcast.config.Config hazelcast = HazelcastConfigs.load(config.cluster(), config.node().id());
      // A draining node hands its partitions over as it leaves; that must fit in drain.graceMs.
      hazelcast.setProperty(com.hazelcast.spi.properties.ClusterProperty.GRACEFUL_SHUTDOWN_MAX_WAIT.getName(),
          Long.toString(Math.max(1, config.operations().drainGraceMs() / 1000)));
      builder.withClusterManager(new HazelcastClusterManager(hazelcast));
    }
    return builder;
  }

  private static java.util.Map<String, String> propertiesAsMap() {
    java.util.Map<String, String> out = new java.util.HashMap<>();
    System.getProperties().forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
    return out;
  }

  private static JsonObject embeddedConfig() {
    try (InputStream in = Syncwire.class.getResourceAsStream(EMBEDDED_CONFIG)) {
      if (in == null) {
        return new JsonObject();
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConfigException("cannot read the embedded configuration: " + e.getMessage());
    }
  }
}
