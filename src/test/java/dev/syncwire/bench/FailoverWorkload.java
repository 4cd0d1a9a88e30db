package dev.syncwire.bench;

import dev.syncwire.testing.NodeGroup;
import dev.syncwire.testing.NodeProcess;
import dev.syncwire.testing.PublicationListener;
import dev.syncwire.testing.SocketEvents;
import dev.syncwire.testing.SyncwireProtocol;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Failover of a channel's owner: a publisher on a surviving node publishes at a steady rate (open loop,
 * every publish with an idempotency key) to a channel whose owner is then killed with {@code kill -9};
 * subscribers sit on the surviving nodes. Measures the time from the kill to the first delivery of a
 * publication sent after it, how many publishes waited for their ack meanwhile, and checks that every
 * publication still reached every subscriber once and in order, in the same epoch.
 */
final class FailoverWorkload {
  private final Loop loop;
  private final List<String> sources;
  private final GatewayProfile profile;
  private final String tenant;

  FailoverWorkload(Loop loop, List<String> sources, GatewayProfile profile, String tenant) {
    this.loop = loop;
    this.sources = sources;
    this.profile = profile;
    this.tenant = tenant;
  }

  /** Times in milliseconds from the kill; -1 when it never happened. */
  /**
   * Times in milliseconds from the kill; -1 when it never happened. {@code seqGaps}, {@code seqBackwards}
   * and {@code epochChanges} are breaches of the channel's order as subscribers saw it; {@code reordered}
   * counts publications that took their seq in another order than the publisher sent them.
   */
  record Result(String channel, String killed, String newOwner, boolean epochKept, String publisherNode,
                int subscribers, double pubsPerSecond, double firstNewDeliveryMillis, double firstDeliveryMillis,
                double memberDroppedMillis, double longestGapMillis, long maxWaiting, int sent, long acks,
                long ackP99, long ackMax, long lost, long duplicates, long seqGaps, long seqBackwards,
                long epochChanges, long reordered, String problems, String failure, String loadBefore,
                String loadAfter) {

    static Result failed(String why) {
      return new Result(null, null, null, false, null, 0, 0, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "", why,
          "", "");
    }

    boolean lossFree() {
      return failure == null && lost == 0 && duplicates == 0 && seqGaps == 0 && seqBackwards == 0 && epochChanges == 0
          && acks == sent && problems.isEmpty() && epochKept;
    }
  }

