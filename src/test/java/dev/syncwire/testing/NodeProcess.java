package dev.syncwire.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A node in its own JVM, started from the fat jar as an operator would ({@code java -jar syncwire.jar -conf
 * ...}), on free ports, for the tests and the benchmark alike; {@link Options} says how (heap, CPUs, logs).
 * Alone, or a member of a {@link NodeGroup}. Blocking: call it from a test or orchestrating thread, never
 * from an event loop. It talks to the node with the JDK's HTTP client, so that it starts no Vert.x of its
 * own in a load generator.
 */
public final class NodeProcess implements AutoCloseable {
  private static final HttpClient HTTP = Http.client();
  /** What an admin or info request may take: a node waiting on a dead member answers late. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
  /** How often waits ask the nodes: starting nodes may share one core with everything else. */
  static final Duration POLL = Duration.ofMillis(50);

  /**
   * How nodes start. {@code settings} are {@code syncwire.*} overrides every node gets (a node's own come
   * after them and win); {@code jvmOptions} come before {@code -jar}, later ones winning over earlier ones;
   * {@code cpus} pins the node with {@code taskset} (null: not pinned). Logs go to {@code logDir}, named
   * after the node and its client port, with a GC log beside when {@code gcLog}.
   */
  public record Options(Path jar, Path conf, List<String> jvmOptions, Map<String, String> settings, String cpus,
                        Path logDir, boolean gcLog, Duration startup, int clockTicksPerSecond) {
    public Options {
      jvmOptions = List.copyOf(jvmOptions);
      settings = Map.copyOf(settings);
    }

    /**
     * Nodes for integration tests: the jar this build made ({@code -Dsyncwire.jar}, set by failsafe),
     * conf/node.json, a small heap with the Serial collector, one event loop, no command rate limit, the
     * test admin key, logs in target/node-logs, and no start-up warm-up (tests start many nodes; the warm-up
     * has tests of its own).
     */
    public static Options forTests() {
      return new Options(Path.of(System.getProperty("syncwire.jar", "target/syncwire.jar")), Path.of("conf/node.json"),
          List.of("-Xmx384m", "-XX:+UseSerialGC"),
          Map.of("admin.key", TestNode.ADMIN_KEY, "limits.commandRate", "0", "node.eventLoops", "1",
              "warmup.sessions", "0"),
          null, Path.of("target", "node-logs"), false, Duration.ofSeconds(60), 100);
    }

    /** These options with more JVM options after the others (so an {@code -Xmx} there wins). */
    public Options withJvmOptions(List<String> more) {
      List<String> all = new ArrayList<>(jvmOptions);
      all.addAll(more);
      return new Options(jar, conf, all, settings, cpus, logDir, gcLog, startup, clockTicksPerSecond);
    }

    String adminKey() {
      return settings.get("admin.key");
    }
  }

  /**
   * A node that exited before it was ready. {@code exitValue} tells why: {@code Syncwire.EXIT_BAD_CONFIG} (78)
   * is a configuration the build refuses, such as a key it does not know yet.
   */
  public static final class ExitedDuringStartup extends IllegalStateException {
    public final int exitValue;

    ExitedDuringStartup(String message, int exitValue) {
      super(message);
      this.exitValue = exitValue;
    }
  }

  public final String name;
  public final int port;
  public final int adminPort;
  private final Options options;
  private final int hazelcastPort;
  private final Process process;
  private final JvmProcess jvm;
  private final Path log;
  private final Path gcLog;
  /** The CPUs the node may run on, read once it is ready (its /proc entry is gone after it exits). */
  private String pinnedCpus = "?";

  private NodeProcess(String name, int port, int adminPort, int hazelcastPort, Options options, Process process,
                      Path log, Path gcLog) {
    this.name = name;
    this.port = port;
    this.adminPort = adminPort;
    this.hazelcastPort = hazelcastPort;
    this.options = options;
    this.process = process;
    this.jvm = new JvmProcess(process.pid(), options.clockTicksPerSecond());
    this.log = log;
    this.gcLog = gcLog;
  }

  /**
   * Starts a node that runs alone (no cluster); {@code settings} are more {@code syncwire.*} overrides. Does
   * not wait for it: see {@link #awaitReady()}.
   */
  public static NodeProcess alone(Options options, String name, Map<String, String> settings) {
    return launch(options, name, settings, -1);
  }

  /**
   * Starts a member of a cluster: {@code settings} carry the cluster's name and members, {@code hazelcastPort}
   * is this member's own port among them.
   */
  static NodeProcess member(Options options, String name, Map<String, String> settings, int hazelcastPort) {
    return launch(options, name, settings, hazelcastPort);
  }

