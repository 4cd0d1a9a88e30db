package dev.syncwire;

import dev.syncwire.client.Publication;
import dev.syncwire.client.SyncwireClient;
import dev.syncwire.testing.Await;
import dev.syncwire.testing.FreePorts;
import dev.syncwire.testing.JvmProcess;
import dev.syncwire.testing.SocketQueues;
import dev.syncwire.testing.TestNode;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fat jar, started the way users start it. */
class LaunchIT {
  private static final String JAR = System.getProperty("syncwire.jar", "target/syncwire.jar");
  private static final HttpClient HTTP = TestNode.clientVertx().createHttpClient();

  @TempDir
  Path dir;
  /** The standard error of the node last started. */
  private Path log;
  private static final Path LOGS = Path.of("target", "launch-it");

  @RegisterExtension
  final TestWatcher nodeLogOnFailure = new TestWatcher() {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      try {
        System.out.println("the log of the node last started (" + log + "):\n" + Files.readString(log));
      } catch (IOException | RuntimeException e) {
        System.out.println("no log of the node: " + e);
      }
    }
  };

  @AfterAll
  static void closeClient() {
    HTTP.close();
  }

  @Test
  void jarStartsANodeFromConfWithPropertyOverrides() throws Exception {
    int port = FreePorts.block(2);
    int admin = port + 1;
    Process p = start(List.of("-Dsyncwire.http.port=" + port, "-Dsyncwire.admin.port=" + admin,
        "-Dsyncwire.node.id=jar-node"), List.of("-conf", "conf/node.json"), Map.of());
    try {
      awaitReady(port);
      JsonObject info;
      try {
        info = new JsonObject(get(port, "/info"));
      } catch (AssertionError e) {
        printWhereItWaits(p, port);
        throw e;
      }
      assertEquals("jar-node", info.getString("node"));
      assertEquals(200, status(admin, "/health"));
      // What a service on the JVM would do with it: the Java client, which the node's jar does not carry.
      SyncwireClient c = SyncwireClient.builder("http://127.0.0.1:" + port).tenant("demo").build();
      try {
        Await.result(c.connect());
        Queue<Publication> got = new ConcurrentLinkedQueue<>();
        Await.result(c.subscribe("jar", got::add).ready());
        assertEquals(1L, Await.result(c.publish("jar", "hello")).seq());
        Await.until(Duration.ofSeconds(10), "the publication", () -> !got.isEmpty());
        assertEquals("hello", got.peek().data());
      } finally {
        Await.result(c.close());
      }
    } finally {
      p.destroy();
      assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the node stops on SIGTERM");
    }
    assertNoStackTrace();
  }

  @Test
  void withoutConfTheEmbeddedDefaultsServeAndEnvironmentOverrides() throws Exception {
    int port = FreePorts.block(2);
    int admin = port + 1;
    Process p = start(List.of(), List.of(), Map.of("SYNCWIRE_HTTP_PORT", String.valueOf(port),
        "SYNCWIRE_ADMIN_PORT", String.valueOf(admin)));
    try {
      awaitReady(port);
      SyncwireClient c = SyncwireClient.builder("http://127.0.0.1:" + port).tenant("demo").build();
      try {
        Await.result(c.connect());
        assertEquals("websocket", c.transport());
      } finally {
        Await.result(c.close());
      }
    } finally {
      p.destroy();
      assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the node stops on SIGTERM");
    }
    assertNoStackTrace();
  }

  /**
   * For a request that got no answer: the connections to the node's port with their queues (where the
   * request's bytes wait), the node's event loops, and this JVM's.
   */
  private static void printWhereItWaits(Process node, int port) {
    StringBuilder out = new StringBuilder("where the request waits:\n").append(SocketQueues.of(port));
    try {
      // The clock ticks matter only to CPU readings, which this does not take.
      out.append("the node's threads:\n").append(new JvmProcess(node.pid(), 100).threadDump());
    } catch (IllegalStateException e) {
      out.append(e).append('\n');
    }
    out.append("this JVM's Vert.x threads:\n");
    Thread.getAllStackTraces().forEach((thread, stack) -> {
      if (thread.getName().startsWith("vert.x-")) {
        out.append(thread.getName()).append(' ').append(thread.getState()).append('\n');
        for (StackTraceElement frame : stack) {
          out.append("    ").append(frame).append('\n');
        }
      }
    });
    System.out.println(out);
  }

  /** A node that started, served and drained as it should logged no exception. */
  private void assertNoStackTrace() throws IOException {
    String text = Files.readString(log, StandardCharsets.UTF_8);
    assertTrue(text.lines().noneMatch(line -> line.startsWith("\tat ")), "the node logged an exception:\n" + text);
  }

  @Test
  void unknownKeyStopsTheNodeWithOneLineNamingIt() throws Exception {
    Path conf = dir.resolve("bad.json");
    Files.writeString(conf, "{\"http\":{\"port\":8080,\"prot\":1}}");
    assertFailsWithOneLine(List.of(), List.of("-conf", conf.toString()), Map.of(), "'http.prot'");
  }

  @Test
  void wrongTypeAndImpossibleValueStopTheNode() throws Exception {
    Path conf = dir.resolve("type.json");
    Files.writeString(conf, "{\"heartbeat\":{\"intervalMs\":\"often\"}}");
    assertFailsWithOneLine(List.of(), List.of("-conf", conf.toString()), Map.of(), "'heartbeat.intervalMs' must be an integer");
    assertFailsWithOneLine(List.of("-Dsyncwire.http.port=99999"), List.of("-conf", "conf/node.json"), Map.of(),
        "'http.port' must be an integer from 0 to 65535 (got 99999)");
    assertFailsWithOneLine(List.of(), List.of("-conf", "conf/node.json"), Map.of("SYNCWIRE_LIMITS_MAXFRAMEBYTES", "-1"),
        "'limits.maxFrameBytes'");
  }

  @Test
  void unreadableConfStopsTheNode() throws Exception {
    assertFailsWithOneLine(List.of(), List.of("-conf", dir.resolve("missing.json").toString()), Map.of(), "-conf");
  }

  private void assertFailsWithOneLine(List<String> jvm, List<String> args, Map<String, String> env,
                                      String expected) throws Exception {
    Process p = start(jvm, args, env);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the node must stop");
    String err = Files.readString(log, StandardCharsets.UTF_8).trim();
    assertEquals(Syncwire.EXIT_BAD_CONFIG, p.exitValue(), err);
    assertEquals(1, err.lines().count(), "one line: " + err);
    assertTrue(err.contains(expected), err);
  }

  /**
   * Starts the jar with its log (standard error) going to {@link #log}: a pipe nobody reads would stop the
   * node once it filled, and the file tells what the node did when a test fails.
   */
  private Process start(List<String> jvmArgs, List<String> args, Map<String, String> env) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    cmd.add("-jar");
    cmd.add(JAR);
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Files.createDirectories(LOGS);
    log = Files.createTempFile(LOGS, "node", ".log");
    pb.redirectError(log.toFile());
    return pb.start();
  }

  private static void awaitReady(int port) {
    Await.until(Duration.ofSeconds(30), "node on port " + port, () -> {
      try {
        return status(port, "/ready") == 200;
      } catch (AssertionError e) {
        return false;
      }
    });
  }

  private static int status(int port, String path) {
    return Await.result(HTTP.request(HttpMethod.GET, port, "127.0.0.1", path)
        .compose(r -> r.send().map(response -> response.statusCode())));
  }

  private static String get(int port, String path) {
    return Await.result(HTTP.request(HttpMethod.GET, port, "127.0.0.1", path)
        .compose(r -> r.send().compose(response -> response.body())).map(b -> b.toString()));
  }
}
