package dev.syncwire.telemetry;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.util.EnumSet;

/**
 * Where the node's meters live. The launcher makes one Prometheus registry for the process and has Vert.x
 * report into it (HTTP server, event bus, pools, JVM); the node's own meters join it. A node deployed
 * without the launcher (in-process tests) gets a registry of its own, without Vert.x's meters.
 */
public final class MetricsRegistries {
  private static volatile PrometheusMeterRegistry launcherRegistry;

  private MetricsRegistries() {
  }

  /**
   * Makes Vert.x report into the process's registry. Tags stay few: no HTTP path (clients choose it). The
   * event bus is left out: without its address tag, every handler would register one and the same gauge
   * again (and warn), and the cluster's traffic has counters of its own ({@link MetricNames#FANOUT_SENT}).
   */
  public static VertxBuilder withVertxMetrics(VertxBuilder builder, VertxOptions options) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    launcherRegistry = registry;
    return withVertxMetrics(builder, options, registry);
  }

  /** As the launcher's Vert.x reports, into {@code registry}, which stays the caller's own. */
  public static VertxBuilder withVertxMetrics(VertxBuilder builder, VertxOptions options,
                                              PrometheusMeterRegistry registry) {
    options.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)
        .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE, Label.POOL_NAME))
        .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS));
    return builder.with(options).withMetrics(new MicrometerMetricsFactory(registry));
  }

  /** The process's registry when the launcher made one, else a new one for this node alone. */
  public static PrometheusMeterRegistry forNode() {
    PrometheusMeterRegistry registry = launcherRegistry;
    return registry != null ? registry : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }
}
