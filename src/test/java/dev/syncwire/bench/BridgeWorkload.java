package dev.syncwire.bench;

import dev.syncwire.testing.FreePorts;
import dev.syncwire.testing.JvmProcess;
import dev.syncwire.testing.NodeGroup;
import dev.syncwire.testing.NodeProcess;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;

import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The bridge workload: a redis-server and one node with {@code redis.bridge.enabled}, both pinned to the
 * server CPUs, and one WebSocket subscriber on the load generator. Publications enter through Redis, either
 * {@code PUBLISH updates:tenant:demo:<channel> {"data":<100 B>}} (pub/sub) or
 * {@code XADD updates:tenant:demo * channel <channel> body {"data":<100 B>}} (stream), sent open loop (each
 * message due at start + i / rate and stamped with that due time; the messages due in one timer tick go to
 * Redis as one pipelined write). Latency runs from a message's due time to its {@code pub} at the subscriber.
 * <ol>
 *   <li>per path, a warm-up, then 1,000 and 10,000 messages/s: latency p50/p99 and server CPU;</li>
 *   <li>per path, rising offered rates until one does not hold (not everything delivered within 2 s of the
 *   last send, a message lost, repeated or out of order, or a p99 over 50 ms): the highest that held is the
 *   path's maximum sustained throughput.</li>
 * </ol>
 */
final class BridgeWorkload {
  /** Deliveries due after the last send of a window must arrive within this to count as in time. */
  static final double DRAIN_SECONDS = 2;
  /** The highest p99 at which a rate of the ladder holds, as for the fan-out's peak. */
  static final long MAX_P99_MICROS = 50_000;
  /** Longest wait for a backlog to clear before the next path. */
  private static final double BACKLOG_SECONDS = 60;
  private static final String TENANT = "demo";
  /** The node's {@code limits.outboundBufferBytes} in this workload. */
  static final long OUTBOUND_BUFFER_BYTES = 16L << 20;

  enum Path {
    PUBSUB("pub/sub (PUBLISH)", "bridge-pubsub"),
    STREAM("stream (XADD)", "bridge-stream");

    final String label;
    final String channel;

    Path(String label, String channel) {
      this.label = label;
      this.channel = channel;
    }
  }

  /** One window at one offered rate; latencies in microseconds from each message's due time. */
  record Window(double offered, int sent, long delivered, long p50, long p99, long p999, long firstThirdP99,
                long lastThirdP99, long sendLagP99, CpuWindow.Measured cpu, boolean inTime, long lost,
                long duplicated, long outOfOrder, String subscriberClosed) {
    boolean growing() {
      return lastThirdP99 > 2 * firstThirdP99 + 10_000;
    }

    boolean held() {
      return complete() && p99 <= MAX_P99_MICROS;
    }

    /** Everything arrived within 2 s of the last send, once each and in order, to a subscriber that stayed. */
    boolean complete() {
      return inTime && lost == 0 && duplicated == 0 && outOfOrder == 0 && subscriberClosed == null;
    }

    double deliveredPerSecond() {
      return delivered / cpu.seconds();
    }

    String verdict() {
      if (held()) {
        return growing() ? "held (latency growing)" : "held";
      }
      List<String> why = new ArrayList<>();
      if (subscriberClosed != null) {
        why.add("subscriber closed " + subscriberClosed);
      }
      if (!inTime) {
        why.add("backlog");
      }
      if (p99 > MAX_P99_MICROS) {
        why.add("p99 over " + MAX_P99_MICROS / 1000 + " ms");
      }
      if (growing()) {
        why.add("latency growing");
      }
      if (lost > 0) {
        why.add(lost + " lost");
      }
      if (duplicated > 0) {
        why.add(duplicated + " repeated");
      }
      if (outOfOrder > 0) {
        why.add(outOfOrder + " out of order");
      }
      return String.join(", ", why);
    }
  }

  /** One path's figures; {@code failure} says why there are none. */
  record PathResult(Path path, List<Window> latency, List<Window> ladder, String failure) {
    /** The highest offered rate that held, NaN if none did. */
    double maxSustained() {
      return ladder.stream().filter(Window::held).mapToDouble(Window::offered).max().orElse(Double.NaN);
    }

