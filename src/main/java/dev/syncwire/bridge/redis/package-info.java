/**
 * Redis: the link that every Redis call goes through (reconnects with backoff and jitter, fails fast
 * while Redis is away), the bridge that takes publications from Redis pub/sub and streams, and channel
 * logs kept in Redis streams. See docs/redis.md.
 */
package dev.syncwire.bridge.redis;
