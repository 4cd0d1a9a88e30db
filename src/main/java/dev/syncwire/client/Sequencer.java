package dev.syncwire.client;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Puts the pushes of one channel in order. It knows the last applied position; {@link #offer} hands back
 * what can now be applied, in order, and holds the rest until the gap closes. A merged push ({@code from},
 * docs/protocol.md §8.2) is accepted when {@code from <= last + 1} and {@code seq > last}.
 */
final class Sequencer {
  private final int limit;
  private final TreeMap<Long, JsonObject> held = new TreeMap<>();
  private String epoch;
  private long last = -1;

  Sequencer(int limit) {
    this.limit = limit;
  }

  /** What {@link #offer} found. */
  record Offer(List<JsonObject> ready, boolean epochChanged, boolean overflow) {}

  /** Starts from a known position (a {@code subscribed} reply), keeping what is held beyond it. */
  void reset(String epoch, long seq) {
    if (!epoch.equals(this.epoch)) {
      held.clear();
    }
    this.epoch = epoch;
    this.last = seq;
    held.headMap(seq, true).clear();
  }

  String epoch() {
    return epoch;
  }

  long last() {
    return last;
  }

  /** Whether pushes wait for an earlier one. */
  boolean gap() {
    return !held.isEmpty();
  }

  Offer offer(JsonObject pub) {
    if (epoch != null && !epoch.equals(pub.getString("epoch"))) {
      return new Offer(List.of(), true, false);
    }
    long seq = pub.getLong("seq", -1L);
    if (seq <= last) {
      return new Offer(List.of(), false, false); // already applied (§6.2)
    }
    long from = pub.getLong("from", seq);
    List<JsonObject> ready = new ArrayList<>(1);
    if (from <= last + 1) {
      ready.add(pub);
      last = seq;
      drain(ready);
    } else {
      held.putIfAbsent(seq, pub);
    }
    return new Offer(ready, false, held.size() > limit);
  }

  private void drain(List<JsonObject> ready) {
    while (!held.isEmpty()) {
      var head = held.firstEntry();
      JsonObject pub = head.getValue();
      if (head.getKey() <= last) {
        held.pollFirstEntry();
      } else if (pub.getLong("from", head.getKey()) <= last + 1) {
        held.pollFirstEntry();
        ready.add(pub);
        last = head.getKey();
      } else {
        break;
      }
    }
  }
}
