package dev.syncwire.telemetry;

import dev.syncwire.protocol.TransportKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * The node's metrics, with one method per event the code reports. Meters are made once, so reporting
 * costs an add on a striped counter and never a lookup by name; tags have a small fixed set of values
 * (transport, reason, close code, and tenant only when {@code metrics.perTenant} is on).
 */
public final class NodeMetrics {
  /** Why a frame was never delivered. */
  public enum DropReason {
    /** Queued for a session cut off with 4009. */
    SLOW_CONSUMER("slow_consumer"),
    /** Queued for a channel reset because its subscriber fell behind (HTTP sessions). */
    CHANNEL_RESET("channel_reset"),
    /** Merged into a later push by conflation. */
    CONFLATED("conflated");

    final String label;

    DropReason(String label) {
      this.label = label;
    }
  }

  private static final Duration LATENCY_MIN = Duration.ofNanos(50_000);
  private static final Duration LATENCY_MAX = Duration.ofSeconds(30);

  private final MeterRegistry registry;
  private final boolean perTenant;
  private final Map<TransportKind, AtomicInteger> active = new EnumMap<>(TransportKind.class);
  private final Map<TransportKind, Counter> connections = new EnumMap<>(TransportKind.class);
  private final Map<TransportKind, Counter> publishes = new EnumMap<>(TransportKind.class);
  private final Map<TransportKind, Counter> reconnects = new EnumMap<>(TransportKind.class);
  private final Map<TransportKind, Counter> rateLimited = new EnumMap<>(TransportKind.class);
  private final Map<DropReason, LongAdder> dropped = new EnumMap<>(DropReason.class);
  private final Map<DropReason, Counter> droppedCounters = new EnumMap<>(DropReason.class);
  private final Map<String, Counter> byTag = new ConcurrentHashMap<>();
  private final Counter adminPublishes;
  private final Counter acks;
  private final Counter duplicates;
  private final Counter recovered;
  private final Counter notRecovered;
  private final Counter conflations;
  private final Counter authFailures;
  private final Timer ackLatency;
  private final Timer deliveryLatency;
  private final RateWindow reconnectWindow = new RateWindow(60);
  /** Micrometer holds the state of gauges and function counters weakly; a lambda has no other reference. */
  private final List<Object> held = new CopyOnWriteArrayList<>();

  public NodeMetrics(MeterRegistry registry, boolean perTenant) {
    this.registry = registry;
    this.perTenant = perTenant;
    for (TransportKind kind : TransportKind.values()) {
      Tags tags = Tags.of(MetricNames.TRANSPORT, kind.label());
      AtomicInteger count = new AtomicInteger();
      active.put(kind, count);
      Gauge.builder(MetricNames.ACTIVE_CONNECTIONS, count, AtomicInteger::get).tags(tags)
          .description("open sessions").register(registry);
      connections.put(kind, Counter.builder(MetricNames.CONNECTIONS).tags(tags)
          .description("sessions opened").register(registry));
      publishes.put(kind, Counter.builder(MetricNames.PUBLISHES).tags(tags)
          .description("publish commands received").register(registry));
      reconnects.put(kind, Counter.builder(MetricNames.RECONNECTS).tags(tags)
          .description("subscribes with since, and HTTP downstreams resumed with a cursor").register(registry));
      rateLimited.put(kind, Counter.builder(MetricNames.RATE_LIMITED).tags(tags)
          .description("commands refused with rate_limited").register(registry));
    }
    for (DropReason reason : DropReason.values()) {
      dropped.put(reason, new LongAdder());
      droppedCounters.put(reason, Counter.builder(MetricNames.DROPPED_FRAMES_COUNTER)
          .tag(MetricNames.REASON, reason.label).description("frames never delivered").register(registry));
    }
    adminPublishes = Counter.builder(MetricNames.PUBLISHES).tag(MetricNames.TRANSPORT, "admin")
        .description("publish commands received").register(registry);
    acks = Counter.builder(MetricNames.ACKS).tag("duplicate", "false").description("publishes acknowledged")
        .register(registry);
    duplicates = Counter.builder(MetricNames.ACKS).tag("duplicate", "true").description("publishes acknowledged")
        .register(registry);
    recovered = Counter.builder(MetricNames.RECOVERIES).tag("recovered", "true")
        .description("subscribes with since").register(registry);
    notRecovered = Counter.builder(MetricNames.RECOVERIES).tag("recovered", "false")
        .description("subscribes with since").register(registry);
    conflations = Counter.builder(MetricNames.CONFLATIONS).description("pushes merging several queued patches")
        .register(registry);
    authFailures = Counter.builder(MetricNames.AUTH_FAILURES).description("refused tokens").register(registry);
    Gauge.builder(MetricNames.RECONNECT_RATE, reconnectWindow, w -> w.perSecond(nowSeconds()))
        .description("reconnects per second over the last minute").register(registry);
    ackLatency = latencyTimer(MetricNames.PUBLISH_ACK_LATENCY, "publish command to acknowledgement");
    deliveryLatency = latencyTimer(MetricNames.PUBLISH_DELIVERY_LATENCY,
        "publication entering this node to its delivery to this node's subscribers");
  }

