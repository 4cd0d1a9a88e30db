package dev.syncwire.telemetry;

/** Events per second over a sliding window of whole seconds: one slot per second, reused as time goes on. */
final class RateWindow {
  private final int seconds;
  private final long[] slotSecond;
  private final long[] counts;

  RateWindow(int seconds) {
    this.seconds = seconds;
    this.slotSecond = new long[seconds];
    this.counts = new long[seconds];
    java.util.Arrays.fill(slotSecond, Long.MIN_VALUE);
  }

  synchronized void add(long nowSecond) {
    int slot = (int) Math.floorMod(nowSecond, (long) seconds);
    if (slotSecond[slot] != nowSecond) {
      slotSecond[slot] = nowSecond;
      counts[slot] = 0;
    }
    counts[slot]++;
  }

  /** Events in the last {@code seconds} seconds (this one included), divided by the window. */
  synchronized double perSecond(long nowSecond) {
    long sum = 0;
    for (int i = 0; i < seconds; i++) {
      if (slotSecond[i] > nowSecond - seconds && slotSecond[i] <= nowSecond) {
        sum += counts[i];
      }
    }
    return (double) sum / seconds;
  }
}