    Window atMax() {
      return ladder.stream().filter(Window::held).reduce((a, b) -> b).orElse(null);
    }

    Window firstFailed() {
      return ladder.stream().filter(w -> !w.held()).findFirst().orElse(null);
    }
  }

  record Result(PathResult pubsub, PathResult stream, List<String> servers, List<String> notes) {
  }

  /** Durations and rates of a run. */
  private record Sizes(double warmUpSeconds, double warmUpRate, double runInSeconds, double seconds,
                       List<Double> latencyRates, double ladderRunInSeconds, double ladderSeconds,
                       List<Double> ladderRates) {
  }

  private final Loop loop;
  private final JvmProcess self;
  private final NodeProcess.Options settings;
  private final String serverCpus;
  private final java.nio.file.Path outDir;
  private final Sizes sizes;

  BridgeWorkload(Loop loop, JvmProcess self, NodeProcess.Options settings, String serverCpus,
                 java.nio.file.Path outDir, boolean quick) {
    this.loop = loop;
    this.self = self;
    this.settings = settings;
    this.serverCpus = serverCpus;
    this.outDir = outDir;
    List<Double> ladder = List.of(20_000.0, 30_000.0, 40_000.0, 60_000.0, 80_000.0, 120_000.0, 160_000.0);
    this.sizes = quick
        ? new Sizes(3, 2_000, 1, 3, List.of(1_000.0, 10_000.0), 1, 2, ladder)
        : new Sizes(10, 2_000, 3, 10, List.of(1_000.0, 10_000.0), 2, 5, ladder);
  }