  private static final class Discarding {
    static final NodeMetrics INSTANCE = new NodeMetrics(new SimpleMeterRegistry(), false);
  }

  /** Metrics that go nowhere (one shared instance), for components used without a node. */
  public static NodeMetrics discarding() {
    return Discarding.INSTANCE;
  }

  public MeterRegistry registry() {
    return registry;
  }

  private Timer latencyTimer(String name, String description) {
    return Timer.builder(name).description(description).publishPercentileHistogram()
        .minimumExpectedValue(LATENCY_MIN).maximumExpectedValue(LATENCY_MAX).register(registry);
  }

  // ---- sessions ----

  public void connectionOpened(TransportKind kind) {
    active.get(kind).incrementAndGet();
    connections.get(kind).increment();
  }

  public void connectionClosed(TransportKind kind) {
    active.get(kind).decrementAndGet();
  }

  /** An HTTP session moved between SSE and long-polling. */
  public void transportSwitched(TransportKind from, TransportKind to) {
    if (from != to) {
      active.get(from).decrementAndGet();
      active.get(to).incrementAndGet();
    }
  }

  public int activeConnections(TransportKind kind) {
    return active.get(kind).get();
  }

  /** The node closed a session with this code. */
  public void closed(int code) {
    byTag.computeIfAbsent("close:" + code, k -> Counter.builder(MetricNames.CLOSES)
        .tag(MetricNames.CODE, Integer.toString(code)).description("sessions closed by the node")
        .register(registry)).increment();
  }

  public void framesDropped(DropReason reason, long frames) {
    if (frames > 0) {
      dropped.get(reason).add(frames);
      droppedCounters.get(reason).increment(frames);
    }
  }

  /** Frames dropped since start, per reason (the {@code ws_dropped_frames} gauge). */
  public long droppedFrames(DropReason reason) {
    return dropped.get(reason).sum();
  }

  public void conflated(long pushes) {
    if (pushes > 0) {
      conflations.increment(pushes);
    }
  }

  public void reconnect(TransportKind kind) {
    reconnects.get(kind).increment();
    reconnectWindow.add(nowSeconds());
  }

  public double reconnectRate() {
    return reconnectWindow.perSecond(nowSeconds());
  }

  public void authFailure() {
    authFailures.increment();
  }

  public void rateLimited(TransportKind kind) {
    rateLimited.get(kind).increment();
  }

  // ---- publications ----

  public void publish(TransportKind kind, String tenant) {
    publishes.get(kind).increment();
    if (perTenant) {
      tenantCounter(MetricNames.PUBLISHES, kind.label(), tenant).increment();
    }
  }

  public void adminPublish(String tenant) {
    adminPublishes.increment();
    if (perTenant) {
      tenantCounter(MetricNames.PUBLISHES, "admin", tenant).increment();
    }
  }

  /** A publish acknowledged {@code nanos} after its command arrived. */
  public void acked(boolean duplicate, long nanos) {
    (duplicate ? duplicates : acks).increment();
    ackLatency.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void recovery(boolean wasRecovered) {
    (wasRecovered ? recovered : notRecovered).increment();
  }

  public void reset(String reason) {
    byTag.computeIfAbsent("reset:" + reason, k -> Counter.builder(MetricNames.RESETS)
        .tag(MetricNames.REASON, reason).description("reset frames sent").register(registry)).increment();
  }

  /** A publication reached this node's subscribers {@code nanos} after entering the node. */
  public void delivered(long nanos) {
    deliveryLatency.record(nanos, TimeUnit.NANOSECONDS);
  }

  private Counter tenantCounter(String name, String transport, String tenant) {
    return byTag.computeIfAbsent(name + ":" + transport + ":" + tenant, k -> Counter.builder(name)
        .tag(MetricNames.TRANSPORT, transport).tag(MetricNames.TENANT, tenant).register(registry));
  }

  // ---- figures other components keep ----

  /** A gauge read from {@code value} at each scrape. */
  public void gauge(String name, String description, DoubleSupplier value) {
    held.add(value);
    Gauge.builder(name, value, DoubleSupplier::getAsDouble).description(description).register(registry);
  }

  /** A counter whose total {@code total} keeps (it must only grow). */
  public void counter(String name, String description, Supplier<? extends Number> total) {
    held.add(total);
    FunctionCounter.builder(name, total, t -> t.get().doubleValue()).description(description).register(registry);
  }

  private static long nowSeconds() {
    return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime());
  }
}
