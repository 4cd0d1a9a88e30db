package dev.syncwire.config;

import java.util.List;

import static dev.syncwire.config.SyncwireConfig.LIMITS_MAX_FRAME_BYTES;
import static dev.syncwire.config.SyncwireConfig.PROTO_COMPRESS_ABOVE_BYTES;
import static dev.syncwire.config.SyncwireConfig.WEBSOCKET_ALLOWED_ORIGINS;
import static dev.syncwire.config.SyncwireConfig.WEBSOCKET_COMPRESSION;
import static dev.syncwire.config.SyncwireConfig.WEBSOCKET_HANDSHAKE_TIMEOUT_MS;

/**
 * {@code /ws}: {@code websocket.*}, {@code limits.maxFrameBytes} and {@code proto.compressAboveBytes}.
 *
 * @param allowedOrigins exact {@code Origin} values allowed; empty = any
 * @param compression whether permessage-deflate is offered
 * @param maxFrameBytes largest inbound message, after inflation
 * @param protoCompressAboveBytes binary pushes deflate state patches larger than this
 */
public record WebSocketConfig(List<String> allowedOrigins, boolean compression, long handshakeTimeoutMs,
                              int maxFrameBytes, int protoCompressAboveBytes) {
  static WebSocketConfig from(ConfigValues v) {
    return new WebSocketConfig(v.strings(WEBSOCKET_ALLOWED_ORIGINS), v.get(WEBSOCKET_COMPRESSION),
        v.number(WEBSOCKET_HANDSHAKE_TIMEOUT_MS), v.integer(LIMITS_MAX_FRAME_BYTES),
        v.integer(PROTO_COMPRESS_ABOVE_BYTES));
  }
}