  Result run() {
    int redisPort = FreePorts.port();
    Process redis = startRedis(redisPort);
    try {
      JvmProcess redisProcess = new JvmProcess(redis.pid(), self.clockTicksPerSecond());
      String url = "redis://127.0.0.1:" + redisPort;
      Log.line("starting node bridge (Redis on port %d)", redisPort);
      // One subscriber takes every message: a larger outbound buffer than the default 1 MiB, so that a short
      // stall of the load generator at high rates does not get it cut off (4009).
      try (NodeGroup node = NodeGroup.alone(settings, "bridge", Map.of("redis.url", url,
          "redis.bridge.enabled", "true", "limits.outboundBufferBytes", Long.toString(OUTBOUND_BUFFER_BYTES)))) {
        NodeProcess n = node.nodes().get(0);
        List<JvmProcess> servers = List.of(n.jvm(), redisProcess);
        List<String> described = new ArrayList<>(node.describe());
        described.add("redis-server (pid " + redis.pid() + ") on CPU " + redisProcess.allowedCpus());
        Bench bench = new Bench(loop.vertx(), url, n.port, servers);
        try {
          bench.open();
          List<Window> pubsubLatency = new ArrayList<>();
          List<Window> streamLatency = new ArrayList<>();
          String pubsubFailure = latency(bench, Path.PUBSUB, pubsubLatency);
          String streamFailure = latency(bench, Path.STREAM, streamLatency);
          List<Window> pubsubLadder = new ArrayList<>();
          List<Window> streamLadder = new ArrayList<>();
          pubsubFailure = pubsubFailure != null ? pubsubFailure : ladder(bench, Path.PUBSUB, pubsubLadder);
          streamFailure = streamFailure != null ? streamFailure : ladder(bench, Path.STREAM, streamLadder);
          PathResult pubsub = new PathResult(Path.PUBSUB, pubsubLatency, pubsubLadder, pubsubFailure);
          PathResult stream = new PathResult(Path.STREAM, streamLatency, streamLadder, streamFailure);
          List<String> notes = new ArrayList<>();
          long warnings = n.logText().lines().filter(l -> l.startsWith("WARNING: Redis bridge")).count();
          notes.add("The node logged " + warnings + " warnings of the bridge (losing Redis, refusing messages).");
          long cutOff = loop.read(() -> bench.subscriptions) - 1;
          if (cutOff > 0) {
            notes.add("The node cut the subscriber off " + cutOff + " times (slow consumer); it subscribed again"
                + " before the next window.");
          }
          return new Result(pubsub, stream, described, notes);
        } finally {
          loop.await(bench::close);
        }
      }
    } finally {
      redis.destroy();
      try {
        redis.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private Process startRedis(int port) {
    List<String> cmd = new ArrayList<>();
    if (serverCpus != null) {
      cmd.addAll(List.of("taskset", "-c", serverCpus));
    }
    cmd.addAll(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--protected-mode", "no", "--loglevel", "warning"));
    try {
      return new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(outDir.resolve("bridge-redis-" + port + ".log").toFile()).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start redis-server (is it installed?): " + e.getMessage(), e);
    }
  }

  /** The warm-up and the latency windows of {@code path}; the failure, or null. */
  private String latency(Bench bench, Path path, List<Window> windows) {
    try {
      Log.line("bridge, %s: warm-up, %.0f s at %,.0f/s", path.label, sizes.warmUpSeconds(), sizes.warmUpRate());
      bench.window(path, "warm-up", sizes.warmUpRate(), sizes.warmUpSeconds(), false);
      for (double rate : sizes.latencyRates()) {
        bench.window(path, "run-in", rate, sizes.runInSeconds(), false);
        Window w = bench.window(path, String.format("@%,.0f/s", rate), rate, sizes.seconds(), true);
        log(path, w);
        windows.add(w);
      }
      return null;
    } catch (RuntimeException e) {
      Log.line("bridge, %s failed: %s", path.label, e);
      bench.awaitQuiet(path);
      return e.toString();
    }
  }

  /** Rising rates on {@code path} until one does not hold; the failure, or null. */
  private String ladder(Bench bench, Path path, List<Window> windows) {
    try {
      for (double rate : sizes.ladderRates()) {
        bench.window(path, "run-in", rate, sizes.ladderRunInSeconds(), false);
        Window w = bench.window(path, String.format("ladder @%,.0f/s", rate), rate, sizes.ladderSeconds(), true);
        log(path, w);
        windows.add(w);
        if (!w.held()) {
          break;
        }
      }
      bench.awaitQuiet(path);
      return null;
    } catch (RuntimeException e) {
      Log.line("bridge, %s failed: %s", path.label, e);
      bench.awaitQuiet(path);
      return e.toString();
    }
  }

  private static void log(Path path, Window w) {
    Log.line("bridge, %s @%,.0f/s: %,d sent, %,d delivered (%,.0f/s), p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms;"
            + " %s; server CPU %.0f%%, load generator CPU %.0f%%, others on their CPUs %.0f%%/%.0f%%, send lag p99"
            + " %.2f ms", path.label, w.offered(), w.sent(), w.delivered(), w.deliveredPerSecond(), w.p50() / 1e3,
        w.p99() / 1e3, w.p999() / 1e3, w.verdict(), 100 * w.cpu().serverShare(), 100 * w.cpu().clientShare(),
        100 * w.cpu().serverCpuOthersShare(), 100 * w.cpu().clientCpuOthersShare(), w.sendLagP99() / 1e3);
  }

  /**
   * The publisher (one Redis connection) and the subscriber (one WebSocket), on the load generator's loop.
   * Message numbers ({@link Payload} seq) go up across windows and paths; each path has its own channel.
   */
  private final class Bench {
    private final Vertx vertx;
    private final String url;
    private final int port;
    private final List<JvmProcess> servers;
    // Held for as long as the run: Vert.x closes a client (and its connections) once nothing refers to it.
    private Redis redisClient;
    private io.vertx.core.http.WebSocketClient wsClient;
    private RedisConnection redis;
    private WebSocket socket;
    private final List<Phase> phases = new ArrayList<>();
    private final Map<Path, List<Phase>> phasesOf = new java.util.EnumMap<>(Path.class);
    private final Payload payload = new Payload();
    private final BitSet seen = new BitSet();
    private final long[] lastSeq = new long[Path.values().length];
    private long nextSeq = 1;
    private long duplicated;
    private long outOfOrder;
    private long lastDeliveryNanos;
    private long publishFailures;
    private String firstPublishFailure;
    private int subscribed;
    /** Subscriber connections opened so far. */
    private long subscriptions;
    /** The close code, once the node closed the subscriber; null while it is open. */
    private String closedWith;

    Bench(Vertx vertx, String url, int port, List<JvmProcess> servers) {
      this.vertx = vertx;
      this.url = url;
      this.port = port;
      this.servers = servers;
    }

    void open() {
      redisClient = Redis.createClient(vertx, new RedisOptions().setConnectionString(url)
          .setMaxWaitingHandlers(1_000_000));
      redis = loop.await(() -> redisClient.connect());
      subscribe();
      // The bridge subscribes and makes its consumer group on its own: wait until both paths deliver.
      for (Path p : Path.values()) {
        long before = loop.read(() -> lastSeq[p.ordinal()]);
        long probeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (loop.read(() -> lastSeq[p.ordinal()]) == before) {
          if (System.nanoTime() > probeDeadline) {
            throw new IllegalStateException("nothing came through " + p.label + " within 30 s");
          }
          Phase probe = loop.read(() -> plan(p, "probe", 1, 1));
          loop.await(() -> publish(p, probe));
          Loop.pause(200);
        }
      }
    }

    /** A new subscriber connection, following both channels (the node cut the last one off, or none yet). */
    private void subscribe() {
      if (wsClient == null) {
        wsClient = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(1 << 20));
      }
      WebSocket ws = loop.await(() -> wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
          .setPort(port).setURI("/ws")));
      loop.await(() -> {
        socket = ws;
        subscriptions++;
        closedWith = null;
        subscribed = 0;
        // What was sent to the last subscriber is not waited for any more.
        phasesOf.clear();
        ws.textMessageHandler(this::onFrame);
        ws.closeHandler(v -> {
          if (socket == ws) {
            closedWith = String.valueOf(ws.closeStatusCode());
          }
        });
        ws.writeTextMessage(new JsonObject().put("id", 1).put("type", "connect").put("tenant", TENANT).encode());
        for (Path p : Path.values()) {
          ws.writeTextMessage(new JsonObject().put("id", 2 + p.ordinal()).put("type", "subscribe")
              .put("channel", p.channel).encode());
        }
        return Future.succeededFuture();
      });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (loop.read(() -> subscribed) < Path.values().length) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the subscriber was not subscribed within 10 s");
        }
        Loop.pause(10);
      }
    }

    /** Whether the bridge's consumer group has read and acknowledged every entry of the stream. */
    private boolean streamDrained() {
      String stream = "updates:tenant:" + TENANT;
      io.vertx.redis.client.Response groups = loop.await(() -> redis.send(Request.cmd(Command.XINFO).arg("GROUPS")
          .arg(stream)));
      String last = String.valueOf(loop.await(() -> redis.send(Request.cmd(Command.XINFO).arg("STREAM").arg(stream)))
          .get("last-generated-id"));
      for (io.vertx.redis.client.Response g : groups) {
        if ("syncwire".equals(String.valueOf(g.get("name")))) {
          return g.get("pending").toLong() == 0 && last.equals(String.valueOf(g.get("last-delivered-id")));
        }
      }
      return false;
    }

    /** Subscribes again if the node closed the subscriber (a slow consumer is cut off with 4009). */
    private void ensureSubscriber() {
      String closed = loop.read(() -> closedWith);
      if (closed != null) {
        Log.line("bridge: the node closed the subscriber (%s); subscribing again", closed);
        subscribe();
      }
    }

    Future<Void> close() {
      List<Future<?>> all = new ArrayList<>();
      if (socket != null) {
        all.add(socket.close());
      }
      if (redis != null) {
        all.add(redis.close());
      }
      return Future.join(all).eventually(() -> Future.join(
          wsClient == null ? Future.succeededFuture() : wsClient.close(),
          redisClient == null ? Future.succeededFuture() : redisClient.close())).mapEmpty();
    }

    private Phase plan(Path path, String label, double rate, double seconds) {
      int planned = Math.max(1, (int) Math.round(rate * seconds));
      Phase phase = new Phase(label, rate, nextSeq, planned, 1);
      nextSeq += planned;
      phases.add(phase);
      phasesOf.computeIfAbsent(path, k -> new ArrayList<>()).add(phase);
      return phase;
    }

    private void onFrame(String text) {
      if (!text.contains("\"type\":\"pub\"")) {
        if (text.contains("\"type\":\"subscribed\"")) {
          subscribed++;
        }
        return;
      }
      long now = System.nanoTime();
      if (!payload.read(text)) {
        return;
      }
      long seq = payload.seq;
      int path = text.contains("\"channel\":\"" + Path.STREAM.channel + "\"") ? Path.STREAM.ordinal()
          : Path.PUBSUB.ordinal();
      lastDeliveryNanos = now;
      if (seen.get((int) seq)) {
        duplicated++;
        return;
      }
      seen.set((int) seq);
      if (seq < lastSeq[path]) {
        outOfOrder++;
      }
      lastSeq[path] = Math.max(lastSeq[path], seq);
      for (int i = phases.size() - 1; i >= 0; i--) {
        Phase phase = phases.get(i);
        if (phase.contains(seq)) {
          phase.recordDelivery(seq, now - payload.intendedNanos);
          return;
        }
      }
    }

    /** Sends a phase's messages on schedule, each tick's together; completes after the last one. */
    private Future<Void> publish(Path path, Phase phase) {
      Promise<Void> done = Promise.promise();
      long start = System.nanoTime();
      double interval = 1e9 / phase.pubsPerSecond;
      Runnable[] tick = new Runnable[1];
      tick[0] = () -> {
        long now = System.nanoTime();
        List<Request> batch = new ArrayList<>();
        while (phase.sent < phase.planned && start + (long) (phase.sent * interval) <= now) {
          long due = start + (long) (phase.sent * interval);
          long seq = phase.firstSeq + phase.sent;
          String body = "{\"data\":" + Payload.encode(seq, due) + "}";
          batch.add(path == Path.PUBSUB
              ? Request.cmd(Command.PUBLISH).arg("updates:tenant:" + TENANT + ":" + path.channel).arg(body)
              : Request.cmd(Command.XADD).arg("updates:tenant:" + TENANT).arg("MAXLEN").arg("~").arg(500_000)
                  .arg("*").arg("channel").arg(path.channel).arg("body").arg(body));
          phase.sendLag.recordValue(Math.max(0, (now - due) / 1000));
          phase.sent++;
        }
        if (!batch.isEmpty()) {
          redis.batch(batch).onFailure(e -> {
            publishFailures += batch.size();
            if (firstPublishFailure == null) {
              firstPublishFailure = String.valueOf(e.getMessage());
            }
          });
        }
        if (phase.sent == phase.planned) {
          phase.publishingDone();
          done.complete();
          return;
        }
        long waitNanos = start + (long) (phase.sent * interval) - now;
        vertx.setTimer(Math.max(1, (waitNanos + 999_999) / 1_000_000), id -> tick[0].run());
      };
      tick[0].run();
      return done.future();
    }

    /** One window at {@code rate} for {@code seconds}; measured (CPU, verdict) when {@code measured}. */
    Window window(Path path, String label, double rate, double seconds, boolean measured) {
      ensureSubscriber();
      Phase phase = loop.read(() -> plan(path, label, rate, seconds));
      long duplicatedBefore = loop.read(() -> duplicated);
      long outOfOrderBefore = loop.read(() -> outOfOrder);
      long failuresBefore = loop.read(() -> publishFailures);
      CpuWindow cpu = CpuWindow.start(servers, self);
      loop.await(() -> publish(path, phase));
      long deadline = System.nanoTime() + (long) (DRAIN_SECONDS * 1e9);
      boolean inTime = true;
      while (!loop.read(phase::complete)) {
        if (System.nanoTime() > deadline) {
          inTime = false;
          break;
        }
        Loop.pause(5);
      }
      CpuWindow.Measured measuredCpu = cpu.stop();
      if (!measured) {
        awaitQuiet(path);
        return null;
      }
      if (!inTime) {
        // What the backlog still brings counts for this window (latency, loss), not the next one.
        awaitQuiet(path);
      }
      long failures = loop.read(() -> publishFailures) - failuresBefore;
      if (failures > 0) {
        Log.line("bridge, %s: %d sends to Redis failed: %s", path.label, failures, loop.read(() -> firstPublishFailure));
      }
      boolean delivered = inTime;
      String closed = loop.read(() -> closedWith);
      return loop.read(() -> new Window(rate, phase.sent, phase.delivered, phase.latency.getValueAtPercentile(50),
          phase.latency.getValueAtPercentile(99), phase.latency.getValueAtPercentile(99.9),
          phase.thirds[0].getValueAtPercentile(99), phase.thirds[2].getValueAtPercentile(99),
          phase.sendLag.getValueAtPercentile(99), measuredCpu, delivered, phase.sent - phase.delivered,
          duplicated - duplicatedBefore, outOfOrder - outOfOrderBefore, closed));
    }

    /**
     * Waits until every message sent on {@code path} arrived, or (pub/sub, which may lose some) nothing arrived
     * for a second, up to {@value #BACKLOG_SECONDS} s.
     */
    void awaitQuiet(Path path) {
      long deadline = System.nanoTime() + (long) (BACKLOG_SECONDS * 1e9);
      while (System.nanoTime() < deadline) {
        boolean allIn = loop.read(() -> phasesOf.getOrDefault(path, List.of()).stream().allMatch(Phase::complete));
        long sinceLast = loop.read(() -> System.nanoTime() - lastDeliveryNanos);
        boolean gone = loop.read(() -> closedWith != null);
        if (path == Path.STREAM && (gone || !allIn)) {
          // Nobody may be waiting for them, but entries still in the stream come before the next window's.
          allIn = streamDrained();
        } else if (allIn || gone || (path == Path.PUBSUB && sinceLast > 1_000_000_000L)) {
          return;
        }
        if (allIn) {
          return;
        }
        Loop.pause(20);
      }
      Log.line("bridge, %s: a backlog was still arriving after %.0f s", path.label, BACKLOG_SECONDS);
    }
  }

