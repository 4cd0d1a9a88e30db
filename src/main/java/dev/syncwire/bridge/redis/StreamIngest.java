package dev.syncwire.bridge.redis;

import dev.syncwire.broker.ChannelBroker;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The stream path, the reliable one: one stream per configured tenant, {@code updates:tenant:<tenant>},
 * read with the consumer group {@value #GROUP} under this node's name, on a connection of its own. Rounds,
 * one after the other:
 * <ol>
 *   <li>every {@code claimIdleMs / 4} (at least 100 ms, at most 1 s): {@code XAUTOCLAIM} takes over the entries
 *   other consumers (nodes that stopped) have left pending for {@code claimIdleMs}, and {@code XPENDING} tells
 *   whether others still hold some: while they do, new entries of that stream are not read, so that a channel's
 *   older entries are published before its newer ones;</li>
 *   <li>this consumer's own pending entries (ID {@code 0}, page by page, up to {@link #MAX_PENDING_SCAN}),
 *   then new ones ({@code >}, {@code BLOCK} {@value #BLOCK_MS} ms);</li>
 *   <li>each entry is published through the broker with its {@code key}, or {@code xs:<entry id>} when it has
 *   none, so that a redelivered entry is answered as a duplicate by the channel's dedup window. A channel's
 *   entries go one after the other; when one fails in a way a retry may change ({@code unavailable},
 *   {@code overloaded}, ...), the channel's later entries wait for the next round;</li>
 *   <li>{@code XACK} of the entries published (or duplicates) and of those refused for good (invalid input, a
 *   channel that refuses them), sent ahead of the next read rather than waited for; the others stay pending and
 *   are tried again after a backoff.</li>
 * </ol>
 * A read takes at most {@value #MAX_COUNT} entries and about {@link #BATCH_BYTES} bytes (its size follows
 * the entries' average size). Every command has a time limit (the blocking read its block time on top); a
 * connection that breaks or overruns is replaced with {@link Backoff} and jitter, logged once when lost and
 * once when back. Runs on the bridge verticle's context.
 */
final class StreamIngest {
  private static final Logger LOG = Logger.getLogger(RedisBridgeVerticle.class.getName());
  static final String GROUP = "syncwire";
  static final long BLOCK_MS = 1000;
  static final int MAX_COUNT = 256;
  static final long BATCH_BYTES = 4L << 20;
  /** Pending entries of one stream looked at per round; beyond them, no new entry of that stream is read. */
  static final int MAX_PENDING_SCAN = 4096;
  /** Entries {@code XAUTOCLAIM} takes over per stream and pass. */
  private static final int CLAIM_PAGES = 16;

  /** Where one stream stands. */
  private static final class StreamState {
    final String tenant;
    final String key;
    /** The consumer group exists (made, or found). */
    boolean ready;
    /** Not a stream (WRONGTYPE): left out until the connection is made again. */
    boolean unusable;
    /** Other consumers hold pending entries: read none of ours from {@code >} until they are taken over. */
    boolean othersPending = true;
    /** This consumer may have pending entries (unknown, claimed, or left pending by a failure). */
    boolean mayHavePending = true;
    String claimCursor = "0-0";

    StreamState(String tenant) {
      this.tenant = tenant;
      this.key = BridgeInput.stream(tenant);
    }
  }

  /** One round's findings. */
  private static final class Round {
    final Map<String, Set<String>> blocked = new HashMap<>();
    final Set<String> noNewEntries = new HashSet<>();
    final Set<String> leftPending = new HashSet<>();
    boolean retryLater;
    boolean read;

    Set<String> blocked(String stream) {
      return blocked.computeIfAbsent(stream, k -> new HashSet<>());
    }
  }

  private record Work(String id, BridgeInput.Message message) {
  }

  private final Vertx vertx;
  private final Context context;
  private final RedisLink link;
  private final BridgeInput input;
  private final ChannelBroker broker;
  private final BridgeCounters counters;
  private final String consumer;
  private final long claimIdleMs;
  private final long claimEveryNanos;
  private final long timeoutMs;
  private final List<StreamState> streams = new ArrayList<>();
  private final Backoff reconnect = new Backoff(RedisLink.FIRST_RETRY_MS, RedisLink.MAX_RETRY_MS);
  private final Backoff retry = new Backoff(100, RedisLink.MAX_RETRY_MS);

  private boolean running;
  private boolean looping;
  private Promise<Void> stopped;
  private RedisConnection connection;
  private boolean everConnected;
  private long downSinceMs;
  private long lastClaimNanos;
  private boolean claimedOnce;
  private double averageEntryBytes = 4096;
  /** {@code XACK}s of the last batches, written with the next command. */
  private final List<Request> unsentAcks = new ArrayList<>();

  StreamIngest(Vertx vertx, Context context, RedisLink link, BridgeInput input, ChannelBroker broker,
               BridgeCounters counters, List<String> tenants, String consumer, long claimIdleMs, long timeoutMs) {
    this.vertx = vertx;
    this.context = context;
    this.link = link;
    this.input = input;
    this.broker = broker;
    this.counters = counters;
    this.consumer = consumer;
    this.claimIdleMs = claimIdleMs;
    this.claimEveryNanos = Math.max(100, Math.min(1000, claimIdleMs / 4)) * 1_000_000L;
    this.timeoutMs = timeoutMs;
    for (String tenant : tenants) {
      if (BridgeInput.TENANT.matcher(tenant).matches()) {
        streams.add(new StreamState(tenant));
      } else {
        LOG.warning("Redis bridge: tenant " + BridgeInput.shorten(tenant) + " has no stream: its id does not match "
            + BridgeInput.TENANT.pattern());
      }
    }
  }

  /** Reads the streams, round after round, until {@link #stop}. */
  void start() {
    running = true;
    if (stopped != null) {
      stopped.tryComplete();
      stopped = null;
    }
    for (StreamState s : streams) {
      s.othersPending = true;
      s.mayHavePending = true;
    }
    claimedOnce = false;
    if (!looping) {
      looping = true;
      loop();
    }
  }

  /** Completes once the round under way has ended (its acknowledgements sent) and the connection is closed. */
  Future<Void> stop() {
    running = false;
    if (stopped == null) {
      stopped = Promise.promise();
    }
    Promise<Void> done = stopped;
    if (!looping) {
      done.tryComplete();
    }
    return done.future();
  }

  private void loop() {
    if (!running) {
      RedisConnection c = connection;
      connection = null;
      Future<?> acked = c == null || unsentAcks.isEmpty() ? Future.succeededFuture()
          : TimedRedis.batch(vertx, c, new ArrayList<>(unsentAcks), timeoutMs);
      unsentAcks.clear();
      acked.onComplete(ar -> {
        if (c != null) {
          c.close();
        }
        looping = false;
        if (running) {
          // Started again meanwhile.
          looping = true;
          loop();
        } else if (stopped != null) {
          stopped.tryComplete();
        }
      });
      return;
    }
    connect().compose(this::round).onComplete(ar -> {
      if (ar.failed()) {
        long delay = failed(ar.cause());
        vertx.setTimer(delay, t -> loop());
        return;
      }
      Round r = ar.result();
      if (r.retryLater) {
        vertx.setTimer(retry.nextDelayMs(), t -> loop());
        return;
      }
      retry.reset();
      if (!r.read) {
        // Nothing could be read (others' entries not taken over yet): look again at the next claim.
        vertx.setTimer(claimEveryNanos / 1_000_000, t -> loop());
      } else {
        context.runOnContext(v -> loop());
      }
    });
  }

  /** The connection, made (with the consumer groups) if there is none. */
  private Future<RedisConnection> connect() {
    RedisConnection current = connection;
    if (current != null) {
      return Future.succeededFuture(current);
    }
    return TimedRedis.open(vertx, link, timeoutMs).map(c -> {
      c.exceptionHandler(e -> dropped(c));
      c.endHandler(v -> dropped(c));
      connection = c;
      for (StreamState s : streams) {
        s.ready = false;
        s.unusable = false;
        s.mayHavePending = true;
      }
      claimedOnce = false;
      reconnect.reset();
      if (!everConnected) {
        LOG.info("Redis bridge: reading " + streams.size() + " streams (" + BridgeInput.PREFIX + "<tenant>) at "
            + link.where() + " as consumer " + consumer + " of group " + GROUP);
      } else if (downSinceMs > 0) {
        LOG.info("Redis bridge: reading the streams again after " + (System.currentTimeMillis() - downSinceMs)
            + " ms");
      }
      everConnected = true;
      downSinceMs = 0;
      return c;
    });
  }

  private void dropped(RedisConnection c) {
    if (connection == c) {
      connection = null;
    }
  }

  /** A round failed: drop the connection if it is at fault, say so once; the delay before the next round. */
  private long failed(Throwable cause) {
    String message = String.valueOf(cause.getMessage());
    // Entries may have been handed to this consumer in an answer that never came: read its pending ones again.
    streams.forEach(s -> s.mayHavePending = true);
    if (!isConnectionFailure(cause)) {
      if (message.startsWith("NOGROUP")) {
        // Redis lost the group (or the stream): make it again.
        streams.forEach(s -> s.ready = false);
        claimedOnce = false;
      } else {
        counters.quietly(Level.WARNING, () -> "Redis bridge: reading the streams failed: " + message);
      }
      return retry.nextDelayMs();
    }
    RedisConnection c = connection;
    connection = null;
    if (c != null) {
      c.close();
    }
    if (downSinceMs == 0) {
      downSinceMs = System.currentTimeMillis();
      LOG.warning("Redis bridge: " + (everConnected ? "lost Redis for the stream reads" : "cannot read the streams")
          + " (" + message + "); entries wait in Redis; trying again with backoff");
    }
    return reconnect.nextDelayMs();
  }

  /** Whether the connection is at fault (rather than a command Redis refused, such as NOGROUP or LOADING). */
  private static boolean isConnectionFailure(Throwable t) {
    String m = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
    return t instanceof RedisUnavailableException || t instanceof IOException || m.contains("connection")
        || m.contains("closed");
  }

  private Future<Round> round(RedisConnection c) {
    Round round = new Round();
    return groups(c)
        .compose(v -> claimIfDue(c))
        .compose(v -> {
          Future<Void> scans = Future.succeededFuture();
          for (StreamState s : streams) {
            if (s.ready && s.mayHavePending) {
              scans = scans.compose(w -> pending(c, s, "0", 0, round));
            }
          }
          return scans;
        })
        .compose(v -> readNew(c, round))
        .map(v -> {
          for (StreamState s : streams) {
            if (round.leftPending.contains(s.key)) {
              s.mayHavePending = true;
            }
          }
          return round;
        });
  }

  /** Makes the consumer group of each stream that has none yet (from the stream's start; an existing one stays). */
  private Future<Void> groups(RedisConnection c) {
    Future<Void> all = Future.succeededFuture();
    for (StreamState s : streams) {
      if (s.ready || s.unusable) {
        continue;
      }
      all = all.compose(v -> send(c, Request.cmd(Command.XGROUP).arg("CREATE").arg(s.key).arg(GROUP).arg("0")
          .arg("MKSTREAM")).transform(ar -> {
            String m = ar.failed() ? String.valueOf(ar.cause().getMessage()) : "";
            if (ar.succeeded() || m.startsWith("BUSYGROUP")) {
              s.ready = true;
              return Future.succeededFuture();
            }
            if (m.startsWith("WRONGTYPE")) {
              s.unusable = true;
              LOG.warning("Redis bridge: " + s.key + " is not a stream; tenant " + s.tenant
                  + " is left out until the bridge connects again");
              return Future.succeededFuture();
            }
            return Future.failedFuture(ar.cause());
          }));
    }
    return all;
  }

  /** Takes over what stopped consumers left pending, and finds out whether others still hold entries. */
  private Future<Void> claimIfDue(RedisConnection c) {
    long now = System.nanoTime();
    if (claimedOnce && now - lastClaimNanos < claimEveryNanos) {
      return Future.succeededFuture();
    }
    lastClaimNanos = now;
    claimedOnce = true;
    Future<Void> all = Future.succeededFuture();
    for (StreamState s : streams) {
      if (!s.ready) {
        continue;
      }
      // This consumer's own pending entries are read again each round; only others' are taken over.
      all = all.compose(v -> othersPending(c, s))
          .compose(v -> s.othersPending ? claim(c, s, 0).compose(w -> othersPending(c, s)) : Future.succeededFuture());
    }
    return all;
  }

  private Future<Void> claim(RedisConnection c, StreamState s, int page) {
    return send(c, Request.cmd(Command.XAUTOCLAIM).arg(s.key).arg(GROUP).arg(consumer).arg(claimIdleMs)
        .arg(s.claimCursor).arg("COUNT").arg(MAX_COUNT).arg("JUSTID")).compose(r -> {
          s.claimCursor = r.get(0).toString();
          Response ids = r.get(1);
          if (ids != null && ids.size() > 0) {
            s.mayHavePending = true;
            LOG.info("Redis bridge: took over " + ids.size() + " pending " + (ids.size() == 1 ? "entry" : "entries")
                + " of " + s.key + " that another consumer had held for " + claimIdleMs + " ms or more");
          }
          if (!s.claimCursor.equals("0-0") && page + 1 < CLAIM_PAGES) {
            return claim(c, s, page + 1);
          }
          return Future.succeededFuture();
        });
  }

  private Future<Void> othersPending(RedisConnection c, StreamState s) {
    return send(c, Request.cmd(Command.XPENDING).arg(s.key).arg(GROUP)).map(r -> {
      boolean others = false;
      Response consumers = r.size() > 3 ? r.get(3) : null;
      if (consumers != null) {
        for (Response entry : consumers) {
          if (!consumer.equals(entry.get(0).toString()) && Long.parseLong(entry.get(1).toString()) > 0) {
            others = true;
          }
        }
      }
      if (s.othersPending && others) {
        LOG.fine(() -> "Redis bridge: other consumers hold pending entries of " + s.key
            + "; new entries wait until they are taken over");
      }
      s.othersPending = others;
      return null;
    });
  }

  /** This consumer's pending entries of {@code s} after {@code after}, page by page. */
  private Future<Void> pending(RedisConnection c, StreamState s, String after, int scanned, Round round) {
    int count = count();
    return send(c, Request.cmd(Command.XREADGROUP).arg("GROUP").arg(GROUP).arg(consumer).arg("COUNT").arg(count)
        .arg("STREAMS").arg(s.key).arg(after)).compose(r -> {
          List<Response> entries = entries(r).getOrDefault(s.key, List.of());
          if (entries.isEmpty()) {
            s.mayHavePending = false;
            return Future.succeededFuture();
          }
          round.read = true;
          String last = entries.get(entries.size() - 1).get(0).toString();
          int total = scanned + entries.size();
          return process(c, s, entries, round).compose(v -> {
            if (entries.size() < count) {
              s.mayHavePending = false;
              return Future.succeededFuture();
            }
            if (total >= MAX_PENDING_SCAN) {
              // More pending than a round looks at: no new entry until they shrink (they wait in Redis).
              round.noNewEntries.add(s.key);
              round.leftPending.add(s.key);
              return Future.succeededFuture();
            }
            return pending(c, s, last, total, round);
          });
        });
  }

  /** New entries of every stream that may take them, waiting up to {@value #BLOCK_MS} ms for some. */
  private Future<Void> readNew(RedisConnection c, Round round) {
    List<StreamState> open = streams.stream().filter(s -> s.ready && !s.unusable && !s.othersPending
        && !round.noNewEntries.contains(s.key)).toList();
    if (open.isEmpty() || !running) {
      return Future.succeededFuture();
    }
    round.read = true;
    boolean block = !round.retryLater;
    Request read = Request.cmd(Command.XREADGROUP).arg("GROUP").arg(GROUP).arg(consumer).arg("COUNT").arg(count());
    if (block) {
      read.arg("BLOCK").arg(BLOCK_MS);
    }
    read.arg("STREAMS");
    open.forEach(s -> read.arg(s.key));
    open.forEach(s -> read.arg(">"));
    return send(c, read, (block ? BLOCK_MS : 0) + timeoutMs).compose(r -> {
      Map<String, List<Response>> byStream = entries(r);
      List<Future<Void>> all = new ArrayList<>();
      for (StreamState s : open) {
        List<Response> entries = byStream.getOrDefault(s.key, List.of());
        if (!entries.isEmpty()) {
          all.add(process(c, s, entries, round));
        }
      }
      return Future.all(all).mapEmpty();
    });
  }

  /**
   * Publishes a batch of one stream's entries, each channel's in order, and acknowledges what may be:
   * published, duplicate, or refused for good.
   */
  private Future<Void> process(RedisConnection c, StreamState s, List<Response> entries, Round round) {
    List<String> acks = new ArrayList<>();
    Set<String> blocked = round.blocked(s.key);
    Map<String, List<Work>> byChannel = new LinkedHashMap<>();
    for (Response entry : entries) {
      String id = entry.get(0).toString();
      Response fields = entry.size() > 1 ? entry.get(1) : null;
      if (fields == null) {
        // Deleted from the stream (trimmed) while pending: nothing left to publish.
        acks.add(id);
        counters.count(BridgeCounters.Path.STREAM, BridgeInput.Outcome.FAILED);
        counters.quietly(Level.WARNING, () -> "Redis bridge: entry " + id + " of " + s.key
            + " was deleted from the stream before it was published");
        continue;
      }
      byte[] body = field(fields, "body");
      byte[] channel = field(fields, "channel");
      averageEntryBytes = 0.9 * averageEntryBytes + 0.1 * ((body == null ? 0 : body.length) + 64);
      BridgeInput.Message m;
      try {
        m = input.fromStream(s.tenant, channel == null ? null : new String(channel,
            java.nio.charset.StandardCharsets.UTF_8), body, "xs:" + id);
      } catch (BridgeInput.Invalid e) {
        acks.add(id);
        counters.invalid(BridgeCounters.Path.STREAM, s.key + " entry " + id, e.getMessage(), body);
        continue;
      }
      String name = m.channel().name();
      if (blocked.contains(name)) {
        round.leftPending.add(s.key);
        continue;
      }
      byChannel.computeIfAbsent(name, k -> new ArrayList<>()).add(new Work(id, m));
    }
    List<Future<Void>> chains = new ArrayList<>();
    byChannel.forEach((name, work) -> chains.add(publishInOrder(s, name, work, 0, acks, blocked, round)));
    return Future.all(chains).map(v -> {
      if (!acks.isEmpty()) {
        // Written with the next command rather than waited for. Should it fail, its entries stay pending and
        // come back as duplicates.
        Request ack = Request.cmd(Command.XACK).arg(s.key).arg(GROUP);
        acks.forEach(ack::arg);
        unsentAcks.add(ack);
      }
      return null;
    });
  }

  private Future<Void> publishInOrder(StreamState s, String channel, List<Work> work, int i, List<String> acks,
                                      Set<String> blocked, Round round) {
    if (i == work.size()) {
      return Future.succeededFuture();
    }
    Work w = work.get(i);
    return broker.publish(w.message().channel(), w.message().request()).transform(ar -> {
      BridgeInput.Outcome outcome = BridgeInput.outcome(ar);
      counters.count(BridgeCounters.Path.STREAM, outcome);
      if (outcome == BridgeInput.Outcome.FAILED) {
        blocked.add(channel);
        round.leftPending.add(s.key);
        round.retryLater = true;
        counters.quietly(Level.INFO, () -> "Redis bridge: entry " + w.id() + " of " + s.key + " to channel "
            + w.message().channel() + " was not published (" + BridgeInput.describe(ar.cause())
            + "); it stays pending and is tried again, the channel's later entries after it");
        return Future.succeededFuture();
      }
      if (outcome == BridgeInput.Outcome.INVALID) {
        counters.quietly(Level.INFO, () -> "Redis bridge: entry " + w.id() + " of " + s.key + " was refused by channel "
            + w.message().channel() + " (" + BridgeInput.describe(ar.cause()) + ")");
      }
      acks.add(w.id());
      return publishInOrder(s, channel, work, i + 1, acks, blocked, round);
    });
  }

  /** Entries to ask for: about {@link #BATCH_BYTES} at the average size seen, 1 to {@value #MAX_COUNT}. */
  private int count() {
    return (int) Math.max(1, Math.min(MAX_COUNT, BATCH_BYTES / Math.max(64, averageEntryBytes)));
  }

  private Future<Response> send(RedisConnection c, Request request) {
    return send(c, request, timeoutMs);
  }

  /** {@code request}, preceded by the acknowledgements not sent yet, in one write; the answer to {@code request}. */
  private Future<Response> send(RedisConnection c, Request request, long limitMs) {
    if (unsentAcks.isEmpty()) {
      return TimedRedis.send(vertx, c, request, limitMs);
    }
    List<Request> all = new ArrayList<>(unsentAcks);
    unsentAcks.clear();
    all.add(request);
    return TimedRedis.batch(vertx, c, all, limitMs).map(answers -> answers.get(answers.size() - 1));
  }

  /** The entries of an {@code XREADGROUP} answer by stream (RESP3 answers a map, RESP2 an array of pairs). */
  private static Map<String, List<Response>> entries(Response r) {
    Map<String, List<Response>> out = new HashMap<>();
    if (r == null) {
      return out;
    }
    if (r.isMap()) {
      for (String key : r.getKeys()) {
        out.put(key, list(r.get(key)));
      }
    } else {
      for (Response pair : r) {
        out.put(pair.get(0).toString(), list(pair.get(1)));
      }
    }
    return out;
  }

  private static List<Response> list(Response entries) {
    List<Response> out = new ArrayList<>();
    if (entries != null) {
      entries.forEach(out::add);
    }
    return out;
  }

  /** The value of {@code name} among an entry's fields (the first, if named twice); null if absent. */
  private static byte[] field(Response fields, String name) {
    if (fields.isMap()) {
      Response v = fields.get(name);
      return v == null ? null : v.toBytes();
    }
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      Response k = fields.get(i);
      if (k != null && name.equals(k.toString())) {
        Response v = fields.get(i + 1);
        return v == null ? null : v.toBytes();
      }
    }
    return null;
  }
}
