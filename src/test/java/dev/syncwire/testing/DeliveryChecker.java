package dev.syncwire.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks client logs against the delivery invariants: (I2) per subscriber and epoch, seqs strictly
 * increase with no duplicate key; (I3) every hole in the seqs is preceded by a reset; (I4) every
 * acknowledged publication reaches every subscriber that saw no reset; (I5) one seq, one publication.
 * Returns the violations found (empty when everything holds).
 */
public final class DeliveryChecker {
  private DeliveryChecker() {
  }

  public static List<String> check(List<ChaosSubscriber> subscribers, Map<String, Long> acked) {
    List<String> problems = new ArrayList<>();
    Map<String, String> keyAt = new HashMap<>();
    for (int i = 0; i < subscribers.size(); i++) {
      ChaosSubscriber s = subscribers.get(i);
      String who = "subscriber " + i;
      Set<String> keys = new HashSet<>();
      String epoch = null;
      long last = -1;
      boolean resetSeen = false;
      boolean resetSinceLast = false;
      for (ChaosSubscriber.Entry e : s.log()) {
        switch (e.kind()) {
          case "reset" -> {
            resetSeen = true;
            resetSinceLast = true;
          }
          case "foreign-epoch" -> {
            problems.add(who + " got a pub of another epoch without a reset: " + e);
          }
          default -> {
            if (!e.epoch().equals(epoch)) {
              epoch = e.epoch();
              last = -1;
            }
            if (last >= 0 && e.seq() != last + 1 && !resetSinceLast) {
              problems.add(who + " has a silent gap from " + last + " to " + e.seq());
            }
            if (last >= 0 && e.seq() <= last) {
              problems.add(who + " went back from " + last + " to " + e.seq());
            }
            last = e.seq();
            resetSinceLast = false;
            if (e.key() != null && !keys.add(e.key())) {
              problems.add(who + " received " + e.key() + " twice");
            }
            String slot = e.epoch() + "/" + e.seq();
            String before = keyAt.putIfAbsent(slot, String.valueOf(e.key()));
            if (before != null && !before.equals(String.valueOf(e.key()))) {
              problems.add("seq " + slot + " holds both " + before + " and " + e.key());
            }
          }
        }
      }
      if (s.wireDuplicates() > 0) {
        problems.add(who + " was sent " + s.wireDuplicates() + " publications it already had");
      }
      if (!resetSeen) {
        int missing = 0;
        String example = null;
        for (String key : acked.keySet()) {
          if (!keys.contains(key)) {
            missing++;
            example = key;
          }
        }
        if (missing > 0) {
          problems.add(who + " misses " + missing + " acknowledged publications, e.g. " + example);
        }
      }
    }
    return problems;
  }
}