  /** The workload's table: a column per path. */
  static ResultTable table(Result r) {
    ResultTable t = new ResultTable(List.of(Path.PUBSUB.label, Path.STREAM.label), null);
    List<PathResult> both = List.of(r.pubsub(), r.stream());
    t.section("Latency, open loop, 100 B, 1 subscriber: PUBLISH/XADD sent to `pub` received");
    int rates = Math.max(r.pubsub().latency().size(), r.stream().latency().size());
    for (int i = 0; i < rates; i++) {
      int k = i;
      double offered = both.stream().filter(p -> p.latency().size() > k).findFirst().orElseThrow().latency().get(k)
          .offered();
      String at = String.format("@ %,.0f messages/s", offered);
      t.add(at + ": p50 / p99 (ms)", both.stream().map(p -> latencyCell(p, k)).toArray(ResultTable.Cell[]::new));
      t.add("  p99.9 (ms)", both.stream().map(p -> cell(p, k, w -> w.p999() / 1e3, "%.2f"))
          .toArray(ResultTable.Cell[]::new));
      t.add("  all delivered within 2 s, none lost, repeated or out of order", both.stream()
          .map(p -> p.latency().size() > k ? ResultTable.Cell.missing(p.latency().get(k).complete() ? "yes"
              : p.latency().get(k).verdict()) : ResultTable.Cell.missing("-")).toArray(ResultTable.Cell[]::new));
      t.add("  server CPU, node + Redis (% of one core)", both.stream()
          .map(p -> cell(p, k, w -> 100 * w.cpu().serverShare(), "%.0f")).toArray(ResultTable.Cell[]::new));
    }
    t.section("Maximum sustained throughput: rising offered rates until one does not hold");
    t.add("highest offered rate that held: all delivered, p99 <= 50 ms (messages/s)", both.stream()
        .map(p -> p.failure() != null ? ResultTable.Cell.missing("failed") : ResultTable.Cell.of(p.maxSustained(),
            "%,.0f")).toArray(ResultTable.Cell[]::new));
    t.add("  p50 / p99 there (ms)", both.stream().map(p -> {
      Window w = p.atMax();
      return w == null ? ResultTable.Cell.missing("-") : ResultTable.Cell.missing(String.format("%.2f / %.2f",
          w.p50() / 1e3, w.p99() / 1e3));
    }).toArray(ResultTable.Cell[]::new));
    t.add("  server CPU per message there, node + Redis (us)", both.stream().map(p -> {
      Window w = p.atMax();
      return w == null ? ResultTable.Cell.missing("-")
          : ResultTable.Cell.of(w.cpu().serverCpuSeconds() * 1e6 / Math.max(1, w.delivered()), "%.1f");
    }).toArray(ResultTable.Cell[]::new));
    t.add("  server / load generator CPU there (% of one core)", both.stream().map(p -> {
      Window w = p.atMax();
      return w == null ? ResultTable.Cell.missing("-") : ResultTable.Cell.missing(String.format("%.0f / %.0f",
          100 * w.cpu().serverShare(), 100 * w.cpu().clientShare()));
    }).toArray(ResultTable.Cell[]::new));
    t.add("next rate: offered / delivered per s, verdict", both.stream().map(p -> {
      Window w = p.firstFailed();
      return w == null ? ResultTable.Cell.missing(p.ladder().isEmpty() ? "-" : "all held")
          : ResultTable.Cell.missing(String.format("%,.0f / %,.0f, %s", w.offered(), w.deliveredPerSecond(),
              w.verdict()));
    }).toArray(ResultTable.Cell[]::new));
    return t;
  }

