package dev.syncwire.bench;

import dev.syncwire.testing.LoadSocket;
import dev.syncwire.testing.WireProtocol;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * Publishes to one channel on a schedule, as {@link OpenLoopPublisher} does (message i of a phase is due at
 * start + i / rate and carries that due time), but sends what is due whenever an ack arrives as well as on
 * its timer. Writes made while an ack is read leave with one flush at the end of the read, so at high rates
 * the publisher needs a small share of the core it shares with the subscriber under test: the pipelining
 * of {@link PipelinedPublisher} at a rate of one's choosing. Lives on the load generator's loop.
 */
final class PacedPublisher {
  /** Above the ids of the protocol's own commands (connect, subscribe). */
  private static final long FIRST_COMMAND_ID = 1000;

  private final Vertx vertx;
  private final LoadSocket socket;
  private final WireProtocol protocol;
  private final String channel;
  private long nextSeq = 1;
  private long nextCommandId = FIRST_COMMAND_ID;
  private Phase phase;
  private Promise<Void> done;
  private long startNanos;
  private double intervalNanos;
  /** Which run the timer belongs to: a timer left from an earlier run must not start a second chain. */
  private long run;
  long sent;
  long acked;

  PacedPublisher(Vertx vertx, LoadSocket socket, WireProtocol protocol, String channel) {
    this.vertx = vertx;
    this.socket = socket;
    this.protocol = protocol;
    this.channel = channel;
    socket.ackListener(id -> {
      acked++;
      sendDue();
    });
  }

  /** Reserves the payload numbers of a phase of {@code seconds} at {@code rate}. */
  Phase plan(String label, double rate, double seconds) {
    int planned = Math.max(1, (int) Math.round(rate * seconds));
    Phase p = new Phase(label, rate, nextSeq, planned, 1);
    nextSeq += planned;
    return p;
  }

  /** Sends the phase's messages on schedule; completes once the last one is sent. */
  Future<Void> run(Phase p) {
    phase = p;
    done = Promise.promise();
    startNanos = System.nanoTime();
    intervalNanos = 1e9 / p.pubsPerSecond;
    tick(++run);
    return done.future();
  }

  private void tick(long of) {
    if (of != run) {
      return;
    }
    sendDue();
    Phase p = phase;
    if (p != null) {
      long wait = startNanos + (long) (p.sent * intervalNanos) - System.nanoTime();
      vertx.setTimer(Math.max(1, (wait + 999_999) / 1_000_000), id -> tick(of));
    }
  }

  private void sendDue() {
    Phase p = phase;
    if (p == null) {
      return;
    }
    long now = System.nanoTime();
    while (p.sent < p.planned) {
      long due = startNanos + (long) (p.sent * intervalNanos);
      if (due > now) {
        break;
      }
      long commandId = nextCommandId++;
      socket.send(protocol.publishFrame(commandId, channel, Payload.encode(p.firstSeq + p.sent, due)));
      p.sendLag.recordValue(Math.max(0, (now - due) / 1000));
      p.sent++;
      sent++;
    }
    if (p.sent == p.planned) {
      phase = null;
      p.publishingDone();
      done.complete();
    }
  }
}
