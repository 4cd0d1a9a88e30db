package dev.syncwire.testing;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian's) on a free loopback port, with its data in a directory of its
 * own. It can be stopped, frozen and started again on the same port, with or without its data.
 * Persistence is the append-only file, synced on every write unless told otherwise, so that a restart keeps what
 * was written.
 */
public final class RedisServer implements AutoCloseable {
  private final int port;
  private final Path dir;
  private final String cpus;
  private final String appendFsync;
  private Process process;

  private RedisServer(int port, Path dir, String cpus, String appendFsync) {
    this.port = port;
    this.dir = dir;
    this.cpus = cpus;
    this.appendFsync = appendFsync;
  }

  /** Starts a server on a free port and waits until it answers. */
  public static RedisServer start() throws Exception {
    return start(null, "always");
  }

  /**
   * As {@link #start()}, the server pinned to {@code cpus} ({@code taskset} list; null for any), syncing its
   * append-only file as {@code appendFsync} says ({@code always}, {@code everysec}).
   */
  public static RedisServer start(String cpus, String appendFsync) throws Exception {
    RedisServer server = new RedisServer(FreePorts.port(), Files.createTempDirectory("syncwire-redis"), cpus,
        appendFsync);
    server.startProcess();
    return server;
  }

  /** The server's process id (for its CPU time). */
  public long pid() {
    return process.pid();
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Starts the server again (after {@link #stop}), on the same port and with the data it had. */
  public void restart() throws Exception {
    startProcess();
  }

  /** Starts the server again with no data at all, as if Redis had lost everything. */
  public void restartEmpty() throws Exception {
    try (var files = Files.list(dir)) {
      for (Path p : files.toList()) {
        deleteRecursively(p);
      }
    }
    startProcess();
  }

  /** Stops the server at once (SIGKILL); what it had synced stays on disk. */
  public void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    process = null;
  }

  /** Freezes the server (SIGSTOP): connections stay open and nothing answers, as in a long pause. */
  public void freeze() throws Exception {
    signal("STOP");
  }

  /** Lets a frozen server go on (SIGCONT). */
  public void thaw() throws Exception {
    signal("CONT");
  }

  private void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill -" + name + " failed");
    }
  }

  /** {@link #cli}, failing the test on an error. */
  public String cliQuietly(String... args) {
    try {
      return cli(args);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Runs {@code redis-cli} against the server and returns what it printed. */
  public String cli(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
    command.addAll(List.of(args));
    // Its output goes to a file, read once it has exited: a server that accepts and never answers must not
    // keep the test waiting on a pipe with no time limit.
    Path output = Files.createTempFile("redis-cli", ".out");
    Process cli = null;
    try {
      cli = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
      if (!cli.waitFor(10, TimeUnit.SECONDS)) {
        throw new IOException("redis-cli " + String.join(" ", args) + " got no answer within 10 s");
      }
      String out = Files.readString(output).trim();
      if (cli.exitValue() != 0) {
        throw new IOException("redis-cli " + String.join(" ", args) + " failed: " + out);
      }
      return out;
    } finally {
      if (cli != null && cli.isAlive()) {
        cli.destroyForcibly();
      }
      Files.deleteIfExists(output);
    }
  }

  @Override
  public void close() throws Exception {
    stop();
    deleteRecursively(dir);
  }

  private void startProcess() throws Exception {
    List<String> command = new ArrayList<>();
    if (cpus != null) {
      // taskset execs the server: the process keeps its pid.
      command.addAll(List.of("taskset", "-c", cpus));
    }
    command.addAll(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--dir", dir.toString(), "--save", "", "--appendonly", "yes", "--appendfsync", appendFsync,
        "--protected-mode", "no", "--loglevel", "warning"));
    process = new ProcessBuilder(command)
        .redirectErrorStream(true).redirectOutput(dir.resolve("../" + dir.getFileName() + ".log").toFile())
        .start();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("redis-server exited with " + process.exitValue());
      }
      try (Socket s = new Socket("127.0.0.1", port)) {
        if (cli("PING").equals("PONG")) {
          return;
        }
      } catch (IOException notYet) {
        // Not listening yet.
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
    throw new IOException("redis-server did not answer on port " + port);
  }

  private static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    if (Files.isDirectory(p)) {
      try (var files = Files.list(p)) {
        for (Path child : files.toList()) {
          deleteRecursively(child);
        }
      }
    }
    Files.deleteIfExists(p);
  }
}
