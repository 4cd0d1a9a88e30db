package dev.syncwire.client;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** An outbox that lives as long as the process: for clients that asked for no file. */
final class MemoryOutbox implements Outbox {
  // Insertion order is id order: ids only grow.
  private final Map<Long, Entry> entries = new LinkedHashMap<>();
  private long nextId = 1;

  @Override
  public synchronized Entry add(String channel, String key, String body, long expiresAt) {
    Entry entry = new Entry(nextId++, Objects.requireNonNull(channel, "channel"), Objects.requireNonNull(key, "key"),
        Objects.requireNonNull(body, "body"), expiresAt);
    entries.put(entry.id(), entry);
    return entry;
  }

  @Override
  public synchronized void remove(long id) {
    entries.remove(id);
  }

  @Override
  public synchronized List<Entry> entries() {
    return List.copyOf(entries.values());
  }

  @Override
  public boolean durable() {
    return false;
  }

  @Override
  public void close() {
    // Nothing held but memory.
  }
}
