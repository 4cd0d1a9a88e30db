package dev.syncwire.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One of the Node.js broadcast servers of {@code src/test/bench-peers} (Node's {@code ws}, Socket.IO) as its
 * own process, with {@code --expose-gc} so that its {@code GET /heap} can collect first. Its dependencies
 * must be installed ({@code npm ci} in that folder; {@code scripts/test.sh} and {@code scripts/bench.sh} do
 * it when they are missing).
 */
public final class NodeJsPeer implements AutoCloseable {
  public static final Path DIR = Path.of("src", "test", "bench-peers");
  /** HTTP/1.1: the default h2c upgrade request would go to the WebSocket servers' upgrade handlers. */
  private static final HttpClient HTTP = Http.client();

  public final int port;
  private final Process process;
  private final Path log;

  private NodeJsPeer(int port, Process process, Path log) {
    this.port = port;
    this.process = process;
    this.log = log;
  }

  /** Whether Node.js and the peers' dependencies are there; when false, {@link #missing()} says what to do. */
  public static boolean installed() {
    return Files.isDirectory(DIR.resolve("node_modules"));
  }

  public static String missing() {
    return "the Node.js peers are not installed: run npm ci in " + DIR + " (scripts/test.sh does)";
  }

  /** Starts {@code script} (e.g. {@code ws-broadcast.mjs}) on a free port and waits until it answers /ready. */
  public static NodeJsPeer start(String script, Path logDir) {
    int port = FreePorts.port();
    try {
      Files.createDirectories(logDir);
      Path log = logDir.resolve(script.replace(".mjs", "") + "-" + port + ".log");
      Process p = new ProcessBuilder(List.of("node", "--expose-gc", DIR.resolve(script).toString(),
          Integer.toString(port))).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      OwnProcesses.add(p);
      NodeJsPeer peer = new NodeJsPeer(port, p, log);
      try {
        Await.until(Duration.ofSeconds(20), script + " ready (see " + log + ")", () -> {
          if (!p.isAlive()) {
            throw new IllegalStateException(script + " exited with " + p.exitValue() + "; see " + log);
          }
          return peer.ready();
        });
      } catch (RuntimeException | Error e) {
        peer.close();
        throw e;
      }
      return peer;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start node " + script + ": " + e.getMessage(), e);
    }
  }

  public long pid() {
    return process.pid();
  }

  private boolean ready() {
    try {
      HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  @Override
  public String toString() {
    return "node peer on " + port + " (log " + log + ")";
  }
}
