package dev.syncwire.config;

import java.util.List;

import static dev.syncwire.config.SyncwireConfig.HTTP_ALLOWED_ORIGINS;
import static dev.syncwire.config.SyncwireConfig.HTTP_BODY_TIMEOUT_MS;
import static dev.syncwire.config.SyncwireConfig.HTTP_HEADER_TIMEOUT_MS;
import static dev.syncwire.config.SyncwireConfig.HTTP_HOST;
import static dev.syncwire.config.SyncwireConfig.HTTP_IDLE_TIMEOUT_MS;
import static dev.syncwire.config.SyncwireConfig.HTTP_MAX_COMMANDS_PER_SEND;
import static dev.syncwire.config.SyncwireConfig.HTTP_MAX_SEND_BYTES;
import static dev.syncwire.config.SyncwireConfig.HTTP_PORT;
import static dev.syncwire.config.SyncwireConfig.HTTP_TLS_CERT_PATH;
import static dev.syncwire.config.SyncwireConfig.HTTP_TLS_KEY_PATH;
import static dev.syncwire.config.SyncwireConfig.HTTP_TRUSTED_PROXIES;
import static dev.syncwire.config.SyncwireConfig.LONGPOLL_TIMEOUT_MS;
import static dev.syncwire.config.SyncwireConfig.DEMO_ENABLED;
import static dev.syncwire.config.SyncwireConfig.SESSION_LINGER_MS;
import static dev.syncwire.config.SyncwireConfig.SSE_KEEPALIVE_MS;
import static dev.syncwire.config.SyncwireConfig.SSE_RETRY_MS;

/**
 * The client port and its HTTP transports ({@code /send}, {@code /sse}, {@code /poll}): {@code http.*},
 * {@code sse.*}, {@code longpoll.timeoutMs}, {@code session.lingerMs} and {@code demo.enabled}.
 *
 * @param allowedOrigins browser origins allowed by CORS; empty = any
 * @param trustedProxies proxies whose {@code X-Forwarded-For} names the client; empty = none
 * @param sessionLingerMs how long an HTTP session lives without a downstream or a request
 * @param demoEnabled whether {@code /demo} serves the demo page
 * @param tls the port's certificate and key, {@link TlsConfig#OFF} for plain HTTP
 */
public record HttpConfig(String host, int port, int maxSendBytes, int maxCommandsPerSend, List<String> allowedOrigins,
                         long headerTimeoutMs, long bodyTimeoutMs, long idleTimeoutMs,
                         List<AddressRange> trustedProxies, long sseKeepaliveMs, long sseRetryMs,
                         long longpollTimeoutMs, long sessionLingerMs, boolean demoEnabled, TlsConfig tls) {
  static HttpConfig from(ConfigValues v) {
    return new HttpConfig(v.get(HTTP_HOST), v.integer(HTTP_PORT), v.integer(HTTP_MAX_SEND_BYTES),
        v.integer(HTTP_MAX_COMMANDS_PER_SEND), v.strings(HTTP_ALLOWED_ORIGINS), v.number(HTTP_HEADER_TIMEOUT_MS),
        v.number(HTTP_BODY_TIMEOUT_MS), v.number(HTTP_IDLE_TIMEOUT_MS),
        AddressRange.parseAll(HTTP_TRUSTED_PROXIES.path(), v.strings(HTTP_TRUSTED_PROXIES)),
        v.number(SSE_KEEPALIVE_MS), v.number(SSE_RETRY_MS), v.number(LONGPOLL_TIMEOUT_MS),
        v.number(SESSION_LINGER_MS), v.get(DEMO_ENABLED), TlsConfig.from(v, HTTP_TLS_CERT_PATH, HTTP_TLS_KEY_PATH));
  }
}
