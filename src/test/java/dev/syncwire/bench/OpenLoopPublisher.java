package dev.syncwire.bench;

import dev.syncwire.testing.LoadSocket;
import dev.syncwire.testing.WireProtocol;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.Arrays;

/**
 * Publishes on a fixed schedule whatever the server does (open loop): message i of a phase is due at
 * start + i / rate, and carries that due time, not the time it actually left. A server that pushes back
 * therefore raises the measured latency instead of quietly slowing the publisher down (coordinated
 * omission). Runs on the load generator's event loop; Vert.x timers have millisecond granularity, so
 * a message may leave up to about 1 ms after its due time, which is counted as latency. When the target
 * acknowledges publishes, each ack's latency (from the same due time) goes to the message's phase.
 */
final class OpenLoopPublisher {
  private final Vertx vertx;
  private final LoadSocket socket;
  private final WireProtocol protocol;
  private final String channel;
  private static final long FIRST_COMMAND_ID = 1000;
  private long nextSeq = 1;
  private long nextCommandId = FIRST_COMMAND_ID;
  /** Due time and phase of each command sent, by command id - FIRST_COMMAND_ID, until its ack. */
  private long[] dueById = new long[1024];
  private Phase[] phaseById = new Phase[1024];
  private boolean stopRequested;

  OpenLoopPublisher(Vertx vertx, LoadSocket socket, WireProtocol protocol, String channel) {
    this.vertx = vertx;
    this.socket = socket;
    this.protocol = protocol;
    this.channel = channel;
    socket.ackListener(this::onAck);
  }

  private void onAck(long commandId) {
    long now = System.nanoTime();
    int i = (int) (commandId - FIRST_COMMAND_ID);
    if (i >= 0 && i < phaseById.length && phaseById[i] != null) {
      phaseById[i].recordAck(now - dueById[i]);
      phaseById[i] = null;
    }
  }

  private void remember(long commandId, long due, Phase phase) {
    int i = (int) (commandId - FIRST_COMMAND_ID);
    if (i >= phaseById.length) {
      int size = Math.max(i + 1, phaseById.length * 2);
      dueById = Arrays.copyOf(dueById, size);
      phaseById = Arrays.copyOf(phaseById, size);
    }
    dueById[i] = due;
    phaseById[i] = phase;
  }

  /** Reserves the sequence numbers of a phase of {@code seconds} at {@code pubsPerSecond}. */
  Phase plan(String label, double pubsPerSecond, double seconds, int subscribers) {
    int planned = Math.max(1, (int) Math.round(pubsPerSecond * seconds));
    Phase phase = new Phase(label, pubsPerSecond, nextSeq, planned, subscribers);
    nextSeq += planned;
    return phase;
  }

  /**
   * Ends the running phase after the messages already sent, as if it had been planned that short; its
   * figures then count only those.
   */
  void stop() {
    stopRequested = true;
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
        long commandId = nextCommandId++;
        remember(commandId, due, phase);
        String frame = protocol.publishFrame(commandId, channel, Payload.encode(seq, due));
        if (protocol.keysPublishes()) {
          socket.sendKeyed(commandId, frame);
        } else {
          socket.send(frame);
        }
        phase.sendLag.recordValue(Math.max(0, (now - due) / 1000));
        phase.sent++;
      }
      if (phase.sent == phase.planned || stopRequested) {
        stopRequested = false;
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
