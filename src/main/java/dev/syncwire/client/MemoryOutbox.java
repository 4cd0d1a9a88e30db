package dev.syncwire.client;

import java.util.ArrayList;
import java.util.Collection;
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
  public synchronized List<Entry> write(List<Draft> adds, Collection<Long> removals) {
    List<Entry> added = new ArrayList<>(adds.size());
    for (Draft d : adds) {
      Entry entry = new Entry(nextId++, Objects.requireNonNull(d.channel(), "channel"),
          Objects.requireNonNull(d.key(), "key"), Objects.requireNonNull(d.body(), "body"), d.expiresAt());
      entries.put(entry.id(), entry);
      added.add(entry);
    }
    removals.forEach(entries::remove);
    return added;
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
