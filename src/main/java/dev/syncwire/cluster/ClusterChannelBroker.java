package dev.syncwire.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import dev.syncwire.broker.ChannelBroker;
import dev.syncwire.broker.LogStore;
import dev.syncwire.broker.OutboundPublication;
import dev.syncwire.broker.PublicationSink;
import dev.syncwire.channel.ChannelId;
import dev.syncwire.channel.ChannelSettings;
import dev.syncwire.channel.Patch;
import dev.syncwire.channel.Position;
import dev.syncwire.channel.Publication;
import dev.syncwire.channel.PublishOutcome;
import dev.syncwire.channel.Since;
import dev.syncwire.cluster.operation.ChannelEntry;
import dev.syncwire.cluster.operation.ChannelGroup;
import dev.syncwire.cluster.operation.Describe;
import dev.syncwire.cluster.operation.EveryChannel;
import dev.syncwire.cluster.operation.OnChannels;
import dev.syncwire.cluster.operation.Publish;
import dev.syncwire.cluster.operation.PublishReplies;
import dev.syncwire.cluster.operation.Restore;
import dev.syncwire.cluster.operation.Stored;
import dev.syncwire.cluster.operation.RemoveNode;
import dev.syncwire.cluster.operation.Subscribe;
import dev.syncwire.cluster.operation.Summary;
import dev.syncwire.internals.VertxInternals;
import dev.syncwire.protocol.Command;
import dev.syncwire.protocol.ErrorCode;
import dev.syncwire.protocol.ProtocolException;
import dev.syncwire.telemetry.MetricNames;
import dev.syncwire.telemetry.NodeMetrics;
import dev.syncwire.telemetry.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@link ChannelBroker} of a clustered node. Channel logs live in the Hazelcast map
 * {@value HazelcastConfigs#CHANNELS_MAP}, one entry per partition ({@link ChannelGroups}); the node that
 * handles a publish runs it on the owner of the channel's partition and then sends the publication once to each node
 * that follows the channel. Each node keeps,
 * per channel it follows, the last seq it delivered; publications that arrive early wait, and a gap
 * that does not fill within {@code cluster.repairDelayMs} (or that an owner's announcement reveals) is
 * repaired from the owner's history, or turned into {@code reset} when history no longer has it.
 * All per-channel node state lives on this broker's own event loop.
 */
public final class ClusterChannelBroker implements ChannelBroker {
  private static final Logger LOG = Logger.getLogger(ClusterChannelBroker.class.getName());
  /** What a client is told to wait before retrying a publish the cluster could not take. */
  static final long RETRY_AFTER_MS = 500;
  /** Writes to the store that found a hole wait this long, doubling, for another node's write to fill it. */
  private static final long STORE_GAP_WAIT_MS = 5;
  private static final int STORE_GAP_RETRIES = 4;
  /** Bytes of publishes that may wait at one node for the next operation of one partition's channels. */
  private static final long MAX_QUEUED_PUBLISH_BYTES = 8L << 20;

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final IMap<String, ChannelGroup> map;
  private final ChannelGroups groups;
  private final String nodeId;
  private final Function<String, ChannelSettings> settings;
  private final long repairDelayMs;
  private final int publishBatch;
  /** Where channel logs are kept beyond the cluster; null when only in the cluster's memory. */
  private final LogStore store;
  private final Map<ChannelId, NodeChannel> channels = new HashMap<>();
  /** Numbers this node's follows of channels: each time it starts following one, the next. */
  private long follows;
  /** By the key of the partition's entry ({@link ChannelGroups}). */
  private final Map<String, PublishQueue> publishQueues = new HashMap<>();
  /** Channels this node asked to be taken off, the removal not yet answered (see {@link #disown}). */
  private final Set<ChannelId> disowning = new HashSet<>();
  /**
   * Runs the Hazelcast calls that wait (queries over every partition, replica checks): two threads,
   * started once. Not the node's worker pool, which starts a new thread for each of its first tasks.
   */
  private final WorkerExecutor blocking;
  private Context context;

  final AtomicLong fanoutSent = new AtomicLong();
  final AtomicLong fanoutReceived = new AtomicLong();
  final AtomicLong repairs = new AtomicLong();
  final AtomicLong publishOperations = new AtomicLong();
  final AtomicLong resets = new AtomicLong();

  /**
   * With {@code store}, a publish is acknowledged once the store holds it too, and a channel no node holds
   * is loaded from the store (docs/redis.md); without one (null), channel logs live in the cluster only.
   */
  public ClusterChannelBroker(Vertx vertx, HazelcastInstance hazelcast, String nodeId,
                              Function<String, ChannelSettings> settings, long repairDelayMs, int publishBatch,
                              LogStore store) {
    this.store = store;
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.map = hazelcast.getMap(HazelcastConfigs.CHANNELS_MAP);
    this.groups = new ChannelGroups(hazelcast.getPartitionService());
    this.nodeId = nodeId;
    this.settings = settings;
    this.repairDelayMs = repairDelayMs;
    this.publishBatch = publishBatch;
    this.blocking = vertx.createSharedWorkerExecutor("syncwire-cluster-blocking", 2);
  }

  /** Reports the cluster's counters with the node's metrics. */
  public void registerMetrics(NodeMetrics metrics) {
    metrics.counter(MetricNames.FANOUT_SENT, "publications sent to other nodes", fanoutSent::get);
    metrics.counter(MetricNames.FANOUT_RECEIVED, "publications received from other nodes", fanoutReceived::get);
    metrics.counter(MetricNames.PUBLISH_OPERATIONS, "Hazelcast operations that carried publishes",
        publishOperations::get);
    metrics.counter(MetricNames.GAP_REPAIRS, "gaps repaired from the owner's history", repairs::get);
    metrics.gauge(MetricNames.MEMBERS, "members of the cluster", () -> hazelcast.getCluster().getMembers().size());
  }

  WorkerExecutor blocking() {
    return blocking;
  }

  Context context() {
    return context;
  }

  /** Binds the broker to the event loop of the {@link ClusterVerticle} that hosts it. */
  void bind(Context context) {
    this.context = context;
  }

  public String nodeId() {
    return nodeId;
  }

  IMap<String, ChannelGroup> map() {
    return map;
  }

  ChannelGroups groups() {
    return groups;
  }

  /** One operation on one channel, on the owner of its partition; its result is answered on {@code context}. */
  @SuppressWarnings("unchecked")
  <R> Future<R> onChannel(String channelKey, EntryProcessor<String, ChannelEntry, R> operation, Context context) {
    return HazelcastFutures.toFuture(map.submitToKey(groups.key(channelKey), OnChannels.of(channelKey, operation)),
        context).map(results -> (R) results.get(0));
  }

  private <R> Future<R> onChannel(ChannelId channel, EntryProcessor<String, ChannelEntry, R> operation,
                                  Context context) {
    return onChannel(ChannelEntry.key(channel), operation, context);
  }

  // ---- publish ----

  /**
   * Runs the publish on the owner of the channel's partition. With group commit
   * ({@code cluster.publishBatch} > 1), one operation per partition is in flight from this node at a time,
   * and the publishes to the partition's channels that arrive meanwhile go together in the next one: one
   * Hazelcast operation and one backup for all of them, each channel's in arrival order. That costs nothing
   * when publishes are sparse and saves most of the cost per publish when they come in bursts, to one
   * channel or to many of one partition.
   */
  @Override
  public Future<PublishAck> publish(ChannelId channel, PublishRequest request) {
    Context caller = callerContext();
    if (publishBatch <= 1) {
      return submitPublish(channel, List.of(request), caller, true)
          .map(replies -> PublishAck.of(replies.outcomes().get(0)));
    }
    Promise<PublishAck> promise = VertxInternals.promise(caller);
    int bytes = request.bytes();
    onBrokerContext(() -> {
      PublishQueue queue = publishQueues.computeIfAbsent(groups.key(channel), PublishQueue::new);
      if (queue.bytes + bytes > MAX_QUEUED_PUBLISH_BYTES && !queue.waiting.isEmpty()) {
        promise.fail(new ProtocolException(ErrorCode.OVERLOADED, "too many publishes waiting for this channel",
            null, null, RETRY_AFTER_MS));
        return;
      }
      queue.waiting.add(new WaitingPublish(channel, request, promise, bytes));
      queue.bytes += bytes;
      if (!queue.inFlight) {
        sendNext(queue);
      }
    });
    return promise.future();
  }

  /** Publishes waiting at this node for one partition's channels, while its previous operation is in flight. */
  private static final class PublishQueue {
    final String group;
    final ArrayDeque<WaitingPublish> waiting = new ArrayDeque<>();
    long bytes;
    boolean inFlight;

    PublishQueue(String group) {
      this.group = group;
    }
  }

  private record WaitingPublish(ChannelId channel, PublishRequest request, Promise<PublishAck> promise, int bytes) {
  }

  /**
   * On the broker's context: sends up to {@code publishBatch} waiting publishes as one operation, one
   * {@link Publish} per channel. The next goes once every channel's part is done, store writes included.
   */
  private void sendNext(PublishQueue queue) {
    int n = Math.min(publishBatch, queue.waiting.size());
    Map<ChannelId, List<WaitingPublish>> byChannel = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      WaitingPublish w = queue.waiting.poll();
      queue.bytes -= w.bytes();
      byChannel.computeIfAbsent(w.channel(), c -> new ArrayList<>()).add(w);
    }
    List<ChannelId> channelsOfBatch = new ArrayList<>(byChannel.keySet());
    List<List<PublishRequest>> requests = new ArrayList<>(channelsOfBatch.size());
    for (List<WaitingPublish> waiting : byChannel.values()) {
      requests.add(waiting.stream().map(WaitingPublish::request).toList());
    }
    queue.inFlight = true;
    Future<List<PublishReplies>> sequenced = sequence(queue.group, channelsOfBatch, requests, context);
    List<Future<PublishReplies>> done = new ArrayList<>(channelsOfBatch.size());
    for (int c = 0; c < channelsOfBatch.size(); c++) {
      int index = c;
      ChannelId channel = channelsOfBatch.get(c);
      Future<PublishReplies> replies = sequenced.compose(all ->
          finishPublish(channel, requests.get(index), all.get(index), context, true));
      List<WaitingPublish> waiting = byChannel.get(channel);
      done.add(replies.onComplete(ar -> {
        for (int i = 0; i < waiting.size(); i++) {
          Promise<PublishAck> promise = waiting.get(i).promise();
          if (ar.failed()) {
            promise.fail(ar.cause());
            continue;
          }
          try {
            promise.complete(PublishAck.of(ar.result().outcomes().get(i)));
          } catch (ProtocolException e) {
            promise.fail(e);
          }
        }
      }));
    }
    Future.join(done).onComplete(ar -> {
      queue.inFlight = false;
      if (!queue.waiting.isEmpty()) {
        sendNext(queue);
      } else {
        publishQueues.remove(queue.group);
      }
    });
  }

  /** Publishes to one channel as an operation of their own, then what follows an accepted publish. */
  private Future<PublishReplies> submitPublish(ChannelId channel, List<PublishRequest> requests, Context context,
                                               boolean mayLoad) {
    return sequence(groups.key(channel), List.of(channel), List.of(requests), context)
        .compose(replies -> finishPublish(channel, requests, replies.get(0), context, mayLoad));
  }

  /**
   * One Hazelcast operation for the publishes to channels of one partition, answered on {@code context}: the
   * replies of each channel's {@link Publish}, in the order given. A failed operation is
   * {@code unavailable}: the owner was unreachable, or (with {@code cluster.backups} >= 1) a backup did
   * not confirm in time, in which case the publishes may have been applied but are not acknowledged; a
   * retry with the same {@code key} is answered as a duplicate with the original position.
   */
  @SuppressWarnings("unchecked")
  private Future<List<PublishReplies>> sequence(String group, List<ChannelId> channelsOfBatch,
                                                List<List<PublishRequest>> requests, Context context) {
    if (store != null && !store.available()) {
      // Nothing is sequenced that could not be written to the store.
      return Future.failedFuture(storeUnavailable());
    }
    List<String> keys = new ArrayList<>(channelsOfBatch.size());
    List<EntryProcessor<String, ChannelEntry, ?>> publishes = new ArrayList<>(channelsOfBatch.size());
    for (int i = 0; i < channelsOfBatch.size(); i++) {
      ChannelId channel = channelsOfBatch.get(i);
      keys.add(ChannelEntry.key(channel));
      publishes.add(new Publish(requests.get(i), settings.apply(channel.tenant()), store != null));
    }
    publishOperations.incrementAndGet();
    return HazelcastFutures.toFuture(map.submitToKey(group, new OnChannels(keys, publishes)), context).transform(ar -> {
      if (ar.failed()) {
        LOG.log(Level.FINE, "publish to " + keys + " failed", ar.cause());
        return Future.failedFuture(new ProtocolException(ErrorCode.UNAVAILABLE,
            "channel owner or its backup unavailable, retry with the same key", null, null, RETRY_AFTER_MS));
      }
      return Future.succeededFuture((List<PublishReplies>) (List<?>) ar.result());
    });
  }

  /**
   * What follows a channel's part of an operation: a channel no node held is loaded from the store and
   * published to again; what the store has not confirmed is written to it; accepted publications are
   * fanned out, in order.
   */
  private Future<PublishReplies> finishPublish(ChannelId channel, List<PublishRequest> requests,
                                               PublishReplies replies, Context context, boolean mayLoad) {
    if (replies.absent()) {
      return mayLoad ? load(channel, context).compose(v -> submitPublish(channel, requests, context, false))
          : Future.failedFuture(storeUnavailable());
    }
    ChannelSettings s = settings.apply(channel.tenant());
    Future<Void> stored = replies.unstored() == null ? Future.succeededFuture()
        : writeToStore(channel, s, replies.epoch(), replies.unstored(), context);
    return stored.transform(w -> {
      if (w.failed()) {
        LOG.log(Level.FINE, "writing " + channel + " to the store failed", w.cause());
        return Future.failedFuture(storeUnavailable());
      }
      for (int i = 0; i < replies.outcomes().size(); i++) {
        if (replies.outcomes().get(i) instanceof PublishOutcome.Accepted accepted) {
          fanOut(channel, accepted.publication(), replies.nodes(), requests.get(i).traceparent());
        }
      }
      return Future.succeededFuture(replies);
    });
  }

  private static ProtocolException storeUnavailable() {
    return new ProtocolException(ErrorCode.UNAVAILABLE, "the channel store is unavailable, retry with the same key",
        null, null, RETRY_AFTER_MS);
  }

  /**
   * Writes what the store has not confirmed of a channel, then tells the owner (without waiting). Writes
   * of several nodes may overlap; the store skips what it holds. When the store holds less than the
   * first of them, another node's write may still be on its way: wait for it a little; past that, the
   * store lost what is missing, and its history starts again here.
   */
  private Future<Void> writeToStore(ChannelId channel, ChannelSettings s, String epoch,
                                    PublishReplies.Unstored unstored, Context context) {
    List<Publication> pubs = unstored.pubs();
    long[] at = new long[pubs.size()];
    java.util.Arrays.fill(at, System.currentTimeMillis());
    Promise<Void> done = VertxInternals.promise(context);
    writeToStore(channel, s, epoch, unstored, at, 0, done);
    return done.future().onSuccess(v -> onChannel(channel, new Stored(epoch, pubs.get(pubs.size() - 1).seq()),
        context));
  }

  private void writeToStore(ChannelId channel, ChannelSettings s, String epoch, PublishReplies.Unstored unstored,
                            long[] at, int attempt, Promise<Void> done) {
    boolean restart = attempt >= STORE_GAP_RETRIES;
    store.append(channel, s, epoch, unstored.pubs(), at, unstored.snapshot(), restart).onComplete(ar -> {
      if (ar.succeeded()) {
        done.tryComplete();
      } else if (ar.cause() instanceof LogStore.Gap && !restart) {
        vertx.setTimer(STORE_GAP_WAIT_MS << attempt,
            t -> writeToStore(channel, s, epoch, unstored, at, attempt + 1, done));
      } else {
        done.tryFail(ar.cause());
      }
    });
  }

  /** Installs a channel no node holds from what the store kept of it. */
  private Future<Void> load(ChannelId channel, Context context) {
    ChannelSettings s = settings.apply(channel.tenant());
    return store.load(channel, s, System.currentTimeMillis())
        .compose(stored -> onChannel(channel, new Restore(stored, s), context))
        .mapEmpty();
  }

  /**
   * One message per following node; this node's own followers get it without the network. A traced
   * publish's context goes along (field {@code tp}), only then.
   */
  private void fanOut(ChannelId channel, Publication p, Set<String> nodes, String traceparent) {
    JsonObject message = null;
    for (String node : nodes) {
      if (node.equals(nodeId)) {
        context.runOnContext(v -> onPublication(channel, p));
        continue;
      }
      if (message == null) {
        message = encode(channel, p);
        if (traceparent != null) {
          message.put("tp", traceparent);
        }
      }
      fanoutSent.incrementAndGet();
      vertx.eventBus().send(Addresses.fanout(node), message);
    }
  }

  static JsonObject encode(ChannelId channel, Publication p) {
    JsonObject m = new JsonObject().put("t", channel.tenant()).put("c", channel.name()).put("e", p.epoch())
        .put("s", p.seq());
    if (p.key() != null) {
      m.put("k", p.key());
    }
    return p.dataJson() != null ? m.put("d", p.dataJson()) : m.put("p", p.patchJson());
  }

  static Publication decode(JsonObject m) {
    return new Publication(m.getString("e"), m.getLong("s"), m.getString("k"), m.getString("d"), m.getString("p"));
  }

  /** A publication sent by the node that handled the publish. */
  void onFanout(Message<JsonObject> message) {
    fanoutReceived.incrementAndGet();
    JsonObject m = message.body();
    ChannelId channel = new ChannelId(m.getString("t"), m.getString("c"));
    Tracing tracing = Tracing.forNode();
    String traceparent = m.getString("tp");
    if (traceparent == null || !tracing.enabled()) {
      onPublication(channel, decode(m));
      return;
    }
    Span span = tracing.tracer().spanBuilder(Tracing.FANOUT_SPAN).setSpanKind(SpanKind.CONSUMER)
        .setParent(tracing.parentOf(traceparent)).setAttribute(Tracing.CHANNEL, channel.name())
        .setAttribute(Tracing.TENANT, channel.tenant()).setAttribute(Tracing.SEQ, m.getLong("s"))
        .setAttribute(Tracing.NODE, nodeId).startSpan();
    try {
      onPublication(channel, decode(m));
    } finally {
      span.end();
    }
  }

  // ---- subscribe ----

  @Override
  public Future<Position> subscribe(ChannelId channel, Since since, PublicationSink sink) {
    Promise<Position> promise = callerPromise();
    context.runOnContext(v -> {
      NodeChannel nc = channels.computeIfAbsent(channel, id -> new NodeChannel(id, ++follows));
      nc.sinks.merge(sink, 1, Integer::sum);
      position(nc, since).onComplete(ar -> {
        if (ar.failed()) {
          promise.fail(new ProtocolException(ErrorCode.UNAVAILABLE, "channel owner unavailable, retry", null, null,
              RETRY_AFTER_MS));
          return;
        }
        Position position = ar.result();
        NodeChannel current = channels.get(channel);
        if (current != null) {
          adopt(current, position, false);
        }
        promise.complete(position);
      });
    });
    return promise.future();
  }

  /**
   * Registers this node's follow of the channel with its owner and asks where the channel stands after
   * {@code since}; answered on the broker's context.
   */
  private Future<Position> position(NodeChannel nc, Since since) {
    return position(nc, since, true);
  }

  private Future<Position> position(NodeChannel nc, Since since, boolean mayLoad) {
    ChannelId channel = nc.id;
    return onChannel(channel, new Subscribe(nodeId, nc.follow, since, settings.apply(channel.tenant()), store != null),
        context)
        .compose(position -> {
          if (position != null) {
            return Future.succeededFuture(position);
          }
          // No node holds the channel: load it from the store first.
          return mayLoad ? load(channel, context).compose(v -> position(nc, since, false))
              : Future.failedFuture(storeUnavailable());
        });
  }

  @Override
  public void unsubscribe(ChannelId channel, PublicationSink sink) {
    context.runOnContext(v -> {
      NodeChannel nc = channels.get(channel);
      if (nc == null) {
        return;
      }
      nc.sinks.computeIfPresent(sink, (s, n) -> n > 1 ? n - 1 : null);
      if (nc.sinks.isEmpty()) {
        channels.remove(channel);
        if (nc.repairTimer >= 0) {
          vertx.cancelTimer(nc.repairTimer);
        }
        onChannel(channel, new RemoveNode(nodeId, nc.follow), context);
      }
    });
  }

  // ---- the node's stream of each channel ----

  /** Per channel this node follows: the position delivered so far and what arrived early. */
  private static final class NodeChannel {
    final ChannelId id;
    /** This follow of the channel by this node, from {@code follows}: what its subscribes and removal name. */
    final long follow;
    final Map<PublicationSink, Integer> sinks = new HashMap<>();
    final TreeMap<Long, Publication> early = new TreeMap<>();
    String epoch;
    long lastSeq;
    long repairTimer = -1;
    boolean resyncing;
    /** The highest seq an owner announced in this node's epoch: what this node must reach. */
    long announcedSeq;

    NodeChannel(ChannelId id, long follow) {
      this.id = id;
      this.follow = follow;
    }
  }

  private void onPublication(ChannelId channel, Publication p) {
    NodeChannel nc = channels.get(channel);
    if (nc == null) {
      disown(channel);
      return;
    }
    if (nc.epoch != null && !nc.epoch.equals(p.epoch())) {
      // Another epoch: this node's position means nothing there; find out where the channel stands.
      resync(nc);
      nc.early.put(p.seq(), p);
      return;
    }
    if (nc.epoch != null && p.seq() <= nc.lastSeq) {
      return;
    }
    nc.early.put(p.seq(), p);
    deliverInOrder(nc);
  }

  private void deliverInOrder(NodeChannel nc) {
    if (nc.epoch == null) {
      return;
    }
    while (!nc.early.isEmpty()) {
      Map.Entry<Long, Publication> first = nc.early.firstEntry();
      Publication p = first.getValue();
      if (!p.epoch().equals(nc.epoch) || p.seq() <= nc.lastSeq) {
        nc.early.pollFirstEntry();
      } else if (p.seq() == nc.lastSeq + 1) {
        nc.early.pollFirstEntry();
        deliver(nc, p);
      } else {
        scheduleRepair(nc);
        return;
      }
    }
  }

  private void deliver(NodeChannel nc, Publication p) {
    nc.lastSeq = p.seq();
    OutboundPublication out = OutboundPublication.of(nc.id, p);
    for (PublicationSink sink : nc.sinks.keySet()) {
      sink.deliver(nc.id, out);
    }
  }

  private void scheduleRepair(NodeChannel nc) {
    if (nc.repairTimer >= 0 || nc.resyncing) {
      return;
    }
    nc.repairTimer = vertx.setTimer(Math.max(1, repairDelayMs), t -> {
      nc.repairTimer = -1;
      if (channels.get(nc.id) == nc && (!nc.early.isEmpty() || nc.lastSeq < nc.announcedSeq)) {
        resync(nc);
      }
    });
  }

  /** Asks the owner where the channel stands after this node's position, and catches up. */
  private void resync(NodeChannel nc) {
    if (nc.resyncing) {
      return;
    }
    nc.resyncing = true;
    repairs.incrementAndGet();
    Since since = nc.epoch == null ? Since.NONE : new Since(nc.epoch, nc.lastSeq);
    position(nc, since).onComplete(ar -> {
      nc.resyncing = false;
      if (channels.get(nc.id) != nc) {
        return;
      }
      if (ar.failed()) {
        scheduleRepair(nc);
        return;
      }
      adopt(nc, ar.result(), true);
    });
  }

  /**
   * Takes the owner's answer about where the channel stands. From a resync ({@code repair}), a replay
   * fills this node's gap; without one, this node's subscribers are reset. A first answer fixes the
   * node's starting point.
   */
  private void adopt(NodeChannel nc, Position position, boolean repair) {
    if (nc.epoch == null) {
      nc.epoch = position.epoch();
      nc.lastSeq = position.seq();
    } else if (!nc.epoch.equals(position.epoch())) {
      reset(nc, "epoch_changed");
      nc.epoch = position.epoch();
      nc.lastSeq = position.seq();
      nc.announcedSeq = 0;
    } else if (repair) {
      if (position.recovered()) {
        for (Publication p : position.pubs()) {
          if (p.seq() == nc.lastSeq + 1) {
            deliver(nc, p);
          }
        }
      } else if (position.seq() > nc.lastSeq) {
        reset(nc, "history_lost");
        nc.lastSeq = position.seq();
      }
    }
    deliverInOrder(nc);
  }

  private void reset(NodeChannel nc, String reason) {
    resets.incrementAndGet();
    nc.early.clear();
    for (PublicationSink sink : nc.sinks.keySet()) {
      sink.reset(nc.id, reason);
    }
  }

  /** An owner's positions of channels this node follows: catch up where this node is behind. */
  void onAnnounce(Message<JsonArray> message) {
    onAnnounce(message.body());
  }

  void onAnnounce(JsonArray positions) {
    for (Object item : positions) {
      JsonArray a = (JsonArray) item;
      ChannelId channel = new ChannelId(a.getString(0), a.getString(1));
      NodeChannel nc = channels.get(channel);
      if (nc == null) {
        disown(channel);
        continue;
      }
      if (nc.epoch == null) {
        continue;
      }
      if (!nc.epoch.equals(a.getString(2))) {
        resync(nc);
      } else if (a.getLong(3) > nc.lastSeq) {
        // Under load the owner is always a little ahead of what has reached this node: repair only
        // what is still missing once the publications in flight had their time to arrive.
        nc.announcedSeq = Math.max(nc.announcedSeq, a.getLong(3));
        scheduleRepair(nc);
      }
    }
  }

  /**
   * The owner sent a channel this node does not follow: it still lists the node, from a removal in flight
   * or from a follow whose subscribe landed after its own removal (a retried invocation), which would stay
   * until the node leaves. Take the node off, naming the latest follow numbered: every registration of the
   * node for the channel is then stale, and a follow started since has a higher number and stays. One
   * removal per channel at a time.
   */
  private void disown(ChannelId channel) {
    if (disowning.add(channel)) {
      onChannel(channel, new RemoveNode(nodeId, follows), context)
          .onComplete(ar -> disowning.remove(channel));
    }
  }

  /** A member left: channels it owned moved; check every channel this node follows. */
  void onMemberLeft() {
    for (NodeChannel nc : new ArrayList<>(channels.values())) {
      if (nc.epoch != null) {
        resync(nc);
      }
    }
  }

  // ---- admin ----

  @Override
  public Future<List<ChannelInfo>> channels(String tenant) {
    Promise<List<ChannelInfo>> promise = callerPromise();
    blocking.<Map<String, HashMap<String, Summary>>>executeBlocking(() ->
        map.executeOnEntries(EveryChannel.ofTenant(tenant, new Describe(false))))
        .onComplete(ar -> {
          if (ar.failed()) {
            promise.fail(ar.cause());
            return;
          }
          List<ChannelInfo> out = new ArrayList<>();
          ar.result().values().forEach(group -> group.values().forEach(s -> {
            if (s != null) {
              out.add(new ChannelInfo(s.channel(), s.epoch(), s.seq(), s.nodes()));
            }
          }));
          out.sort(java.util.Comparator.comparing(ChannelInfo::channel));
          promise.complete(out);
        });
    return promise.future();
  }

  @Override
  public Future<ChannelDetail> channel(ChannelId channel) {
    return onChannel(channel, new Describe(true), callerContext()).transform(ar -> {
      if (ar.failed()) {
        return Future.failedFuture(new ProtocolException(ErrorCode.UNAVAILABLE, "channel owner unavailable"));
      }
      Summary s = ar.result();
      if (s == null) {
        return Future.failedFuture(new ProtocolException(ErrorCode.NOT_FOUND, "no such channel"));
      }
      return Future.succeededFuture(new ChannelDetail(new ChannelInfo(s.channel(), s.epoch(), s.seq(), s.nodes()),
          s.snapshotJson(), owner(channel)));
    });
  }

  /** The name of the node that owns {@code channel} now: the owner of its group's partition. */
  String owner(ChannelId channel) {
    var member = hazelcast.getPartitionService().getPartition(groups.key(channel)).getOwner();
    return member == null ? null : member.getAttribute(HazelcastConfigs.NODE_NAME_ATTRIBUTE);
  }

  /** Counters of this node's cluster traffic, for the admin API and tests. */
  public JsonObject stats() {
    return new JsonObject().put("fanoutSent", fanoutSent.get()).put("fanoutReceived", fanoutReceived.get())
        .put("repairs", repairs.get()).put("resets", resets.get()).put("publishOperations", publishOperations.get());
  }

  private <T> Promise<T> callerPromise() {
    return VertxInternals.promise(callerContext());
  }

  private Context callerContext() {
    return vertx.getOrCreateContext();
  }

  /** Runs {@code action} on the broker's event loop: at once when already there. */
  private void onBrokerContext(Runnable action) {
    if (Context.isOnEventLoopThread() && vertx.getOrCreateContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }
}
