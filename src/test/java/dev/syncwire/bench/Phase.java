package dev.syncwire.bench;

import org.HdrHistogram.Histogram;

/**
 * One window of publishing at a fixed offered rate: which messages belong to it, how many reached how
 * many subscribers, and their end-to-end latency from each message's intended send time (so a
 * publisher that falls behind its schedule shows up as latency, not as a lower rate). Latencies are
 * kept in microseconds. Owned by the load generator's event loop.
 */
final class Phase {
  final String label;
  final double pubsPerSecond;
  final long firstSeq;
  final int planned;
  final int subscribers;
  final Histogram latency = new Histogram(3);
  /** Latency of the first, middle and last third of the messages: a queue that keeps growing shows here. */
  final Histogram[] thirds = {new Histogram(3), new Histogram(3), new Histogram(3)};
  /** How late the publisher sent each message against its schedule (client timer granularity). */
  final Histogram sendLag = new Histogram(3);
  /** Publish-to-ack latency, also from each message's due time (targets that acknowledge publishes). */
  final Histogram ackLatency = new Histogram(3);
  int sent;
  boolean publishingDone;
  long delivered;
  /** Deliveries that had arrived when the last message was sent: a server that cannot keep up lags here. */
  long deliveredWhileSending;

  Phase(String label, double pubsPerSecond, long firstSeq, int planned, int subscribers) {
    this.label = label;
    this.pubsPerSecond = pubsPerSecond;
    this.firstSeq = firstSeq;
    this.planned = planned;
    this.subscribers = subscribers;
  }

  boolean contains(long seq) {
    return seq >= firstSeq && seq < firstSeq + planned;
  }

  void recordDelivery(long seq, long latencyNanos) {
    long micros = Math.max(0, latencyNanos / 1000);
    delivered++;
    latency.recordValue(micros);
    thirds[(int) ((seq - firstSeq) * 3 / planned)].recordValue(micros);
  }

  void recordAck(long latencyNanos) {
    ackLatency.recordValue(Math.max(0, latencyNanos / 1000));
  }

  void publishingDone() {
    publishingDone = true;
    deliveredWhileSending = delivered;
  }

  long expected() {
    return (long) sent * subscribers;
  }

  boolean complete() {
    return publishingDone && delivered >= expected();
  }
}