  Result run(NodeGroup cluster) {
    NodeProcess first = cluster.live().get(0);
    String channel = ClusterWorkload.channelOwnedBy(first, tenant, "failover", owner -> true);
    JsonObject before = new JsonObject(first.admin("/api/v1/channels/" + tenant + "/" + channel));
    NodeProcess owner = cluster.node(before.getString("owner"));
    List<NodeProcess> survivors = cluster.live().stream().filter(n -> n != owner).toList();
    int subscriberCount = profile.failoverSubscribersPerNode() * survivors.size();
    Target target = Target.of("survivors", survivors, new SyncwireProtocol(tenant, true));
    Log.line("failover: channel %s owned by %s; publisher on %s, %d subscribers on %s", channel, owner.name,
        survivors.get(0).name, subscriberCount, survivors.stream().map(n -> n.name).toList());

    SocketEvents events = new SocketEvents();
    SocketEvents publisherEvents = new SocketEvents();
    DeliveryTracker tracker = new DeliveryTracker(subscriberCount);
    Watch watch = new Watch(tracker, subscriberCount);
    Connector connector = new Connector(loop.vertx(), sources);
    SubscriberTransport.Subscribers subscribers = loop.await(() -> new WebSocketSubscribers(loop.vertx(), sources)
        .open(target, subscriberCount, subscriberCount, channel, events, watch));
    try {
      if (subscribers.failures() > 0) {
        return Result.failed(subscribers.failures() + " subscribers failed to join: " + subscribers.firstFailure());
      }
      Connector.Opened publisherSocket = loop.await(() -> connector.open(target, -1, 1, 1, i -> null,
          publisherEvents, null));
      if (publisherSocket.failures() > 0) {
        return Result.failed("the publisher failed to connect: " + publisherSocket.firstFailure());
      }
      OpenLoopPublisher publisher = loop.read(() -> new OpenLoopPublisher(loop.vertx(),
          publisherSocket.sockets().get(0), target.protocol(), channel));
      double rate = profile.failoverPubsPerSecond();
      // Long enough for any failover this workload waits for; stopped once the figures are in.
      double maxSeconds = profile.failoverBeforeKillSeconds() + 120;
      Phase phase = loop.read(() -> {
        Phase p = publisher.plan("failover", rate, maxSeconds, subscriberCount);
        tracker.startPhase(p);
        return p;
      });
      AtomicReference<Future<Void>> publishing = new AtomicReference<>();
      loop.read(() -> {
        publishing.set(publisher.run(phase));
        return null;
      });
      Loop.pause((long) (profile.failoverBeforeKillSeconds() * 1000));

      String loadBefore = BoxFacts.loadAverage();
      long killNanos = System.nanoTime();
      loop.read(() -> {
        watch.killNanos = killNanos;
        return null;
      });
      owner.kill();
      Log.line("failover: killed %s (kill -9)", owner);

      long maxWaiting = 0;
      double memberDropped = -1;
      long deadline = killNanos + 90_000_000_000L;
      long resumedAt = 0;
      NodeProcess observer = survivors.get(survivors.size() - 1);
      long nextMemberCheck = 0;
      while (System.nanoTime() < deadline) {
        long waiting = loop.read(() -> phase.sent - publisherEvents.acks);
        maxWaiting = Math.max(maxWaiting, waiting);
        long now = System.nanoTime();
        if (memberDropped < 0 && now >= nextMemberCheck) {
          if (members(observer) < cluster.nodes().size()) {
            memberDropped = (System.nanoTime() - killNanos) / 1e6;
          }
          nextMemberCheck = now + 100_000_000L;
        }
        if (resumedAt == 0 && loop.read(() -> watch.firstNewDelivery) > 0) {
          resumedAt = now;
        }
        if (resumedAt > 0 && memberDropped >= 0
            && now - resumedAt > (long) (profile.failoverAfterResumeSeconds() * 1e9)) {
          break;
        }
        Loop.pause(10);
      }
      loop.read(() -> {
        publisher.stop();
        return null;
      });
      loop.await(publishing::get);
      awaitAll(phase, publisherEvents);
      String loadAfter = BoxFacts.loadAverage();

      JsonObject after = new JsonObject(survivors.get(0).admin("/api/v1/channels/" + tenant + "/" + channel));
      long lost = loop.read(() -> phase.expected() - phase.delivered);
      String problems = loop.read(() -> (events.problems() > 0 ? "subscribers: " + events + "; " : "")
          + (publisherEvents.problems() > 0 ? "publisher: " + publisherEvents : ""));
      long waitingMax = maxWaiting;
      double dropped = memberDropped;
      Result result = loop.read(() -> new Result(channel, owner.name, after.getString("owner"),
          before.getString("epoch").equals(after.getString("epoch")), survivors.get(0).name, subscriberCount, rate,
          millisAfter(watch.firstNewDelivery, killNanos), millisAfter(watch.firstDeliveryAfterKill, killNanos),
          dropped, watch.longestGapNanos / 1e6, waitingMax, phase.sent, publisherEvents.acks,
          phase.ackLatency.getValueAtPercentile(99), phase.ackLatency.getMaxValue(), lost, tracker.duplicates,
          watch.seqGaps, watch.seqBackwards, watch.epochChanges, tracker.orderBreaks, problems, null, loadBefore,
          loadAfter));
      Log.line("failover: first delivery of a publication sent after the kill %.0f ms after it (first delivery of any"
              + " %.0f ms); %s dropped from the members after %.0f ms; longest gap between deliveries %.0f ms; up to %d"
              + " publishes waited for their ack; %d sent, %d acked, ack p99 %.0f ms, max %.0f ms; %d lost, %d duplicated,"
              + " %d seq gaps, %d seqs backwards, %d epoch changes seen; %d deliveries in another order than published;"
              + " owner %s -> %s, epoch %s; %d publishes refused as unavailable and sent again with their key%s",
          result.firstNewDeliveryMillis(),
          result.firstDeliveryMillis(), owner.name, memberDropped, result.longestGapMillis(), maxWaiting, result.sent(),
          result.acks(), result.ackP99() / 1e3, result.ackMax() / 1e3, lost, result.duplicates(), result.seqGaps(),
          result.seqBackwards(), result.epochChanges(), result.reordered(), owner.name, result.newOwner(),
          result.epochKept() ? "kept" : "CHANGED", loop.read(() -> publisherEvents.retried),
          problems.isEmpty() ? "" : "; " + problems);
      return result;
    } finally {
      loop.await(connector::closeAll);
      loop.await(subscribers::close);
    }
  }

