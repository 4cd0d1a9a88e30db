package dev.syncwire.client;

import java.util.List;

/**
 * The client's publications not yet acknowledged, in the order the application handed them over. An entry
 * is removed once the server acknowledged it (or refused it for good, or it expired). The durable kind
 * survives a crash of the process: what {@link #add} returned is there for the next client opened on the
 * same path and scope.
 *
 * <p>Calls block (file I/O); the client makes them off its event loop, one at a time, in order.
 */
interface Outbox extends AutoCloseable {

  /**
   * One queued publication.
   *
   * @param id        the order of the entry in its outbox; grows with every add, never reused
   * @param channel   the channel
   * @param key       the idempotency key it is sent with, every time
   * @param body      the publication's content as JSON text: {@code {"data":...}} or {@code {"patch":...}}
   * @param expiresAt epoch milliseconds after which it is reported expired rather than sent
   */
  record Entry(long id, String channel, String key, String body, long expiresAt) {}

  /** A publication to store: an entry without its id yet. */
  record Draft(String channel, String key, String body, long expiresAt) {}

  /**
   * Stores new entries at the end, in this order, and removes others, in one write: durable once this
   * returns. Removing an entry that is gone does nothing.
   *
   * @return the stored entries, in the order of {@code adds}
   */
  List<Entry> write(List<Draft> adds, java.util.Collection<Long> removals);

  /** Stores a new entry at the end; durable once this returns. */
  default Entry add(String channel, String key, String body, long expiresAt) {
    return write(List.of(new Draft(channel, key, body, expiresAt)), List.of()).get(0);
  }

  /** Removes an entry; removing one that is gone does nothing. */
  default void remove(long id) {
    write(List.of(), List.of(id));
  }

  /** Every entry, oldest first. */
  List<Entry> entries();

  /** Whether the entries survive the process. */
  boolean durable();

  @Override
  void close();
}
