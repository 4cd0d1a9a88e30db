package dev.syncwire.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Syncwire node in its own JVM, started by {@link GatewayBench} the way scripts/bench.sh starts one:
 * pinned to the server CPUs with {@code taskset}, one visible CPU, a fixed 1 GiB heap, one event loop, no
 * command rate limit, a GC log, and its output in the run's folder. Blocking; call it from the
 * orchestrating thread.
 */
final class BenchNode {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** What every node of a run shares; {@code javaOptions} are extra JVM options (profiling, another collector). */
  record Settings(Path jar, Path conf, String serverCpus, Path outDir, int clockTicksPerSecond, String adminKey,
                  List<String> javaOptions) {
    Settings withJavaOption(String option) {
      List<String> options = new ArrayList<>(javaOptions);
      options.add(option);
      return new Settings(jar, conf, serverCpus, outDir, clockTicksPerSecond, adminKey, List.copyOf(options));
    }
  }

  final String name;
  final int port;
  final int adminPort;
  final JvmProcess jvm;
  final Path gcLog;
  private final Path log;
  private final Process process;
  private final String adminKey;
  /** The CPUs the node may run on, read once it is ready (its /proc entry is gone after it exits). */
  private String pinnedCpus = "?";

  private BenchNode(String name, int port, int adminPort, Process process, JvmProcess jvm, Path gcLog, Path log,
                    String adminKey) {
    this.name = name;
    this.port = port;
    this.adminPort = adminPort;
    this.process = process;
    this.jvm = jvm;
    this.gcLog = gcLog;
    this.log = log;
    this.adminKey = adminKey;
  }

  /**
   * A node that exited before it was ready. {@code exitValue} tells why: {@code Syncwire.EXIT_BAD_CONFIG} (78)
   * is a configuration the build refuses, such as a key it does not know yet.
   */
  static final class ExitedDuringStartup extends IllegalStateException {
    final int exitValue;

    ExitedDuringStartup(String message, int exitValue) {
      super(message);
      this.exitValue = exitValue;
    }
  }

  /**
   * Starts a node named {@code name}; {@code overrides} are more {@code syncwire.*} settings, and
   * {@code cluster} adds {@code -cluster}. Does not wait for it: see {@link #awaitReady}.
   */
  static BenchNode start(Settings settings, String name, Map<String, String> overrides, boolean cluster) {
    int port = FreePorts.block(2);
    int adminPort = port + 1;
    Path gcLog = settings.outDir().resolve(name + "-gc.log");
    Path log = settings.outDir().resolve(name + ".log");
    List<String> cmd = new ArrayList<>(List.of("taskset", "-c", settings.serverCpus(),
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:ActiveProcessorCount=1", "-Xms1g", "-Xmx1g",
        "-Xlog:gc:file=" + gcLog));
    cmd.addAll(settings.javaOptions());
    cmd.addAll(List.of(
        "-Dsyncwire.node.id=" + name,
        "-Dsyncwire.http.host=127.0.0.1",
        "-Dsyncwire.http.port=" + port,
        "-Dsyncwire.admin.port=" + adminPort,
        "-Dsyncwire.admin.key=" + settings.adminKey(),
        "-Dsyncwire.limits.commandRate=0",
        "-Dsyncwire.node.eventLoops=1"));
    overrides.forEach((k, v) -> cmd.add("-Dsyncwire." + k + "=" + v));
    cmd.addAll(List.of("-jar", settings.jar().toString(), "-conf", settings.conf().toString()));
    if (cluster) {
      cmd.add("-cluster");
    }
    try {
      // taskset execs java, so the child's pid is the JVM's own (needed for /proc and jcmd).
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      OwnProcesses.add(p);
      return new BenchNode(name, port, adminPort, p, new JvmProcess(p.pid(), settings.clockTicksPerSecond()), gcLog,
          log, settings.adminKey());
    } catch (IOException e) {
      throw new IllegalStateException("cannot start node " + name + ": " + e.getMessage(), e);
    }
  }

  /** Waits until the node answers {@code /ready} with 200. */
  BenchNode awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new ExitedDuringStartup(name + " exited with " + process.exitValue() + " during startup: "
            + lastLogLine(), process.exitValue());
      }
      if (status("http://127.0.0.1:" + port + "/ready") == 200) {
        pinnedCpus = jvm.allowedCpus();
        return this;
      }
      Loop.pause(200);
    }
    throw new IllegalStateException(name + " not ready after " + timeout.toSeconds() + " s");
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

  boolean alive() {
    return process.isAlive();
  }

  /** {@code kill -9}: the node gets no chance to hand anything over. */
  void kill() {
    process.destroyForcibly();
    waitFor();
  }

  /** SIGTERM, then SIGKILL if it has not left after 30 s. */
  void stop() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void waitFor() {
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** GET on the admin port with the admin key; the body, or an exception for anything but 200. */
  String admin(String path) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
        .header("Authorization", "Bearer " + adminKey).timeout(Duration.ofSeconds(10)).GET().build();
    HttpResponse<String> response = send(request);
    if (response.statusCode() != 200) {
      throw new IllegalStateException(name + " GET " + path + ": " + response.statusCode() + " " + response.body());
    }
    return response.body();
  }

  /** POST a JSON body on the admin port; the status and body. */
  HttpResponse<String> adminPost(String path, String json) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
        .header("Authorization", "Bearer " + adminKey).header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  private static int status(String url) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(name + " admin API: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** For the footer: name, pid and the CPUs it was pinned to. */
  String describe() {
    return name + " (pid " + jvm.pid() + ") on CPU " + pinnedCpus;
  }

  @Override
  public String toString() {
    return name + " (pid " + jvm.pid() + ", port " + port + ")";
  }
}