  /** The members {@code node} lists; a node too busy to answer in time still counts them all. */
  private static int members(NodeProcess node) {
    try {
      return new JsonObject(node.admin("/info")).getJsonArray("members").size();
    } catch (IllegalStateException e) {
      return Integer.MAX_VALUE;
    }
  }

  private static double millisAfter(long nanos, long killNanos) {
    return nanos == 0 ? -1 : (nanos - killNanos) / 1e6;
  }

  /** Waits for every delivery and every ack of the publications sent (up to 60 s). */
  private void awaitAll(Phase phase, SocketEvents publisherEvents) {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (loop.read(() -> phase.complete() && publisherEvents.acks >= phase.sent)) {
        return;
      }
      Loop.pause(10);
    }
  }

  /**
   * Passes deliveries on to the tracker, times them against the kill, and checks each subscriber's
   * channel positions: consecutive seqs in one epoch (the protocol's promise). The tracker checks the
   * publisher's own numbering; publishes in flight during the failover may take their seqs in another
   * order than they were sent, which the protocol allows. Lives on the loop.
   */
  private static final class Watch implements PublicationListener {
    private static final String SEQ_FIELD = "\"seq\":";
    private static final String EPOCH_FIELD = "\"epoch\":\"";
    private final DeliveryTracker tracker;
    private final Payload payload = new Payload();
    private final long[] lastSeq;
    private String epoch;
    long killNanos = Long.MAX_VALUE;
    long firstDeliveryAfterKill;
    long firstNewDelivery;
    long lastDelivery;
    long longestGapNanos;
    long seqGaps;
    long seqBackwards;
    long epochChanges;

    Watch(DeliveryTracker tracker, int subscribers) {
      this.tracker = tracker;
      this.lastSeq = new long[subscribers];
    }

    private void checkPosition(int subscriber, String frame) {
      int e = frame.indexOf(EPOCH_FIELD);
      String pubEpoch = e < 0 ? null : frame.substring(e + EPOCH_FIELD.length(), frame.indexOf('"', e + EPOCH_FIELD.length()));
      if (epoch == null) {
        epoch = pubEpoch;
      } else if (!epoch.equals(pubEpoch)) {
        epochChanges++;
      }
      long seq = Payload.parseLong(frame, frame.indexOf(SEQ_FIELD) + SEQ_FIELD.length());
      long last = lastSeq[subscriber];
      if (last > 0 && seq <= last) {
        seqBackwards++;
      } else if (last > 0 && seq > last + 1) {
        seqGaps++;
      }
      lastSeq[subscriber] = Math.max(last, seq);
    }

    @Override
    public void onPublication(int subscriber, String frame) {
      long now = System.nanoTime();
      tracker.onPublication(subscriber, frame);
      checkPosition(subscriber, frame);
      if (lastDelivery > 0) {
        longestGapNanos = Math.max(longestGapNanos, now - lastDelivery);
      }
      lastDelivery = now;
      if (now > killNanos && firstDeliveryAfterKill == 0) {
        firstDeliveryAfterKill = now;
      }
      if (firstNewDelivery == 0 && payload.read(frame) && payload.intendedNanos > killNanos) {
        firstNewDelivery = now;
      }
    }
  }
}
