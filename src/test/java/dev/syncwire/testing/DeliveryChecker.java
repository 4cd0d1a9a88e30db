package dev.syncwire.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Judges subscribers' logs ({@link ChaosSubscriber}) against the delivery guarantee of the protocol
 * (sections 4.2 to 4.5):
 * <ul>
 *   <li>within a subscription, each subscriber receives its channel's publications of the subscription's
 *   epoch in strictly increasing seq with no gap: a duplicate, a step back, a gap, a publication of another
 *   epoch or one outside any subscription is a failure;</li>
 *   <li>every acknowledged (epoch, seq) reaches every subscriber that followed the channel across that
 *   point. A subscriber follows from the position its first {@code subscribed} reply gives; a resubscribe
 *   that recovers continues where it was; a resubscribe answered {@code recovered:false} (after a reset
 *   push or a reconnect) excuses only the positions between where the subscriber was and that reply's
 *   seq, and the subscriber follows again from there. After its last subscription a subscriber is
 *   expected to hold everything acknowledged;</li>
 *   <li>one (epoch, seq), one publication: whatever acknowledged or delivered it, it is the same key;
 *   a recovered reply's publications reach the seq the reply announces.</li>
 * </ul>
 * Resets are reported with how many publications they skipped, so that a test can tell the ones history
 * could not have avoided from the others.
 */
public final class DeliveryChecker {
  private DeliveryChecker() {
  }

  /** What the server acknowledged for one key. */
  public record Ack(String epoch, long seq) {
  }

  /**
   * A discontinuity of one subscriber: a {@code reset} push (reason as sent) or a resubscribe answered
   * {@code recovered:false} (reason {@code not_recovered}). It left the channel at {@code fromEpoch}/
   * {@code fromSeq}; its resubscribe answered {@code toEpoch}/{@code toSeq} ({@code toEpoch} null when no
   * answer came), {@code recovered} saying whether that answer recovered what was missed.
   */
  public record Reset(int subscriber, String reason, String fromEpoch, long fromSeq, String toEpoch, long toSeq,
                      boolean recovered) {
    /** Publications the subscriber had not received when it was reset; -1 when unknown (epoch changed, no answer). */
    public long missed() {
      return toEpoch != null && toEpoch.equals(fromEpoch) ? toSeq - fromSeq : -1;
    }

    /**
     * Whether history could not have avoided this reset: what the subscriber missed was more than the
     * channel's history holds. An epoch change or a reset without a known extent is not explained.
     */
    public boolean explainedByHistory(long historySize) {
      return missed() > historySize;
    }
  }

  /** The result of {@link #analyse}. */
  public record Report(List<String> problems, List<Reset> resets, Set<String> epochs) {
    /** The resets that history does not explain: a subscriber reset although what it missed was in history. */
    public List<Reset> resetsDespiteHistory(long historySize) {
      return resets.stream().filter(r -> !r.explainedByHistory(historySize)).toList();
    }
  }

  private record Slot(String epoch, long seq) {
    @Override
    public String toString() {
      return epoch + "/" + seq;
    }
  }

  /** Positions (from, to] of one epoch that a subscriber followed. */
  private static final class Segment {
    final String epoch;
    final long from;
    long to;

    Segment(String epoch, long from) {
      this.epoch = epoch;
      this.from = from;
      this.to = Long.MAX_VALUE;
    }

    boolean covers(Slot s) {
      return epoch.equals(s.epoch()) && s.seq() > from && s.seq() <= to;
    }
  }

  /** The violations found (empty when everything holds). */
  public static List<String> check(List<ChaosSubscriber> subscribers, Map<String, Ack> acked) {
    return analyse(subscribers, acked).problems();
  }

  public static Report analyse(List<ChaosSubscriber> subscribers, Map<String, Ack> acked) {
    List<String> problems = new ArrayList<>();
    List<Reset> resets = new ArrayList<>();
    Set<String> epochs = new LinkedHashSet<>();
    // One (epoch, seq), one publication: acknowledgements first, then every delivery.
    Map<Slot, String> keyAt = new HashMap<>();
    for (Map.Entry<String, Ack> a : new TreeMap<>(acked).entrySet()) {
      Slot slot = new Slot(a.getValue().epoch(), a.getValue().seq());
      String before = keyAt.putIfAbsent(slot, a.getKey());
      if (before != null) {
        problems.add("seq " + slot + " acknowledged for both " + before + " and " + a.getKey());
      }
    }
    for (int i = 0; i < subscribers.size(); i++) {
      analyse(i, subscribers.get(i).log(), acked, keyAt, problems, resets, epochs);
    }
    return new Report(problems, resets, epochs);
  }

