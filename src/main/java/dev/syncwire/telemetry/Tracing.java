package dev.syncwire.telemetry;

import dev.syncwire.config.OperationsConfig;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The node's traces (OpenTelemetry). Off by default: then {@link #enabled()} is false and every call site
 * skips its span work with one branch, so tracing costs nothing and adds nothing to any frame. On, the SDK
 * is configured from the {@code otel.*} keys as defaults under the standard {@code OTEL_*} variables, and
 * exports over OTLP/HTTP. Span, event and attribute names live here.
 */
public final class Tracing {
  /** One span per client connection, from its open to its close. */
  public static final String CONNECTION_SPAN = "ws.connection";
  /** An event on the connection span per message received (only while that span is recorded). */
  public static final String MESSAGE_EVENT = "ws.message.received";
  /** A publish, from the command (or admin call) to its acknowledgement. */
  public static final String PUBLISH_SPAN = "syncwire.publish";
  /** The channel's owner sequencing publishes (in a cluster, on the owner node). */
  public static final String SEQUENCE_SPAN = "syncwire.sequence";
  /** A node handing a publication it received from another node to its subscribers. */
  public static final String FANOUT_SPAN = "syncwire.fanout";

  public static final AttributeKey<String> CLIENT_ID = AttributeKey.stringKey("client.id");
  public static final AttributeKey<String> PROTOCOL = AttributeKey.stringKey("ws.protocol");
  public static final AttributeKey<Long> CLOSE_CODE = AttributeKey.longKey("ws.close.code");
  public static final AttributeKey<String> CLOSE_REASON = AttributeKey.stringKey("ws.close.reason");
  public static final AttributeKey<Long> CONNECTION_DURATION = AttributeKey.longKey("ws.connection.duration");
  public static final AttributeKey<Long> MESSAGE_SIZE = AttributeKey.longKey("ws.message.size");
  public static final AttributeKey<String> TENANT = AttributeKey.stringKey("syncwire.tenant");
  public static final AttributeKey<String> CHANNEL = AttributeKey.stringKey("messaging.destination.name");
  public static final AttributeKey<String> TRANSPORT = AttributeKey.stringKey("syncwire.transport");
  public static final AttributeKey<Long> SEQ = AttributeKey.longKey("syncwire.seq");
  public static final AttributeKey<String> EPOCH = AttributeKey.stringKey("syncwire.epoch");
  public static final AttributeKey<Long> BATCH = AttributeKey.longKey("syncwire.batch");
  public static final AttributeKey<String> NODE = AttributeKey.stringKey("syncwire.node");

  private static final String INSTRUMENTATION = "dev.syncwire";
  private static final Tracing DISABLED = new Tracing(OpenTelemetry.noop(), false, null);
  /** The node's tracing, for code Hazelcast runs on the channel's owner (it cannot be handed one). */
  private static volatile Tracing forNode = DISABLED;

  private static final TextMapGetter<String> TRACEPARENT = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(String carrier) {
      return List.of("traceparent");
    }

    @Override
    public String get(String carrier, String key) {
      return "traceparent".equals(key) ? carrier : null;
    }
  };

  private final OpenTelemetry openTelemetry;
  private final Tracer tracer;
  private final boolean enabled;
  private final OpenTelemetrySdk sdk;

  private Tracing(OpenTelemetry openTelemetry, boolean enabled, OpenTelemetrySdk sdk) {
    this.openTelemetry = openTelemetry;
    this.tracer = openTelemetry.getTracer(INSTRUMENTATION);
    this.enabled = enabled;
    this.sdk = sdk;
  }

  public static Tracing disabled() {
    return DISABLED;
  }

  /** Traces through {@code openTelemetry} (tests give one with an in-memory exporter). */
  public static Tracing with(OpenTelemetry openTelemetry) {
    return new Tracing(openTelemetry, true, null);
  }

  /** The node's tracing from its configuration: disabled, or the SDK set up from otel.* and OTEL_*. */
  public static Tracing configured(OperationsConfig config, String nodeId) {
    if (!config.otelEnabled()) {
      return DISABLED;
    }
    Map<String, String> defaults = new HashMap<>();
    defaults.put("otel.service.name", config.otelServiceName());
    defaults.put("otel.resource.attributes", "service.instance.id=" + nodeId);
    defaults.put("otel.traces.exporter", "otlp");
    defaults.put("otel.exporter.otlp.protocol", "http/protobuf");
    // Metrics go to Prometheus (/metrics) and logs to the log; only traces leave through OTLP.
    defaults.put("otel.metrics.exporter", "none");
    defaults.put("otel.logs.exporter", "none");
    if (!config.otelEndpoint().isEmpty()) {
      defaults.put("otel.exporter.otlp.endpoint", config.otelEndpoint());
    }
    OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder().addPropertiesSupplier(() -> defaults)
        .disableShutdownHook().build().getOpenTelemetrySdk();
    return new Tracing(sdk, true, sdk);
  }

  /** Makes {@code tracing} the one the owner-side code of this node uses. */
  public static void useForNode(Tracing tracing) {
    forNode = tracing;
  }

  public static Tracing forNode() {
    return forNode;
  }

  public boolean enabled() {
    return enabled;
  }

  public Tracer tracer() {
    return tracer;
  }

  /** The context a span continues: the given W3C traceparent, or a new trace when it is null. */
  public Context parentOf(String traceparent) {
    if (traceparent == null) {
      return Context.root();
    }
    return W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent, TRACEPARENT);
  }

  /** A span of {@code kind} under {@code parent}. */
  public Span start(String name, SpanKind kind, Context parent) {
    return tracer.spanBuilder(name).setSpanKind(kind).setParent(parent).startSpan();
  }

  /** The W3C traceparent of {@code span}, to carry its context to the owner and to other nodes. */
  public static String traceparent(Span span) {
    SpanContext c = span.getSpanContext();
    if (!c.isValid()) {
      return null;
    }
    return "00-" + c.getTraceId() + "-" + c.getSpanId() + "-" + c.getTraceFlags().asHex();
  }

  /** Flushes and stops the exporter (the node is stopping). */
  public void close() {
    if (sdk != null) {
      sdk.close();
    }
  }

  OpenTelemetry openTelemetry() {
    return openTelemetry;
  }
}
