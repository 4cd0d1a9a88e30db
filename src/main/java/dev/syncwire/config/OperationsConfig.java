package dev.syncwire.config;

import static dev.syncwire.config.SyncwireConfig.DRAIN_GRACE_MS;
import static dev.syncwire.config.SyncwireConfig.DRAIN_PERIOD_MS;
import static dev.syncwire.config.SyncwireConfig.METRICS_PER_TENANT;
import static dev.syncwire.config.SyncwireConfig.METRICS_REQUIRE_KEY;
import static dev.syncwire.config.SyncwireConfig.OTEL_ENABLED;
import static dev.syncwire.config.SyncwireConfig.OTEL_ENDPOINT;
import static dev.syncwire.config.SyncwireConfig.OTEL_SERVICE_NAME;
import static dev.syncwire.config.SyncwireConfig.WARMUP_ROUNDS;
import static dev.syncwire.config.SyncwireConfig.WARMUP_SESSIONS;
import static dev.syncwire.config.SyncwireConfig.WARMUP_TIMEOUT_MS;

/**
 * How a node starts, stops and is watched: {@code warmup.*}, {@code drain.*}, {@code metrics.*} and
 * {@code otel.*}.
 *
 * @param metricsRequireKey whether {@code GET /metrics} needs the admin key
 * @param metricsPerTenant  whether publish counters carry a tenant tag
 * @param drainPeriodMs     how long a drain spreads its clients' reconnects over
 * @param drainGraceMs      how long after that a draining node may take to hand its channels over and exit
 * @param otelEnabled       whether the node records and exports traces
 * @param otelEndpoint      the OTLP/HTTP endpoint; empty for the SDK's own default
 * @param otelServiceName   the {@code service.name} of the node's spans
 * @param warmUpSessions    sessions per round of the start-up warm-up; 0 for none
 * @param warmUpRounds      rounds of the warm-up
 * @param warmUpTimeoutMs   the warm-up's time limit
 */
public record OperationsConfig(boolean metricsRequireKey, boolean metricsPerTenant, long drainPeriodMs,
                               long drainGraceMs, boolean otelEnabled, String otelEndpoint, String otelServiceName,
                               int warmUpSessions, int warmUpRounds, long warmUpTimeoutMs) {
  static OperationsConfig from(ConfigValues v) {
    return new OperationsConfig(v.get(METRICS_REQUIRE_KEY), v.get(METRICS_PER_TENANT), v.number(DRAIN_PERIOD_MS),
        v.number(DRAIN_GRACE_MS), v.get(OTEL_ENABLED), v.get(OTEL_ENDPOINT), v.get(OTEL_SERVICE_NAME),
        v.integer(WARMUP_SESSIONS), v.integer(WARMUP_ROUNDS), v.number(WARMUP_TIMEOUT_MS));
  }
}
