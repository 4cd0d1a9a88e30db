package dev.syncwire.internals;

import dev.syncwire.telemetry.MetricsRegistries;
import dev.syncwire.testing.Await;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.spi.metrics.TCPMetrics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one door to internals: nothing else in the product uses them, and what each use relies on still
 * holds in the Vert.x and Netty of this build.
 */
class VertxInternalsTest {
  private static final Path SOURCES = Path.of("src/main/java");
  /** Vert.x's and Netty's packages outside their public API, and Netty's transport-only channel API. */
  private static final Pattern VERTX_OR_NETTY_INTERNAL = Pattern.compile(
      "\\bio\\.vertx\\.[\\w.]*\\.(internal|impl)\\b|\\bio\\.netty\\.[\\w.]*\\.internal\\b|\\.unsafe\\(\\)");
  private static final Pattern HAZELCAST_INTERNAL = Pattern.compile("\\bcom\\.hazelcast\\.[\\w.]*\\.(internal|impl)\\b");
  private static final Path DOOR = SOURCES.resolve("dev/syncwire/internals/VertxInternals.java");
  /** Hazelcast's own door: the executor its callbacks run on (see that class). */
  private static final Path HAZELCAST_DOOR = SOURCES.resolve("dev/syncwire/cluster/HazelcastFutures.java");

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    Await.result(vertx.close());
  }

  @Test
  void noOtherSourceFileUsesAVertxOrNettyInternal() throws IOException {
    assertEquals(List.of(), filesUsing(VERTX_OR_NETTY_INTERNAL, DOOR));
  }

  @Test
  void noOtherSourceFileUsesAHazelcastInternal() throws IOException {
    assertEquals(List.of(), filesUsing(HAZELCAST_INTERNAL, HAZELCAST_DOOR));
  }

  @Test
  void promiseListenersRunOnItsContextWhicheverThreadCompletesIt() throws Exception {
    Context context = vertx.getOrCreateContext();
    CompletableFuture<Promise<String>> created = new CompletableFuture<>();
    CompletableFuture<Thread> listenedOn = new CompletableFuture<>();
    CompletableFuture<Thread> contextThread = new CompletableFuture<>();
    context.runOnContext(v -> {
      contextThread.complete(Thread.currentThread());
      Promise<String> promise = VertxInternals.promise(context);
      promise.future().onComplete(ar -> listenedOn.complete(Thread.currentThread()));
      created.complete(promise);
    });
    Promise<String> promise = created.get(5, TimeUnit.SECONDS);
    Thread other = new Thread(() -> promise.complete("done"));
    other.start();
    other.join();
    assertEquals(contextThread.get(5, TimeUnit.SECONDS), listenedOn.get(5, TimeUnit.SECONDS));
  }

  @Test
  void everyClientPortConnectionHasAPipeline() throws Exception {
    CompletableFuture<ChannelPipeline> pipeline = new CompletableFuture<>();
    HttpServer server = vertx.createHttpServer()
        .connectionHandler(conn -> pipeline.complete(VertxInternals.pipeline(conn)))
        .requestHandler(request -> request.response().end());
    Await.result(server.listen(0, "127.0.0.1"));
    try {
      Await.result(vertx.createHttpClient().request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
          .compose(request -> request.send()));
      assertNotNull(pipeline.get(5, TimeUnit.SECONDS));
    } finally {
      Await.result(server.close());
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void aConnectionAcceptedBeforeItsServerHadMetricsGetsOneAndItsRequestsAreAnswered() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx measured = MetricsRegistries.withVertxMetrics(Vertx.builder(), new VertxOptions(), registry).build();
    HttpClient client = vertx.createHttpClient();
    try {
      HttpServer server = measured.createHttpServer()
          .connectionHandler(conn -> {
            // What Vert.x gives a connection it accepts before the server's metrics exist: no metric, and
            // not counted.
            ConnectionBase base = (ConnectionBase) conn;
            ((TCPMetrics<Object>) base.metrics()).disconnected(base.metric(), base.remoteAddress());
            base.metric(null);
            VertxInternals.ensureConnectionMetric(conn);
          })
          .requestHandler(request -> request.response().end("answered"));
      Await.result(server.listen(0, "127.0.0.1"));
      String body = Await.result(client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
          .compose(request -> request.send().compose(response -> response.body()))).toString();
      assertEquals("answered", body);
      // The client keeps the connection: it is counted, as every other connection is.
      assertEquals(1.0, registry.get("vertx.http.server.active.connections").gauge().value());
      Await.result(client.close());
      Await.until(Duration.ofSeconds(10), "the connection uncounted once closed",
          () -> registry.get("vertx.http.server.active.connections").gauge().value() == 0.0);
    } finally {
      Await.result(measured.close());
    }
  }

  @Test
  void pendingWriteBytesCountUnflushedWritesAndNothingOnceClosed() {
    EmbeddedChannel channel = new EmbeddedChannel();
    channel.write(Unpooled.wrappedBuffer(new byte[1000]));
    assertTrue(VertxInternals.pendingWriteBytes(channel) >= 1000, "unflushed bytes count");
    channel.flush();
    assertEquals(0, VertxInternals.pendingWriteBytes(channel));
    channel.close();
    assertEquals(0, VertxInternals.pendingWriteBytes(channel));
  }

  @Test
  void theMpscQueueKeepsEachProducersOrder() throws Exception {
    Queue<Integer> queue = VertxInternals.newMpscQueue();
    Thread a = new Thread(() -> {
      for (int i = 0; i < 10_000; i++) {
        queue.add(i);
      }
    });
    Thread b = new Thread(() -> {
      for (int i = 0; i < 10_000; i++) {
        queue.add(-1 - i);
      }
    });
    a.start();
    b.start();
    a.join();
    b.join();
    int nextA = 0;
    int nextB = -1;
    Integer item;
    while ((item = queue.poll()) != null) {
      if (item >= 0) {
        assertEquals(nextA++, item);
      } else {
        assertEquals(nextB--, item);
      }
    }
    assertEquals(10_000, nextA);
    assertEquals(-10_001, nextB);
  }

  // Files using the pattern outside comments, but the one allowed to.
  private static List<String> filesUsing(Pattern pattern, Path allowed) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
        if (file.equals(allowed)) {
          continue;
        }
        for (String line : Files.readAllLines(file)) {
          String code = line.strip();
          if (!code.startsWith("*") && !code.startsWith("//") && !code.startsWith("/*")
              && pattern.matcher(code).find()) {
            out.add(SOURCES.relativize(file) + ": " + code);
          }
        }
      }
    }
    return out;
  }
}
