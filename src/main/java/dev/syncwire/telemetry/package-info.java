/**
 * Telemetry: the node's metrics (Micrometer, scraped by Prometheus at {@code GET /metrics} on the admin
 * port), its traces ({@link dev.syncwire.telemetry.Tracing}, OpenTelemetry, off by default) and its
 * structured logs. Names of metrics live in {@link dev.syncwire.telemetry.MetricNames} and
 * nowhere else. Depends on config and protocol only.
 */
package dev.syncwire.telemetry;
