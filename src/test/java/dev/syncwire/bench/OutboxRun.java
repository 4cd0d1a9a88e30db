package dev.syncwire.bench;

import dev.syncwire.client.Ack;
import dev.syncwire.client.SyncwireClient;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;

import java.util.Arrays;

/**
 * Publishes {@code count} publications through a client as fast as they are acknowledged, keeping
 * {@code window} of them pending: the application's own pipelining. The client sends up to its
 * {@code maxInFlight} of those at once and keeps the rest in its outbox. Each publication is a
 * {@link Payload}-shaped object of 100 B with a key of the client's own. Every ack is checked: its seq
 * taken by no other, the run's seqs without a hole, none a duplicate. Runs on the client's context.
 */
final class OutboxRun {
  private static final String PADDING = "x".repeat(Payload.SIZE);

  private final SyncwireClient client;
  private final String channel;
  private final int count;
  private final int window;
  private final long[] seqs;
  private final Promise<JsonObject> done = Promise.promise();
  private int made;
  private int settled;
  private int acked;
  private int failed;
  private int duplicates;
  private int maxPending;
  private String firstFailure;
  private long startNanos;

  OutboxRun(SyncwireClient client, String channel, int count, int window) {
    this.client = client;
    this.channel = channel;
    this.count = count;
    this.window = window;
    this.seqs = new long[count];
  }

  Future<JsonObject> start() {
    startNanos = System.nanoTime();
    next();
    return done.future();
  }

  private void next() {
    while (made < count && made - settled < window) {
      made++;
      client.publish(channel, payload(made)).onComplete(this::settled);
      maxPending = Math.max(maxPending, client.pending());
    }
  }

  private void settled(AsyncResult<Ack> ar) {
    settled++;
    if (ar.succeeded()) {
      seqs[acked++] = ar.result().seq();
      if (ar.result().duplicate()) {
        duplicates++;
      }
    } else {
      failed++;
      if (firstFailure == null) {
        firstFailure = String.valueOf(ar.cause());
      }
    }
    if (settled == count) {
      done.complete(result((System.nanoTime() - startNanos) / 1e9));
    } else {
      next();
    }
  }

  private JsonObject result(double seconds) {
    long[] sorted = Arrays.copyOf(seqs, acked);
    Arrays.sort(sorted);
    long repeated = 0;
    for (int i = 1; i < sorted.length; i++) {
      if (sorted[i] == sorted[i - 1]) {
        repeated++;
      }
    }
    long holes = acked == 0 ? 0 : sorted[acked - 1] - sorted[0] + 1 - (acked - repeated);
    return new JsonObject().put("acked", acked).put("failed", failed).put("firstFailure", firstFailure)
        .put("seconds", seconds).put("duplicates", duplicates).put("repeatedSeqs", repeated).put("holes", holes)
        .put("maxPending", maxPending);
  }

  /** The fan-out's 100 B payload, as the object an application would hand over. */
  static JsonObject payload(long n) {
    long t = System.nanoTime();
    // {"n":<n>,"t":<t>,"p":"<padding>"}: the padding brings the encoded object to Payload.SIZE bytes.
    int fixed = "{\"n\":,\"t\":,\"p\":\"\"}".length() + Long.toString(n).length() + Long.toString(t).length();
    return new JsonObject().put("n", n).put("t", t).put("p", PADDING.substring(0, Payload.SIZE - fixed));
  }
}