  private static NodeProcess launch(Options options, String name, Map<String, String> nodeSettings,
                                    int hazelcastPort) {
    int port = FreePorts.block(2);
    int adminPort = port + 1;
    Path log = options.logDir().resolve(name + "-" + port + ".log");
    Path gcLog = options.gcLog() ? options.logDir().resolve(name + "-" + port + "-gc.log") : null;
    List<String> cmd = new ArrayList<>();
    if (options.cpus() != null) {
      // taskset execs java, so the child's pid is the JVM's own (needed for /proc and jcmd).
      cmd.addAll(List.of("taskset", "-c", options.cpus()));
    }
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(options.jvmOptions());
    if (gcLog != null) {
      cmd.add("-Xlog:gc:file=" + gcLog);
    }
    Map<String, String> settings = new LinkedHashMap<>(options.settings());
    settings.put("node.id", name);
    settings.put("http.port", Integer.toString(port));
    settings.put("admin.port", Integer.toString(adminPort));
    settings.putAll(nodeSettings);
    settings.forEach((k, v) -> cmd.add("-Dsyncwire." + k + "=" + v));
    cmd.addAll(List.of("-jar", options.jar().toString(), "-conf", options.conf().toString()));
    if (hazelcastPort >= 0) {
      cmd.add("-cluster");
    }
    try {
      Files.createDirectories(options.logDir());
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      OwnProcesses.add(p);
      return new NodeProcess(name, port, adminPort, hazelcastPort, options, p, log, gcLog);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start node " + name + ": " + e.getMessage(), e);
    }
  }

  /** Waits until the node answers {@code /ready} with 200, as long as its options' startup time. */
  public NodeProcess awaitReady() {
    Await.until(options.startup(), POLL, name + " ready", () -> {
      if (!process.isAlive()) {
        throw new ExitedDuringStartup(name + " exited with " + process.exitValue() + " during startup: "
            + lastLogLine(), process.exitValue());
      }
      return status(port, "/ready") == 200;
    });
    pinnedCpus = jvm.allowedCpus();
    return this;
  }

  /** This member's Hazelcast port; -1 for a node alone. */
  public int hazelcastPort() {
    return hazelcastPort;
  }

  /** The JVM, for CPU, RSS and heap readings. */
  public JvmProcess jvm() {
    return jvm;
  }

  /** The GC log; null unless the options asked for one. */
  public Path gcLog() {
    return gcLog;
  }

  /** The process's resident set size in bytes, from {@code /proc} (0 where there is none). */
  public long rssBytes() {
    try {
      return jvm.rssBytes();
    } catch (RuntimeException e) {
      return 0;
    }
  }

  /** GET on the admin port with the admin key: the body, or an exception for anything but 200. */
  public String admin(String path) {
    HttpResponse<String> response = send(HttpRequest.newBuilder(uri(adminPort, path))
        .header("Authorization", "Bearer " + options.adminKey()).GET());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(name + " GET " + path + ": " + response.statusCode() + " " + response.body());
    }
    return response.body();
  }

  /** POST of a JSON body on the admin port with the admin key: the status and body, whatever they are. */
  public HttpResponse<String> adminPost(String path, String json) {
    return send(HttpRequest.newBuilder(uri(adminPort, path)).header("Authorization", "Bearer " + options.adminKey())
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  /** {@code /api/v1/nodes}: every member's status. */
  public JsonArray nodes() {
    return new JsonArray(admin("/api/v1/nodes"));
  }

  /** This node's entry of {@code /api/v1/nodes}. */
  public JsonObject status() {
    return nodes().stream().map(o -> (JsonObject) o).filter(o -> name.equals(o.getString("node"))).findFirst()
        .orElseThrow(() -> new AssertionError(name + " is not in its own /api/v1/nodes"));
  }

  /** {@code /info} on the client port. */
  public JsonObject info() {
    return new JsonObject(send(HttpRequest.newBuilder(uri(port, "/info")).GET()).body());
  }

  /** The name of the node that owns {@code channel} of tenant demo. */
  public String ownerOf(String channel) {
    return new JsonObject(admin("/api/v1/channels/demo/" + channel)).getString("owner");
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** {@code kill -9}: the node gets no chance to hand anything over. */
  public void kill() {
    process.destroyForcibly();
    waitFor();
  }

  /** SIGTERM, then waits for the node to leave (gracefully: it drains and leaves the cluster); see {@link #alive}. */
  public void stop() {
    process.destroy();
    waitFor();
  }

  /** Sends SIGTERM and returns at once: the node starts its drain (see {@link #awaitExit}). */
  public void terminate() {
    signal("TERM");
  }

  /** Waits up to {@code timeout} for the process to end; returns its exit status, or null if it still runs. */
  public Integer awaitExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
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

  /** Everything the node wrote to its standard output and error so far. */
  public String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** For reports: name, pid and the CPUs it was pinned to. */
  public String describe() {
    return name + " (pid " + jvm.pid() + ") on CPU " + pinnedCpus;
  }

  /** Kills the node if it still runs. */
  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + jvm.pid() + ", port " + port + ")";
  }

  private void waitFor() {
    try {
      process.waitFor(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void signal(String signal) {
    try {
      int status = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start().waitFor();
      if (status != 0) {
        throw new IllegalStateException("kill -" + signal + " exited with " + status);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The last line the node wrote (a node that refuses its configuration names the key there). */
  private String lastLogLine() {
    try {
      List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.isBlank()).toList();
      return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1).trim();
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static URI uri(int port, String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** The status of a GET, or -1 when nothing answers yet. */
  private static int status(int port, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(uri(port, path)).timeout(Duration.ofSeconds(2)).GET().build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return HTTP.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(name + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
