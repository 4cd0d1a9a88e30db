package dev.syncwire.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * Publishes on a fixed schedule whatever the server does (open loop): message i of a phase is due at
 * start + i / rate, and carries that due time, not the time it actually left. A server that pushes back
 * therefore raises the measured latency instead of quietly slowing the publisher down (coordinated
 * omission). Runs on the load generator's event loop; Vert.x timers have millisecond granularity, so
 * a message may leave up to about 1 ms after its due time, which is counted as latency.
 */
final class OpenLoopPublisher {
  private final Vertx vertx;
  private final BenchSocket socket;
  private final WireProtocol protocol;
  private final String channel;
  private long nextSeq = 1;
  private long nextCommandId = 1000;

  OpenLoopPublisher(Vertx vertx, BenchSocket socket, WireProtocol protocol, String channel) {
    this.vertx = vertx;
    this.socket = socket;
    this.protocol = protocol;
    this.channel = channel;
  }

  /** Reserves the sequence numbers of a phase of {@code seconds} at {@code pubsPerSecond}. */
  Phase plan(String label, double pubsPerSecond, double seconds, int subscribers) {
    int planned = Math.max(1, (int) Math.round(pubsPerSecond * seconds));
    Phase phase = new Phase(label, pubsPerSecond, nextSeq, planned, subscribers);
    nextSeq += planned;
    return phase;
  }

  /** Sends the phase's messages on schedule; completes once the last one is sent. */
  Future<Void> run(Phase phase) {
    Promise<Void> done = Promise.promise();
    new Schedule(phase, done).tick();
    return done.future();
  }

  private final class Schedule {
    private final Phase phase;
    private final Promise<Void> done;
    private final long startNanos = System.nanoTime();
    private final double intervalNanos;

    Schedule(Phase phase, Promise<Void> done) {
      this.phase = phase;
      this.done = done;
      this.intervalNanos = 1e9 / phase.pubsPerSecond;
    }

    void tick() {
      long now = System.nanoTime();
      while (phase.sent < phase.planned && dueNanos(phase.sent) <= now) {
        long due = dueNanos(phase.sent);
        long seq = phase.firstSeq + phase.sent;
        socket.send(protocol.publishFrame(nextCommandId++, channel, Payload.encode(seq, due)));
        phase.sendLag.recordValue(Math.max(0, (now - due) / 1000));
        phase.sent++;
      }
      if (phase.sent == phase.planned) {
        phase.publishingDone();
        done.complete();
        return;
      }
      long waitNanos = dueNanos(phase.sent) - now;
      vertx.setTimer(Math.max(1, (waitNanos + 999_999) / 1_000_000), id -> tick());
    }

    private long dueNanos(int i) {
      return startNanos + (long) (i * intervalNanos);
    }
  }
}
