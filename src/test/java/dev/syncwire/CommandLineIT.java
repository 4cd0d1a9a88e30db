package dev.syncwire;

import dev.syncwire.config.ConfigKey;
import dev.syncwire.config.SyncwireConfig;
import dev.syncwire.testing.Await;
import dev.syncwire.testing.TestNode;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line of the packaged jar and of {@code scripts/run.sh}, as users type it. */
class CommandLineIT {
  private static final String JAR = System.getProperty("syncwire.jar", "target/syncwire.jar");
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
  private static final Pattern SERVING = Pattern.compile("serving clients on ([0-9.]+):(\\d+)");
  private static final HttpClient HTTP = TestNode.clientVertx().createHttpClient();

  @TempDir
  Path dir;

  @AfterAll
  static void closeClient() {
    HTTP.close();
  }

  private record Run(int exit, String out, String err) {
  }

  /** Runs {@code command} in {@code workDir} to its end, with {@code pathFirst} at the head of PATH if given. */
  private Run run(Path workDir, Path pathFirst, String... command) throws Exception {
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().put("PATH", path(pathFirst));
    Process p = pb.start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", command) + " ends");
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** The tests' own java first, so that scripts run on the JDK under test. */
  private static String path(Path first) {
    String path = Path.of(JAVA).getParent() + File.pathSeparator + System.getenv("PATH");
    return first == null ? path : first + File.pathSeparator + path;
  }

  @Test
  void versionPrintsTheProjectVersionFromTheJarsManifest() throws Exception {
    Run r = run(Path.of("."), null, JAVA, "-jar", JAR, "--version");
    assertEquals(0, r.exit(), r.err());
    assertEquals("Syncwire " + System.getProperty("syncwire.version") + "\n", r.out());
    assertEquals("", r.err());
  }

  @Test
  void helpPrintsSyncwiresOwnUsageAndEveryConfigurationKeyWithItsDefault() throws Exception {
    Run r = run(Path.of("."), null, JAVA, "-jar", JAR, "--help");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().startsWith("Usage: java [JVM options] -jar syncwire.jar [options]"), r.out());
    assertFalse(r.out().contains("VertxApplication"), "not the launcher's usage");
    List<String> lines = r.out().lines().toList();
    for (ConfigKey key : SyncwireConfig.KEYS) {
      String row = lines.stream().filter(l -> l.startsWith("  " + key.path() + " ")).findFirst()
          .orElseThrow(() -> new AssertionError(key.path() + " is not listed"));
      assertEquals(Usage.defaultText(key), row.trim().split(" +")[1], key.path());
    }
    assertEquals("", r.err());
  }

  @Test
  void aJvmOptionAfterMinusJarIsRefusedWithOneLineSayingWhereItGoes() throws Exception {
    Run r = run(Path.of("."), null, JAVA, "-jar", JAR, "-Dsyncwire.http.port=9999");
    assertEquals(Syncwire.EXIT_USAGE, r.exit());
    assertEquals(List.of("syncwire: -Dsyncwire.http.port=9999 is a JVM option: it goes before -jar "
        + "(java -Dsyncwire.http.port=9999 -jar syncwire.jar); see --help"), r.err().lines().toList());
    assertEquals("", r.out());
  }

  @Test
  void anUnknownOptionIsReportedWithTheLaunchersUsageOnce() throws Exception {
    Run r = run(Path.of("."), null, JAVA, "-jar", JAR, "--no-such-option");
    assertEquals(Syncwire.EXIT_USAGE, r.exit());
    assertTrue(r.err().startsWith("Unknown option: '--no-such-option'"), r.err());
    String both = r.out() + r.err();
    assertEquals(1, both.split("Usage:", -1).length - 1, "usage printed once: " + both);
  }

  @Test
  void runShPutsJvmOptionsBeforeMinusJarAndTheNodeStartsWithThem() throws Exception {
    Path log = dir.resolve("node.log");
    ProcessBuilder pb = new ProcessBuilder("scripts/run.sh", "-Dsyncwire.http.host=127.0.0.1",
        "-Dsyncwire.http.port=0", "-Dsyncwire.admin.port=0", "-Dsyncwire.node.id=run-sh-node",
        "-Dsyncwire.node.eventLoops=1", "-Xmx256m")
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("PATH", path(null));
    Process p = pb.start();
    try {
      Matcher serving = SERVING.matcher("");
      Await.until(Duration.ofSeconds(60), "the node's start line in " + log, () -> {
        if (!p.isAlive()) {
          throw new AssertionError("run.sh exited with " + p.exitValue() + ": " + read(log));
        }
        serving.reset(read(log));
        return serving.find();
      });
      assertEquals("127.0.0.1", serving.group(1));
      int port = Integer.parseInt(serving.group(2));
      assertTrue(port > 0, "port 0 became a real port: " + port);
      String body = Await.result(HTTP.request(HttpMethod.GET, port, "127.0.0.1", "/info")
          .compose(req -> req.send().compose(res -> res.body())).map(b -> b.toString()));
      JsonObject info = new JsonObject(body);
      assertEquals("run-sh-node", info.getString("node"));
    } finally {
      p.destroy();
      assertTrue(p.waitFor(20, TimeUnit.SECONDS), "run.sh execs java, which stops on SIGTERM");
    }
  }

  @Test
  void runShBuildsTheJarOnTheFirstRunAndSaysSoBeforeItBuilds() throws Exception {
    // A copy of the script in a tree without target/, and a mvn that "builds" by copying the real jar.
    Path tree = dir.resolve("tree");
    Files.createDirectories(tree.resolve("scripts"));
    Files.copy(Path.of("scripts", "run.sh"), tree.resolve("scripts/run.sh"), StandardCopyOption.COPY_ATTRIBUTES);
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path mvn = bin.resolve("mvn");
    Files.writeString(mvn, "#!/bin/sh\necho \"mvn $*\" >&2\nmkdir -p target\ncp '"
        + Path.of(JAR).toAbsolutePath() + "' target/syncwire.jar\n");
    Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));

    Run first = run(tree, bin, "scripts/run.sh", "--version");
    assertEquals(0, first.exit(), first.err());
    assertEquals(List.of("building target/syncwire.jar (first run, about 2 minutes)",
        "mvn -q -B -DskipTests package"), first.err().lines().toList());
    assertEquals("Syncwire " + System.getProperty("syncwire.version") + "\n", first.out());

    Run second = run(tree, bin, "scripts/run.sh", "--version");
    assertEquals(0, second.exit(), second.err());
    assertEquals("", second.err(), "built once");
    assertEquals(first.out(), second.out());
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "";
    }
  }
}
