package dev.syncwire.session;

import dev.syncwire.auth.Authenticator;
import dev.syncwire.broker.ChannelBroker;
import dev.syncwire.config.SyncwireConfig;
import dev.syncwire.guard.MemoryGuard;
import io.vertx.core.Vertx;

/** The node-wide services every session uses. */
public record SessionServices(Vertx vertx, String nodeId, SyncwireConfig config, Authenticator authenticator,
                              ChannelBroker broker, ConnectionLimits limits, MemoryGuard guard) {
}
