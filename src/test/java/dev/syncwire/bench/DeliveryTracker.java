package dev.syncwire.bench;

import dev.syncwire.testing.PublicationListener;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Checks every delivery against the publisher's sequence: each subscriber must see each message
 * exactly once and in order. Counts duplicates and order breaks, and credits each first delivery
 * (with its latency) to the phase that published it; what a phase never receives is its loss.
 */
final class DeliveryTracker implements PublicationListener {
  private final BitSet[] seen;
  private final long[] highest;
  private final Payload payload = new Payload();
  private final List<Phase> phases = new ArrayList<>();
  long duplicates;
  long orderBreaks;
  long unreadable;
  long outsidePhases;

  DeliveryTracker(int subscribers) {
    seen = new BitSet[subscribers];
    highest = new long[subscribers];
    for (int i = 0; i < subscribers; i++) {
      seen[i] = new BitSet();
    }
  }

  void startPhase(Phase phase) {
    phases.add(phase);
  }

  @Override
  public void onPublication(int subscriber, String frame) {
    long now = System.nanoTime();
    if (!payload.read(frame)) {
      unreadable++;
      return;
    }
    long seq = payload.seq;
    BitSet bits = seen[subscriber];
    if (bits.get((int) seq)) {
      duplicates++;
      return;
    }
    bits.set((int) seq);
    if (seq < highest[subscriber]) {
      orderBreaks++;
    } else {
      highest[subscriber] = seq;
    }
    Phase phase = phaseOf(seq);
    if (phase == null) {
      outsidePhases++;
    } else {
      phase.recordDelivery(seq, now - payload.intendedNanos);
    }
  }

  private Phase phaseOf(long seq) {
    for (int i = phases.size() - 1; i >= 0; i--) {
      if (phases.get(i).contains(seq)) {
        return phases.get(i);
      }
    }
    return null;
  }
}
