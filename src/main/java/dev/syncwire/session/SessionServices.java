package dev.syncwire.session;

import dev.syncwire.auth.Authenticator;
import dev.syncwire.broker.ChannelBroker;
import dev.syncwire.config.HeartbeatConfig;
import dev.syncwire.config.LimitsConfig;
import dev.syncwire.guard.MemoryGuard;
import dev.syncwire.telemetry.NodeMetrics;
import dev.syncwire.telemetry.Tracing;
import io.vertx.core.Vertx;

/**
 * The node-wide services every session uses.
 *
 * @param limits what one session may do
 * @param connections the live sessions per client address and per tenant, counted for the whole node
 * @param metrics where sessions report what happens to them
 * @param admission whether new sessions are taken
 * @param tracing the node's traces (disabled unless {@code otel.enabled})
 */
public record SessionServices(Vertx vertx, String nodeId, LimitsConfig limits, HeartbeatConfig heartbeat,
                              Authenticator authenticator, ChannelBroker broker, ConnectionLimits connections,
                              MemoryGuard guard, NodeMetrics metrics,
                              Admission admission, Tracing tracing) {
}
