package dev.syncwire;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped jar holds the server only: none of the benchmark, the test kit, or the libraries only they
 * use. Each name below is checked against a class the tests and the benchmark really load, so that a
 * renamed package cannot leave this test checking for something that no longer exists.
 */
class ServerJarIT {
  private static final String JAR = System.getProperty("syncwire.jar", "target/syncwire.jar");

  /** What must stay out: what it is, its entries' prefix, and one class it has on the test classpath. */
  private record TestOnly(String what, String prefix, String sampleClass) {
  }

  private static final List<TestOnly> TEST_ONLY = List.of(
      new TestOnly("the benchmark", "dev/syncwire/bench/", "dev.syncwire.bench.GatewayBench"),
      new TestOnly("the test kit", "dev/syncwire/testing/", "dev.syncwire.testing.TestNode"),
      new TestOnly("JMH", "org/openjdk/jmh/", "org.openjdk.jmh.runner.Runner"),
      new TestOnly("JMH's option parser", "joptsimple/", "joptsimple.OptionParser"),
      new TestOnly("JMH's statistics", "org/apache/commons/math3/", "org.apache.commons.math3.stat.StatUtils"),
      new TestOnly("JUnit", "org/junit/", "org.junit.jupiter.api.Test"),
      new TestOnly("JUnit's assertion errors", "org/opentest4j/", "org.opentest4j.AssertionFailedError"),
      new TestOnly("JUnit's API annotations", "org/apiguardian/", "org.apiguardian.api.API"),
      new TestOnly("jqwik", "net/jqwik/", "net.jqwik.api.Property"),
      new TestOnly("vertx-junit5", "io/vertx/junit5/", "io.vertx.junit5.VertxExtension"));

  @Test
  void holdsTheServerAndNothingOnlyTestsOrTheBenchmarkUse() throws IOException {
    List<String> entries = new ArrayList<>();
    try (JarFile jar = new JarFile(JAR)) {
      jar.stream().map(ZipEntry::getName).forEach(entries::add);
    }
    assertTrue(entries.contains("dev/syncwire/Syncwire.class"), JAR + " holds the launcher");
    assertTrue(entries.contains("dev/syncwire/NodeVerticle.class"), JAR + " holds the node");
    for (String served : List.of("syncwire/client/syncwire.js", "syncwire/client/syncwire-sw.js",
        "syncwire/demo/index.html")) {
      assertTrue(entries.contains(served), JAR + " holds " + served + ", which the node serves");
    }

    List<String> found = new ArrayList<>();
    for (TestOnly t : TEST_ONLY) {
      entries.stream().filter(e -> e.startsWith(t.prefix())).findFirst()
          .ifPresent(e -> found.add(t.what() + " (" + e + ")"));
    }
    // JMH's list of generated benchmarks, which would make the server jar look like a benchmark to JMH.
    entries.stream().filter(e -> e.equals("META-INF/BenchmarkList")).findFirst().ifPresent(found::add);
    assertEquals(List.of(), found, JAR + " must not hold test or benchmark code");
  }

  @Test
  void everyNameCheckedIsOneTheTestsReallyUse() {
    for (TestOnly t : TEST_ONLY) {
      String resource = t.sampleClass().replace('.', '/') + ".class";
      assertTrue(resource.startsWith(t.prefix()), t.what() + ": " + t.sampleClass() + " is not under " + t.prefix());
      assertTrue(ServerJarIT.class.getClassLoader().getResource(resource) != null,
          t.what() + ": no " + t.sampleClass() + " on the test classpath");
    }
  }
}
