/**
 * The WebSocket transport: handshake policy (path, Origin, subprotocol), inbound frame limits and
 * close codes, and direct writes to the Netty channel so one publication's frame is shared by every
 * socket and each socket is flushed once per event-loop turn.
 */
package dev.syncwire.transport.websocket;
