package dev.syncwire.telemetry;

import dev.syncwire.NodeVerticle;
import dev.syncwire.testing.Await;
import dev.syncwire.testing.FreePorts;
import dev.syncwire.testing.HttpSessionClient;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Traces, read back through the SDK's in-memory exporter: a {@code ws.connection} span per connection with the
 * agreed attributes and its {@code ws.message.received} events, a span per publish that continues the client's
 * W3C {@code traceparent} (given on the command, or as a header of {@code /send} and of the admin publish), and
 * the owner's and the other nodes' spans of that publish in a cluster.
 */
class TracingTest {
  private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  private static final String PARENT_SPAN = "b7ad6b7169203331";
  private static final String TRACEPARENT = "00-" + TRACE + "-" + PARENT_SPAN + "-01";

  private static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
  private static Tracing tracing;
  private static TestNode node;

  @BeforeAll
  static void start() {
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
        .addSpanProcessor(SimpleSpanProcessor.create(SPANS)).build()).build();
    tracing = Tracing.with(sdk);
    node = TestNode.startTraced(tracing);
  }

  @AfterAll
  static void stop() {
    node.close();
    Tracing.useForNode(Tracing.disabled());
  }

  @BeforeEach
  void clear() {
    SPANS.reset();
  }

  private static SpanData await(String name, java.util.function.Predicate<SpanData> match) {
    Await.until(Duration.ofSeconds(10), "a " + name + " span",
        () -> SPANS.getFinishedSpanItems().stream().anyMatch(s -> s.getName().equals(name) && match.test(s)),
        () -> SPANS.getFinishedSpanItems().toString());
    return SPANS.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name) && match.test(s)).findFirst()
        .orElseThrow();
  }

  @Test
  void aConnectionSpanContinuesTheConnectTraceAndEndsWithItsCloseCode() {
    String session;
    String pubKeys;
    try (WsClient ws = WsClient.open(TestNode.clientVertx(), node.port())) {
      JsonObject connected = ws.request(new JsonObject().put("type", "connect").put("tenant", "demo")
          .put("traceparent", TRACEPARENT));
      session = connected.getString("session");
      ws.subscribe("traced");
      JsonObject ack = ws.request(new JsonObject().put("type", "publish").put("channel", "traced").put("data", "x")
          .put("traceparent", "00-" + TRACE + "-00f067aa0ba902b7-01"));
      assertEquals("ack", ack.getString("type"));
      pubKeys = ws.pubs("traced", 1).get(0).fieldNames().toString();
      ws.socket().close((short) 1000, "bye");
      ws.awaitClose();
    }
    SpanData connection = await(Tracing.CONNECTION_SPAN, s -> session.equals(s.getAttributes().get(Tracing.CLIENT_ID)));
    assertEquals(TRACE, connection.getTraceId());
    assertEquals(PARENT_SPAN, connection.getParentSpanId());
    assertEquals("syncwire.v1.json", connection.getAttributes().get(Tracing.PROTOCOL));
    assertEquals(1000L, connection.getAttributes().get(Tracing.CLOSE_CODE));
    assertNotNull(connection.getAttributes().get(Tracing.CONNECTION_DURATION));
    assertEquals(StatusCode.OK, connection.getStatus().getStatusCode());
    // connect is read before the span starts; subscribe and publish are events on it.
    assertEquals(2, connection.getEvents().stream().filter(e -> e.getName().equals(Tracing.MESSAGE_EVENT)
        && e.getAttributes().get(Tracing.MESSAGE_SIZE) > 0).count());

    SpanData publish = await(Tracing.PUBLISH_SPAN, s -> "traced".equals(s.getAttributes().get(Tracing.CHANNEL)));
    assertEquals(TRACE, publish.getTraceId());
    assertEquals("00f067aa0ba902b7", publish.getParentSpanId());
    assertEquals(1L, publish.getAttributes().get(Tracing.SEQ));
    assertEquals("websocket", publish.getAttributes().get(Tracing.TRANSPORT));
    assertEquals("[type, channel, epoch, seq, data]", pubKeys, "the pub frame carries nothing of the trace");
  }

  @Test
  void aConnectionClosedByTheNodeEndsInError() {
    try (WsClient ws = WsClient.open(TestNode.clientVertx(), node.port())) {
      ws.send(new JsonObject().put("id", 1).put("type", "connect").put("token", "not-a-token"));
      assertEquals((short) 4001, ws.awaitClose());
    }
    SpanData connection = await(Tracing.CONNECTION_SPAN, s -> Long.valueOf(4001).equals(
        s.getAttributes().get(Tracing.CLOSE_CODE)));
    assertEquals(StatusCode.ERROR, connection.getStatus().getStatusCode());
    assertFalse(connection.getParentSpanContext().isValid(), "no traceparent given: a trace of its own");
  }

  @Test
  void sendAndAdminPublishContinueATraceparentHeader() {
    HttpClient http = TestNode.clientVertx().createHttpClient();
    try {
      JsonArray commands = new JsonArray().add(new JsonObject().put("id", 1).put("type", "connect").put("tenant", "demo"))
          .add(new JsonObject().put("id", 2).put("type", "publish").put("channel", "over-http").put("data", 1));
      int status = Await.result(http.request(HttpMethod.POST, node.port(), "127.0.0.1", "/send")
          .compose(req -> req.putHeader("traceparent", TRACEPARENT).send(commands.encode())
              .map(res -> res.statusCode())));
      assertEquals(200, status);
      SpanData overHttp = await(Tracing.PUBLISH_SPAN, s -> "over-http".equals(s.getAttributes().get(Tracing.CHANNEL)));
      assertEquals(TRACE, overHttp.getTraceId());
      assertEquals(PARENT_SPAN, overHttp.getParentSpanId());
      assertEquals("longpoll", overHttp.getAttributes().get(Tracing.TRANSPORT));

      int adminStatus = Await.result(http.request(HttpMethod.POST, node.adminPort(), "127.0.0.1", "/api/v1/publish")
          .compose(req -> req.putHeader("Authorization", "Bearer " + TestNode.ADMIN_KEY)
              .putHeader("traceparent", TRACEPARENT)
              .send(new JsonObject().put("tenant", "demo").put("channel", "from-admin").put("data", 2).encode())
              .map(res -> res.statusCode())));
      assertEquals(200, adminStatus);
      SpanData admin = await(Tracing.PUBLISH_SPAN, s -> "from-admin".equals(s.getAttributes().get(Tracing.CHANNEL)));
      assertEquals(TRACE, admin.getTraceId());
      assertEquals("admin", admin.getAttributes().get(Tracing.TRANSPORT));
    } finally {
      http.close();
    }
  }

  @Test
  void aMalformedTraceparentIsIgnored() {
    try (WsClient ws = WsClient.open(TestNode.clientVertx(), node.port())) {
      JsonObject connected = ws.request(new JsonObject().put("type", "connect").put("tenant", "demo")
          .put("traceparent", "not-a-traceparent"));
      assertEquals("connected", connected.getString("type"));
    }
    SpanData connection = await(Tracing.CONNECTION_SPAN, s -> true);
    assertFalse(connection.getParentSpanContext().isValid());
  }

  /** Two clustered nodes: the publish's trace runs through the owner's sequencing and the other node's fan-out. */
  @Test
  void aClusteredPublishIsTracedThroughTheOwnerAndTheFanOut() {
    String cluster = "traced-" + UUID.randomUUID();
    int port = FreePorts.block(2);
    String members = "127.0.0.1:" + port + ",127.0.0.1:" + (port + 1);
    try (TestNode a = TestNode.startClustered("a", cluster, port, members, new JsonObject(),
        new NodeVerticle().withTracing(tracing));
         TestNode b = TestNode.startClustered("b", cluster, port + 1, members, new JsonObject(),
             new NodeVerticle().withTracing(tracing))) {
      Await.until(Duration.ofSeconds(30), "two members", () -> a.node.status().members().size() == 2);
      try (WsClient subscriber = b.demoClient(); WsClient publisher = a.demoClient()) {
        subscriber.subscribe("across");
        publisher.request(new JsonObject().put("type", "publish").put("channel", "across").put("data", "y")
            .put("traceparent", TRACEPARENT));
        subscriber.pubs("across", 1);
      }
      SpanData publish = await(Tracing.PUBLISH_SPAN, s -> "across".equals(s.getAttributes().get(Tracing.CHANNEL)));
      SpanData sequence = await(Tracing.SEQUENCE_SPAN, s -> TRACE.equals(s.getTraceId()));
      SpanData fanout = await(Tracing.FANOUT_SPAN, s -> TRACE.equals(s.getTraceId()));
      assertEquals(publish.getSpanId(), sequence.getParentSpanId());
      assertEquals(publish.getSpanId(), fanout.getParentSpanId());
      assertEquals(((io.vertx.core.internal.VertxInternal) b.vertx).clusterManager().getNodeId(),
          fanout.getAttributes().get(Tracing.NODE), "the fan-out span is the subscriber's node's");
      assertTrue(Set.of(1L).contains(fanout.getAttributes().get(Tracing.SEQ)));
      List<SpanData> trace = SPANS.getFinishedSpanItems().stream().filter(s -> TRACE.equals(s.getTraceId())).toList();
      assertEquals(3, trace.size(), trace.toString());
    }
  }
}