  private static ResultTable.Cell latencyCell(PathResult p, int i) {
    if (p.latency().size() <= i) {
      return ResultTable.Cell.missing(p.failure() != null ? "failed" : "-");
    }
    Window w = p.latency().get(i);
    return ResultTable.Cell.missing(String.format("%.2f / %.2f", w.p50() / 1e3, w.p99() / 1e3));
  }

  private static ResultTable.Cell cell(PathResult p, int i, java.util.function.ToDoubleFunction<Window> f,
                                       String format) {
    return p.latency().size() <= i ? ResultTable.Cell.missing("-") : ResultTable.Cell.of(f.applyAsDouble(
        p.latency().get(i)), format);
  }

  /** The footer's notes on how the figures were made. */
  static List<String> notes(Result r) {
    List<String> notes = new ArrayList<>(r.notes());
    notes.add("One node and one redis-server (no persistence), both pinned to the server CPU; one WebSocket"
        + " subscriber and the publisher (one Redis connection; the messages due in one 1 ms timer tick go as one"
        + " pipelined write) on the load generator's; the node has limits.outboundBufferBytes=16 MiB for that one"
        + " subscriber. Each message is {\"data\":<the 100 B payload>}; pub/sub"
        + " messages have no key; stream entries have none either, so the bridge publishes each with the key"
        + " xs:<entry id>. XADD trims the stream with MAXLEN ~ 500,000.");
    notes.add("Latency: from each message's due time (open loop: a publisher behind schedule counts as latency)"
        + " to the pub at the subscriber, through Redis, the bridge, the channel and the WebSocket. Server CPU adds"
        + " the node's and Redis's.");
    notes.add("Ladder: each rate gets a run-in and a window; a rate holds when every message of the window arrived"
        + " within 2 s of its last send, none was lost, repeated or out of order, and the p99 is at most 50 ms (as"
        + " for the fan-out's peak). The first rate that does not hold ends the ladder; the table gives the highest"
        + " that held and what the next one did (\"latency growing\": the p99 of the window's last third was more"
        + " than twice that of its first third plus 10 ms).");
    for (PathResult p : List.of(r.pubsub(), r.stream())) {
      if (p.failure() != null) {
        notes.add(p.path().label + ": failed: " + p.failure());
      }
      for (Window w : p.latency()) {
        if (w.cpu().clientShare() > 0.9) {
          notes.add(String.format("%s @%,.0f/s: the load generator used %.0f%% of its core.", p.path().label,
              w.offered(), 100 * w.cpu().clientShare()));
        }
      }
      Window max = p.atMax();
      if (max != null && max.cpu().clientShare() > 0.9) {
        notes.add(String.format("%s: at its highest rate the load generator used %.0f%% of its core: the maximum"
            + " may be client-bound.", p.path().label, 100 * max.cpu().clientShare()));
      }
    }
    double others = 0;
    double clientOthers = 0;
    for (PathResult p : List.of(r.pubsub(), r.stream())) {
      for (Window w : p.latency()) {
        others = Math.max(others, w.cpu().serverCpuOthersShare());
        clientOthers = Math.max(clientOthers, w.cpu().clientCpuOthersShare());
      }
      for (Window w : p.ladder()) {
        others = Math.max(others, w.cpu().serverCpuOthersShare());
        clientOthers = Math.max(clientOthers, w.cpu().clientCpuOthersShare());
      }
    }
    notes.add(String.format("Other work took up to %.0f%% of the server CPU and %.0f%% of the load generator's CPU"
        + " during the measured windows.", 100 * others, 100 * clientOthers));
    return notes;
  }
}
