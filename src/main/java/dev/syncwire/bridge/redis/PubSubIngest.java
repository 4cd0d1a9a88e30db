package dev.syncwire.bridge.redis;

import dev.syncwire.broker.ChannelBroker;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The pub/sub path: {@code PSUBSCRIBE updates:tenant:*} on a connection of its own, each message published
 * through the broker as it comes, in the order Redis delivers them (the broker keeps the order of one
 * caller's publishes to a channel). At most once: a message that arrives while the subscription is being
 * made again, or that the broker cannot take, is lost.
 * <p>
 * Bounded: when {@link #MAX_IN_FLIGHT} publishes or {@link #MAX_IN_FLIGHT_BYTES} bytes wait for the broker,
 * the connection stops reading (Redis then holds what follows, up to its own {@code client-output-buffer-limit
 * pubsub}, past which it drops the subscriber and the bridge subscribes again), and reads again below half of
 * both. A connection that breaks or stops answering (a {@code PING} every {@link #pingEveryMs}, while
 * reading) is replaced with {@link Backoff} and jitter; one line is logged when it is lost, one when it is
 * back. Runs on the bridge verticle's context.
 */
final class PubSubIngest {
  private static final Logger LOG = Logger.getLogger(RedisBridgeVerticle.class.getName());
  static final String PATTERN = BridgeInput.PREFIX + "*";
  static final int MAX_IN_FLIGHT = 10_000;
  static final long MAX_IN_FLIGHT_BYTES = 16L << 20;
  /** How long {@link #stop} waits for publishes in flight before it completes anyway. */
  private static final long STOP_WAIT_MS = 5_000;

  private final Vertx vertx;
  private final RedisLink link;
  private final BridgeInput input;
  private final ChannelBroker broker;
  private final BridgeCounters counters;
  private final long timeoutMs;
  private final long pingEveryMs;
  private final Backoff backoff = new Backoff(RedisLink.FIRST_RETRY_MS, RedisLink.MAX_RETRY_MS);

  private boolean running;
  /** Bumped on each start, stop and new connection: callbacks of an older one are ignored. */
  private long generation;
  private RedisConnection connection;
  private boolean paused;
  private int inFlight;
  private long inFlightBytes;
  private long lastHeardNanos;
  private long pingTimer = -1;
  private long retryTimer = -1;
  private long confirmTimer = -1;
  /** The connection whose PSUBSCRIBE waits for Redis's confirmation. */
  private RedisConnection confirming;
  /** When the subscription was lost (or first failed), 0 while it is in place or was never tried. */
  private long downSinceMs;
  private boolean everSubscribed;
  private Promise<Void> stopped;

  PubSubIngest(Vertx vertx, RedisLink link, BridgeInput input, ChannelBroker broker, BridgeCounters counters,
               long timeoutMs) {
    this.vertx = vertx;
    this.link = link;
    this.input = input;
    this.broker = broker;
    this.counters = counters;
    this.timeoutMs = timeoutMs;
    this.pingEveryMs = Math.max(100, Math.min(1000, timeoutMs / 2));
  }

  /** Subscribes (again and again, until {@link #stop}). */
  void start() {
    running = true;
    generation++;
    stopped = null;
    backoff.reset();
    connect(generation);
  }

  /**
   * Unsubscribes (closes the connection) and completes once the publishes already handed to the broker are
   * answered, so that a node taking over after this one publishes after them.
   */
  Future<Void> stop() {
    if (!running && stopped != null) {
      return stopped.future();
    }
    running = false;
    generation++;
    cancelTimers();
    RedisConnection c = connection != null ? connection : confirming;
    connection = null;
    confirming = null;
    paused = false;
    if (c != null) {
      c.close();
    }
    stopped = Promise.promise();
    Promise<Void> done = stopped;
    long timer = vertx.setTimer(STOP_WAIT_MS, t -> done.tryComplete());
    done.future().onComplete(ar -> vertx.cancelTimer(timer));
    completeStopIfIdle();
    return done.future();
  }

  /** Whether the connection stopped reading because too many publishes wait (for tests). */
  boolean paused() {
    return paused;
  }

  private void connect(long gen) {
    TimedRedis.open(vertx, link, timeoutMs).onComplete(ar -> {
      if (gen != generation) {
        if (ar.succeeded()) {
          ar.result().close();
        }
        return;
      }
      if (ar.failed()) {
        failed(ar.cause().getMessage());
        return;
      }
      RedisConnection c = ar.result();
      generation++;
      long mine = generation;
      confirming = c;
      c.handler(message -> {
        if (mine == generation) {
          onMessage(c, message);
        }
      });
      c.exceptionHandler(e -> lost(c, mine, String.valueOf(e.getMessage())));
      c.endHandler(v -> lost(c, mine, "connection closed"));
      // The send completes once PSUBSCRIBE is written; Redis confirms it with a message (a RESP3 push), from
      // which on every publication is received.
      TimedRedis.send(vertx, c, Request.cmd(Command.PSUBSCRIBE).arg(PATTERN), timeoutMs).onComplete(sent -> {
        if (mine != generation) {
          c.close();
          return;
        }
        if (sent.failed()) {
          lost(c, mine, sent.cause().getMessage());
          return;
        }
        if (confirming == c) {
          confirmTimer = vertx.setTimer(timeoutMs, t -> {
            confirmTimer = -1;
            if (confirming == c) {
              lost(c, mine, "PSUBSCRIBE not confirmed in " + timeoutMs + " ms");
            }
          });
        }
      });
    });
  }

  private void subscribedOn(RedisConnection c) {
    connection = c;
    lastHeardNanos = System.nanoTime();
    backoff.reset();
    if (!everSubscribed) {
      LOG.info("Redis bridge: subscribed to " + PATTERN + " at " + link.where());
    } else {
      LOG.info("Redis bridge: subscribed to " + PATTERN + " again after "
          + (System.currentTimeMillis() - downSinceMs) + " ms");
    }
    everSubscribed = true;
    downSinceMs = 0;
    if (overBound()) {
      pause();
    }
    long mine = generation;
    pingTimer = vertx.setPeriodic(pingEveryMs, t -> checkAlive(c, mine));
  }

  /**
   * Sends a {@code PING} while the connection reads, and gives the connection up when nothing came back for
   * longer than the time limit. Any message counts as an answer: with pushes arriving, the client may hand
   * the pong to the message handler rather than to the ping's future.
   */
  private void checkAlive(RedisConnection c, long gen) {
    if (gen != generation || connection != c || paused) {
      return;
    }
    long silentMs = (System.nanoTime() - lastHeardNanos) / 1_000_000;
    if (silentMs > timeoutMs + pingEveryMs) {
      lost(c, gen, "no answer to PING in " + silentMs + " ms");
      return;
    }
    c.send(Request.cmd(Command.PING)).onSuccess(r -> {
      if (gen == generation) {
        lastHeardNanos = System.nanoTime();
      }
    });
  }

  private void onMessage(RedisConnection c, Response message) {
    lastHeardNanos = System.nanoTime();
    try {
      ResponseType type = message.type();
      if ((type != ResponseType.PUSH && type != ResponseType.MULTI) || message.size() < 3) {
        return;
      }
      String kind = String.valueOf(message.get(0));
      if (kind.equals("psubscribe") && confirming == c) {
        confirming = null;
        if (confirmTimer >= 0) {
          vertx.cancelTimer(confirmTimer);
          confirmTimer = -1;
        }
        subscribedOn(c);
        return;
      }
      if (!kind.equals("pmessage") || message.size() < 4) {
        return;
      }
      Response channel = message.get(2);
      Response body = message.get(3);
      onPublication(channel == null ? "" : channel.toString(), body == null ? null : body.toBytes());
    } catch (RuntimeException e) {
      counters.invalid(BridgeCounters.Path.PUBSUB, "(unreadable)", "unreadable message: " + e, null);
    }
  }

  private void onPublication(String redisChannel, byte[] body) {
    BridgeInput.Message m;
    try {
      m = input.fromPubSub(redisChannel, body == null ? new byte[0] : body);
    } catch (BridgeInput.Invalid e) {
      counters.invalid(BridgeCounters.Path.PUBSUB, BridgeInput.shorten(redisChannel), e.getMessage(), body);
      return;
    }
    inFlight++;
    inFlightBytes += m.bytes();
    if (!paused && overBound()) {
      pause();
    }
    broker.publish(m.channel(), m.request()).onComplete(ar -> {
      inFlight--;
      inFlightBytes -= m.bytes();
      BridgeInput.Outcome outcome = BridgeInput.outcome(ar);
      counters.count(BridgeCounters.Path.PUBSUB, outcome);
      if (outcome == BridgeInput.Outcome.INVALID || outcome == BridgeInput.Outcome.FAILED) {
        counters.quietly(Level.INFO, () -> "Redis bridge: a pub/sub message to " + m.channel() + " was not published ("
            + BridgeInput.describe(ar.cause()) + ")" + (outcome == BridgeInput.Outcome.FAILED
            ? "; pub/sub messages are not retried" : ""));
      }
      if (paused && underHalf()) {
        resume();
      }
      completeStopIfIdle();
    });
  }

  private boolean overBound() {
    return inFlight >= MAX_IN_FLIGHT || inFlightBytes >= MAX_IN_FLIGHT_BYTES;
  }

  private boolean underHalf() {
    return inFlight <= MAX_IN_FLIGHT / 2 && inFlightBytes <= MAX_IN_FLIGHT_BYTES / 2;
  }

  private void pause() {
    paused = true;
    if (connection != null) {
      connection.pause();
    }
  }

  private void resume() {
    paused = false;
    RedisConnection c = connection;
    if (c != null) {
      lastHeardNanos = System.nanoTime();
      c.resume();
    }
  }

  private void completeStopIfIdle() {
    if (stopped != null && inFlight == 0) {
      stopped.tryComplete();
    }
  }

  /** An attempt to subscribe failed: say so once, try again later. */
  private void failed(String why) {
    if (downSinceMs == 0) {
      downSinceMs = System.currentTimeMillis();
      LOG.warning("Redis bridge: cannot subscribe to " + PATTERN + " (" + why + "); messages published meanwhile"
          + " are not received; trying again with backoff");
    }
    retryLater();
  }

  private void lost(RedisConnection c, long gen, String why) {
    if (gen != generation || !running) {
      return;
    }
    generation++;
    cancelTimers();
    if (connection == c) {
      connection = null;
    }
    if (confirming == c) {
      confirming = null;
    }
    paused = false;
    c.close();
    if (downSinceMs == 0) {
      downSinceMs = System.currentTimeMillis();
      LOG.warning("Redis bridge: " + (everSubscribed ? "lost the subscription to " : "cannot subscribe to ")
          + PATTERN + " (" + why + "); messages published meanwhile are not received; subscribing again with"
          + " backoff");
    }
    retryLater();
  }

  private void retryLater() {
    if (!running) {
      return;
    }
    long gen = generation;
    retryTimer = vertx.setTimer(backoff.nextDelayMs(), t -> {
      retryTimer = -1;
      if (gen == generation && running) {
        connect(gen);
      }
    });
  }

  private void cancelTimers() {
    if (pingTimer >= 0) {
      vertx.cancelTimer(pingTimer);
      pingTimer = -1;
    }
    if (retryTimer >= 0) {
      vertx.cancelTimer(retryTimer);
      retryTimer = -1;
    }
    if (confirmTimer >= 0) {
      vertx.cancelTimer(confirmTimer);
      confirmTimer = -1;
    }
  }
}
