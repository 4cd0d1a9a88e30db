package dev.syncwire.channel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merging queued patches for a subscriber that fell behind (docs/protocol.md §8). The result has the
 * same effect on a client's state as the patches it replaces: later values replace earlier ones,
 * increments add up, an unset followed by an increment counts from zero.
 */
public final class Conflation {

  /**
   * A patch publication waiting for a subscriber: it moves the subscriber's position from
   * {@code from - 1} to {@code seq}. Unmerged updates have {@code from == seq}.
   */
  public record Update(long from, long seq, Patch patch, Map<String, Long> versions) {
    public static Update of(long seq, Patch patch, Map<String, Long> versions) {
      return new Update(seq, seq, patch, versions);
    }
  }

  private Conflation() {
  }

  /**
   * Conflates a run of updates of one channel whose ranges follow each other without a gap, into one
   * update per entity. The returned updates again cover the whole run without gaps: the first starts at
   * the run's {@code from}, each next one right after the previous, the last ends at the run's
   * {@code seq}. Each entity's update ends at its last change, so entities keep the order of their
   * final writes; the field versions inside stay the true seqs of each write.
   */
  public static List<Update> conflate(List<Update> run) {
    Map<String, List<Update>> byEntity = new LinkedHashMap<>();
    for (Update u : run) {
      byEntity.computeIfAbsent(u.patch().entity(), k -> new ArrayList<>()).add(u);
    }
    List<Update> merged = new ArrayList<>();
    for (List<Update> updates : byEntity.values()) {
      merged.add(merge(updates));
    }
    merged.sort((a, b) -> Long.compare(a.seq(), b.seq()));
    List<Update> out = new ArrayList<>(merged.size());
    long from = run.get(0).from();
    for (Update u : merged) {
      out.add(new Update(from, u.seq(), u.patch(), u.versions()));
      from = u.seq() + 1;
    }
    return out;
  }

  /** Merges updates of one entity, in order, into one. */
  static Update merge(List<Update> updates) {
    if (updates.size() == 1) {
      return updates.get(0);
    }
    Map<String, Object> set = new LinkedHashMap<>();
    Map<String, Number> inc = new LinkedHashMap<>();
    List<String> unset = new ArrayList<>();
    Map<String, Long> versions = new LinkedHashMap<>();
    for (Update u : updates) {
      Patch p = u.patch();
      p.set().forEach((field, value) -> {
        inc.remove(field);
        unset.remove(field);
        set.put(field, value);
      });
      p.inc().forEach((field, delta) -> {
        if (set.containsKey(field)) {
          set.put(field, Numbers.add((Number) set.get(field), delta));
        } else if (unset.remove(field)) {
          set.put(field, Numbers.add(0L, delta));
        } else {
          inc.merge(field, delta, Numbers::add);
        }
      });
      for (String field : p.unset()) {
        set.remove(field);
        inc.remove(field);
        versions.remove(field);
        if (!unset.contains(field)) {
          unset.add(field);
        }
      }
      if (u.versions() != null) {
        versions.putAll(u.versions());
      }
    }
    Update first = updates.get(0);
    Update last = updates.get(updates.size() - 1);
    return new Update(first.from(), last.seq(),
        new Patch(first.patch().entity(), set, unset, inc, Map.of()), versions);
  }
}
