package dev.syncwire.client;

import dev.syncwire.testing.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code target/syncwire-client.jar} ships alone: it holds the client and the protocol classes only, none
 * of them names a class of the server or of a library only the server uses, and the README's example
 * compiles and runs against the jar and its three dependencies, with nothing else on the class path.
 */
class ClientJarIT {
  private static final Path JAR = Path.of(System.getProperty("syncwire.client.jar", "target/syncwire-client.jar"));
  /** What the client may need besides itself: Vert.x core (with Netty and Jackson), protobuf, MVStore. */
  private static final Pattern DEPENDENCY = Pattern.compile(
      ".*/(vertx-core|vertx-core-logging|netty-[a-z0-9-]+|jackson-core|protobuf-java|h2-mvstore)-[0-9][^/]*\\.jar");
  /** Packages the client must not reach: ours other than client and protocol, and server-only libraries. */
  private static final Pattern FORBIDDEN = Pattern.compile(
      "dev/syncwire/(?!client/|protocol/)[a-z]+/|dev/syncwire/[A-Z]|com/hazelcast/|io/micrometer/|io/opentelemetry/"
          + "|io/vertx/(redis|ext|spi/cluster|micrometer|tracing)/");

  @Test
  void holdsTheClientAndTheProtocolOnly() throws IOException {
    List<String> classes = new ArrayList<>();
    List<String> foreign = new ArrayList<>();
    try (JarFile jar = new JarFile(JAR.toFile())) {
      for (ZipEntry e : jar.stream().toList()) {
        if (!e.getName().endsWith(".class")) {
          continue;
        }
        classes.add(e.getName());
        if (!e.getName().startsWith("dev/syncwire/client/") && !e.getName().startsWith("dev/syncwire/protocol/")) {
          foreign.add(e.getName());
        }
      }
    }
    assertTrue(classes.contains("dev/syncwire/client/SyncwireClient.class"), JAR + " holds the client");
    assertTrue(classes.contains("dev/syncwire/protocol/proto/ServerFrame.class"), JAR + " holds the protobuf frames");
    assertEquals(List.of(), foreign, "classes that are neither client nor protocol");
  }

  @Test
  void noClassOfItNamesTheServerOrAServerOnlyLibrary() throws IOException {
    TreeSet<String> found = new TreeSet<>();
    try (JarFile jar = new JarFile(JAR.toFile())) {
      for (ZipEntry e : jar.stream().filter(e -> e.getName().endsWith(".class")).toList()) {
        // Class references live in the constant pool as UTF-8 names: a byte-level search finds them all.
        String bytes = new String(jar.getInputStream(e).readAllBytes(), StandardCharsets.ISO_8859_1);
        Matcher m = FORBIDDEN.matcher(bytes);
        while (m.find()) {
          found.add(e.getName() + " -> " + m.group());
        }
      }
    }
    assertEquals(new TreeSet<String>(), found);
  }

  @Test
  void theReadmeExampleCompilesAndRunsAgainstTheJarAlone(@TempDir Path dir) throws Exception {
    String example = readmeJava();
    assertTrue(example.contains("public class Hello"), "the README's Java example is the class Hello");
    List<String> classPath = new ArrayList<>();
    classPath.add(JAR.toAbsolutePath().toString());
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (DEPENDENCY.matcher(entry).matches()) {
        classPath.add(entry);
      }
    }
    String cp = String.join(File.pathSeparator, classPath);

    try (NodeProcess node = NodeProcess.alone(NodeProcess.Options.forTests(), "readme", Map.of()).awaitReady()) {
      Path source = dir.resolve("Hello.java");
      Files.writeString(source, example.replace("http://localhost:8080", "http://127.0.0.1:" + node.port));
      JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
      ByteArrayOutputStream errors = new ByteArrayOutputStream();
      int compiled = javac.run(null, null, errors, "-cp", cp, "-d", dir.toString(), source.toString());
      assertEquals(0, compiled, "the example compiles against the client jar alone: " + errors);

      Path out = dir.resolve("out.txt");
      Process run = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", cp + File.pathSeparator + dir, "Hello")
          .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      try {
        assertTrue(run.waitFor(60, TimeUnit.SECONDS), "the example finishes");
      } finally {
        run.destroyForcibly();
      }
      String printed = Files.readString(out);
      assertEquals(0, run.exitValue(), printed);
      assertTrue(printed.contains("connected websocket"), printed);
      assertTrue(printed.contains("acknowledged as seq 1"), printed);
      assertTrue(Files.exists(dir.resolve("hello-outbox.db")), "the outbox file where the example put it");
    }
  }

  /** The first {@code ```java} block of the README. */
  private static String readmeJava() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    int start = readme.indexOf("```java\n");
    assertTrue(start >= 0, "the README has a Java example");
    int end = readme.indexOf("\n```", start + 8);
    return readme.substring(start + 8, end + 1);
  }
}
