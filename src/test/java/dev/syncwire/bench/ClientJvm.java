package dev.syncwire.bench;

import dev.syncwire.testing.JvmProcess;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ClientProbe} in a JVM of its own, pinned with taskset as the nodes are, spoken to over its standard
 * input and output: a command line goes in, one JSON line comes back. Its log and GC log go to the run's
 * folder. Blocking: call it from the orchestrating thread.
 */
final class ClientJvm implements AutoCloseable {
  /** Settings of every probe: one visible CPU (so the Serial collector), a fixed heap, as the nodes have. */
  static final List<String> JVM_OPTIONS = List.of("-XX:ActiveProcessorCount=1", "-Xms512m", "-Xmx512m");
  private static final String EOF = "\u0000eof";

  private final String name;
  private final Process process;
  private final JvmProcess jvm;
  private final Writer commands;
  private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
  private final Path log;
  private final String cpus;

  private ClientJvm(String name, Process process, int clockTicksPerSecond, Path log, String cpus) {
    this.name = name;
    this.process = process;
    this.jvm = new JvmProcess(process.pid(), clockTicksPerSecond);
    this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.log = log;
    this.cpus = cpus;
    Thread reader = new Thread(this::readReplies, name + "-replies");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts a probe with {@code args} on {@code cpus} and waits until it is ready (connected, subscribed);
   * {@code javaOptions} come after the usual ones (e.g. to profile it).
   */
  static ClientJvm start(String name, String cpus, Path logDir, int clockTicksPerSecond, List<String> javaOptions,
                         List<String> args) {
    Path log = logDir.resolve(name + ".log");
    List<String> cmd = new ArrayList<>(List.of("taskset", "-c", cpus,
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(JVM_OPTIONS);
    cmd.add("-Xlog:gc:file=" + logDir.resolve(name + "-gc.log"));
    cmd.addAll(javaOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ClientProbe.class.getName()));
    cmd.addAll(args);
    Process p;
    try {
      // taskset execs java, so the pid is the JVM's own, for /proc.
      p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the client probe " + name + ": " + e.getMessage(), e);
    }
    ClientJvm probe = new ClientJvm(name, p, clockTicksPerSecond, log, cpus);
    try {
      probe.reply(60);
    } catch (RuntimeException e) {
      probe.close();
      throw e;
    }
    return probe;
  }

  JvmProcess jvm() {
    return jvm;
  }

  /** SIGSTOP: the JVM freezes, reads nothing, and what is sent to it waits at the node until {@link #resume}. */
  void pause() {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause}. */
  void resume() {
    signal("CONT");
  }

  private void signal(String signal) {
    try {
      int status = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start()
          .waitFor();
      if (status != 0) {
        throw new IllegalStateException("kill -" + signal + " " + process.pid() + " exited with " + status);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  String describe() {
    return name + " (pid " + jvm.pid() + ") on CPU " + cpus;
  }

  /** Sends one command and waits up to {@code timeoutSeconds} for its answer. */
  JsonObject call(String command, long timeoutSeconds) {
    try {
      commands.write(command + "\n");
      commands.flush();
    } catch (IOException e) {
      throw new IllegalStateException(name + " is gone: " + logTail(), e);
    }
    JsonObject reply = reply(timeoutSeconds);
    if (reply.containsKey("error")) {
      throw new IllegalStateException(name + ": " + command + " failed: " + reply.getString("error"));
    }
    return reply;
  }

  JsonObject call(String command) {
    return call(command, 30);
  }

  private JsonObject reply(long timeoutSeconds) {
    String line;
    try {
      line = replies.poll(timeoutSeconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    if (line == null) {
      throw new IllegalStateException(name + " did not answer within " + timeoutSeconds + " s: " + logTail());
    }
    if (line.equals(EOF)) {
      throw new IllegalStateException(name + " exited: " + logTail());
    }
    return new JsonObject(line);
  }

  private void readReplies() {
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        // The JVM may print too (a flight recording announces itself): only JSON lines are answers.
        if (line.startsWith("{")) {
          replies.add(line);
        }
      }
    } catch (IOException e) {
      // the process went: the sentinel says so
    }
    replies.add(EOF);
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Asks the probe to close its client and exit; kills it if it does not within 10 s. */
  @Override
  public void close() {
    try {
      commands.write("quit\n");
      commands.close();
    } catch (IOException e) {
      // already gone
    }
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
