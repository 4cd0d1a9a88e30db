/**
 * Transports: each adapts one kind of connection to a {@link dev.syncwire.session.Session} and nothing
 * more. {@link dev.syncwire.transport.GatewayVerticle} serves the client port.
 */
package dev.syncwire.transport;