  private static void analyse(int index, List<ChaosSubscriber.Entry> log, Map<String, Ack> acked,
                              Map<Slot, String> keyAt, List<String> problems, List<Reset> resets, Set<String> epochs) {
    String who = "subscriber " + index;
    Map<Slot, String> delivered = new HashMap<>();
    List<Segment> segments = new ArrayList<>();
    Segment current = null;
    String epoch = null;
    long pos = -1;
    boolean following = false;
    long recoverTo = -1;
    // A reset push waiting for the answer to the resubscribe it causes.
    ChaosSubscriber.Entry pendingReset = null;
    String resetEpoch = null;
    long resetSeq = -1;
    for (ChaosSubscriber.Entry e : log) {
      if (e.kind() != ChaosSubscriber.Kind.PUB && recoverTo >= 0) {
        if (pos < recoverTo) {
          problems.add(who + ": a recovered reply announced seq " + recoverTo + " but its publications stop at " + pos);
        }
        recoverTo = -1;
      }
      switch (e.kind()) {
        case SUBSCRIBE, DISCONNECTED -> {
          if (current != null) {
            current.to = pos;
            current = null;
          }
          following = false;
        }
        case SUBSCRIBE_FAILED -> {
        }
        case RESET -> {
          if (current != null) {
            current.to = pos;
            current = null;
          }
          if (!following) {
            problems.add(who + " got a reset while not subscribed: " + e);
          }
          following = false;
          if (pendingReset == null) {
            pendingReset = e;
            resetEpoch = epoch;
            resetSeq = pos;
          }
        }
        case SUBSCRIBED -> {
          epochs.add(e.epoch());
          if (e.recovered()) {
            if (epoch == null) {
              problems.add(who + ": a first subscribe answered recovered: " + e);
            } else if (!e.epoch().equals(epoch)) {
              problems.add(who + ": recovered into epoch " + e.epoch() + " from a position in " + epoch);
            } else if (e.seq() < pos) {
              problems.add(who + ": recovered at " + e.seq() + ", behind its position " + pos);
            }
            if (pendingReset != null) {
              resets.add(new Reset(index, pendingReset.reason(), resetEpoch, resetSeq, e.epoch(), e.seq(), true));
              pendingReset = null;
            }
            recoverTo = e.seq();
          } else {
            if (epoch != null) {
              // A resubscribe that could not recover: positions up to the answer's seq are skipped.
              String reason = pendingReset != null ? pendingReset.reason() : "not_recovered";
              String fromEpoch = pendingReset != null ? resetEpoch : epoch;
              long fromSeq = pendingReset != null ? resetSeq : pos;
              resets.add(new Reset(index, reason, fromEpoch, fromSeq, e.epoch(), e.seq(), false));
              pendingReset = null;
              if (e.epoch().equals(epoch) && e.seq() < pos) {
                problems.add(who + ": resubscribed at " + e.seq() + ", behind its position " + pos);
              }
            }
            epoch = e.epoch();
            pos = e.seq();
          }
          current = new Segment(epoch, pos);
          segments.add(current);
          following = true;
        }
        case PUB -> {
          epochs.add(e.epoch());
          Slot slot = new Slot(e.epoch(), e.seq());
          String before = keyAt.putIfAbsent(slot, String.valueOf(e.key()));
          if (before != null && !before.equals(String.valueOf(e.key()))) {
            problems.add("seq " + slot + " holds both " + before + " and " + e.key() + " (" + who + ")");
          }
          if (!following) {
            problems.add(who + " got a publication outside any subscription: " + slot);
          } else if (!e.epoch().equals(epoch)) {
            problems.add(who + " got a publication of epoch " + e.epoch() + " while following " + epoch + ": " + slot);
          } else if (e.seq() <= pos) {
            problems.add(who + (delivered.containsKey(slot) ? " received " + slot + " twice"
                : " went back from " + pos + " to " + e.seq()));
          } else {
            if (e.seq() != pos + 1) {
              problems.add(who + " has a silent gap from " + pos + " to " + e.seq());
            }
            pos = e.seq();
            delivered.put(slot, String.valueOf(e.key()));
          }
        }
        default -> throw new IllegalStateException("unknown entry " + e);
      }
    }
    if (recoverTo >= 0 && pos < recoverTo) {
      problems.add(who + ": a recovered reply announced seq " + recoverTo + " but its publications stop at " + pos);
    }
    if (pendingReset != null) {
      resets.add(new Reset(index, pendingReset.reason(), resetEpoch, resetSeq, null, -1, false));
    }
    if (segments.isEmpty()) {
      problems.add(who + " never subscribed");
      return;
    }
    // After its last subscription, a subscriber owes everything acknowledged.
    segments.get(segments.size() - 1).to = Long.MAX_VALUE;
    int missing = 0;
    List<String> examples = new ArrayList<>();
    for (Map.Entry<String, Ack> a : new TreeMap<>(acked).entrySet()) {
      Slot slot = new Slot(a.getValue().epoch(), a.getValue().seq());
      if (segments.stream().noneMatch(s -> s.covers(slot))) {
        continue;
      }
      String got = delivered.get(slot);
      if (got == null) {
        missing++;
        if (examples.size() < 5) {
          examples.add(a.getKey() + "@" + slot);
        }
      } else if (!got.equals(a.getKey())) {
        problems.add(who + " got " + got + " at " + slot + ", acknowledged for " + a.getKey());
      }
    }
    if (missing > 0) {
      problems.add(who + " misses " + missing + " acknowledged publications it followed, e.g. " + examples);
    }
  }
}
