/**
 * The HTTP transports (docs/protocol.md §11): {@code POST /send} upstream, and {@code GET /sse} or
 * {@code GET /poll} downstream. A session lives on the node that created it; any node serves any of
 * its requests by forwarding over the event bus to that home node, so no load balancer stickiness is
 * needed. Adapts HTTP to a {@link dev.syncwire.session.Session}, nothing more.
 */
package dev.syncwire.transport.http;
