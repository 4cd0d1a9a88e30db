package dev.syncwire.client;

/**
 * The fate of a publication that was queued by an earlier client of the same outbox (another process, or
 * a client closed before it was sent): no future waits for it, so it is reported here.
 *
 * @param status {@code acked}, {@code duplicate}, {@code expired} or {@code refused}
 * @param seq    the position it got, for {@code acked} and {@code duplicate}; else 0
 * @param error  why it was refused, or {@code null}
 */
public record OutboxEvent(String key, String channel, String status, long seq, SyncwireException error) {}
