package dev.syncwire.testing;

import dev.syncwire.bench.FreePorts;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A node in its own JVM, started from the fat jar with {@code -cluster}, as an operator would. */
public final class NodeProcess implements AutoCloseable {
  private static final String JAR = System.getProperty("syncwire.jar", "target/syncwire.jar");
  private static final HttpClient HTTP = TestNode.clientVertx().createHttpClient();

  public final String name;
  public final int port;
  public final int adminPort;
  private final Process process;

  private final Path log;

  private NodeProcess(String name, int port, int adminPort, Process process, Path log) {
    this.name = name;
    this.port = port;
    this.adminPort = adminPort;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts a node of cluster {@code cluster} whose Hazelcast member listens on {@code hazelcastPort},
   * joining {@code members}; {@code extra} are more {@code -Dsyncwire.*} settings.
   */
  public static NodeProcess start(String name, String cluster, int hazelcastPort, String members,
                                  Map<String, String> extra) {
    return start(name, cluster, hazelcastPort, members, extra, List.of());
  }

  /** As {@link #start(String, String, int, String, Map)}, with more JVM options (before {@code -jar}). */
  public static NodeProcess start(String name, String cluster, int hazelcastPort, String members,
                                  Map<String, String> extra, List<String> jvmOptions) {
    return launch(name, extra, jvmOptions, List.of("-Dsyncwire.cluster.name=" + cluster,
        "-Dsyncwire.cluster.port=" + hazelcastPort, "-Dsyncwire.cluster.members=" + members));
  }

  /** {@code clusterOptions} null: a node alone; else the cluster's settings, and the node joins it. */
  private static NodeProcess launch(String name, Map<String, String> extra, List<String> jvmOptions,
                                    List<String> clusterOptions) {
    try {
      int port = FreePorts.block(2);
      int admin = port + 1;
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx384m", "-XX:+UseSerialGC",
          "-Dsyncwire.node.id=" + name, "-Dsyncwire.http.port=" + port, "-Dsyncwire.admin.port=" + admin,
          "-Dsyncwire.admin.key=" + TestNode.ADMIN_KEY,
          "-Dsyncwire.limits.commandRate=0", "-Dsyncwire.node.eventLoops=1"));
      if (clusterOptions != null) {
        cmd.addAll(clusterOptions);
      }
      extra.forEach((k, v) -> cmd.add("-Dsyncwire." + k + "=" + v));
      cmd.addAll(jvmOptions);
      cmd.addAll(List.of("-jar", JAR, "-conf", "conf/node.json"));
      if (clusterOptions != null) {
        cmd.add("-cluster");
      }
      Path logs = Path.of("target", "node-logs");
      Files.createDirectories(logs);
      Path log = logs.resolve((clusterOptions == null ? "alone" : "cluster") + "-" + name + "-" + port + ".log");
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      return new NodeProcess(name, port, admin, p, log);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Starts a node that runs alone (no cluster); {@code jvmOptions} come after the defaults, so an
   * {@code -Xmx} there wins.
   */
  public static NodeProcess standalone(String name, Map<String, String> extra, List<String> jvmOptions) {
    return launch(name, extra, jvmOptions, null);
  }

  /** The process's resident set size in bytes, from {@code /proc} (0 where there is none). */
  public long rssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }

  public NodeProcess awaitReady() {
    Await.until(Duration.ofSeconds(60), name + " ready", () -> {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue());
      }
      try {
        return Await.result(HTTP.request(HttpMethod.GET, port, "127.0.0.1", "/ready").compose(r -> r.send())
            .map(r -> r.statusCode())) == 200;
      } catch (AssertionError e) {
        return false;
      }
    });
    return this;
  }

  /** GET on the admin port with the admin key. */
  public String admin(String path) {
    return Await.result(HTTP.request(HttpMethod.GET, adminPort, "127.0.0.1", path).compose(r ->
        r.putHeader("Authorization", "Bearer " + TestNode.ADMIN_KEY).send().compose(res -> res.body()))
        .map(b -> b.toString()));
  }

  public JsonArray nodes() {
    return new JsonArray(admin("/api/v1/nodes"));
  }

  /**
   * Waits until {@code nodes} form one cluster and every member's partitions have their backups in sync:
   * only then does losing a member keep every acknowledged publication.
   */
  public static void awaitBackedUp(List<NodeProcess> nodes) {
    Await.until(Duration.ofSeconds(60), nodes.size() + " members with their backups in sync", () -> {
      JsonArray members = nodes.get(0).nodes();
      return members.size() == nodes.size()
          && members.stream().allMatch(m -> ((JsonObject) m).getBoolean("backedUp", false));
    });
  }

  public JsonObject info() {
    String body = Await.result(HTTP.request(HttpMethod.GET, port, "127.0.0.1", "/info")
        .compose(r -> r.send().compose(res -> res.body())).map(b -> b.toString()));
    return new JsonObject(body);
  }

  /** The name of the node that owns {@code channel} of tenant demo. */
  public String ownerOf(String channel) {
    return new JsonObject(admin("/api/v1/channels/demo/" + channel)).getString("owner");
  }

  public void kill() {
    process.destroyForcibly();
    waitFor();
  }

  /** SIGTERM: the node leaves the cluster gracefully. */
  public void stop() {
    process.destroy();
    waitFor();
  }

  private void waitFor() {
    try {
      process.waitFor(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGSTOP: the JVM freezes (it answers nothing, its sockets stay open) until {@link #resume}. */
  public void pause() {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause}. */
  public void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    try {
      int status = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
      if (status != 0) {
        throw new IllegalStateException("kill -" + name + " exited with " + status);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** This node's entry of {@code /api/v1/nodes}. */
  public JsonObject status() {
    return nodes().stream().map(o -> (JsonObject) o).filter(o -> name.equals(o.getString("node"))).findFirst()
        .orElseThrow(() -> new AssertionError(name + " is not in its own /api/v1/nodes"));
  }

  /** Everything the node wrote to its standard output and error so far. */
  public String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public boolean alive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      waitFor();
    }
  }
}
