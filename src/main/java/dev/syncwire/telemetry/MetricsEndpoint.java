package dev.syncwire.telemetry;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The text {@code GET /metrics} answers: the registry in Prometheus's text format 0.0.4, then the
 * {@code ws_dropped_frames} gauge. That one is written here because Prometheus's client would refuse a
 * gauge whose name is the family of the {@code ws_dropped_frames_total} counter; in the text format they
 * are two separate series, and scrape configs that keep {@code ws_dropped_frames} find it.
 */
public final class MetricsEndpoint {
  /** The content type of the text format this endpoint writes. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry;
  private final NodeMetrics metrics;

  public MetricsEndpoint(PrometheusMeterRegistry registry, NodeMetrics metrics) {
    this.registry = registry;
    this.metrics = metrics;
  }

  /** The whole scrape. Takes a millisecond or more with the JVM's meters: call it off the event loop. */
  public String scrape() {
    StringBuilder out = new StringBuilder(registry.scrape(CONTENT_TYPE));
    String name = MetricNames.DROPPED_FRAMES_GAUGE;
    out.append("# HELP ").append(name).append(" Frames never delivered since the node started, by reason\n");
    out.append("# TYPE ").append(name).append(" gauge\n");
    for (NodeMetrics.DropReason reason : NodeMetrics.DropReason.values()) {
      out.append(name).append("{").append(MetricNames.REASON).append("=\"").append(reason.label).append("\"} ")
          .append((double) metrics.droppedFrames(reason)).append('\n');
    }
    return out.toString();
  }
}
