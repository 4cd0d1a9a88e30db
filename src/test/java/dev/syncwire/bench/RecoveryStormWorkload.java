package dev.syncwire.bench;

import dev.syncwire.testing.JvmProcess;
import dev.syncwire.testing.LoadSocket;
import dev.syncwire.testing.NodeProcess;
import dev.syncwire.testing.SocketEvents;
import dev.syncwire.testing.SyncwireProtocol;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;

/**
 * The recovery storm, on one Syncwire node: N clients subscribed to one channel record their position,
 * all disconnect, the publisher publishes M publications to that channel, then all N reconnect at once
 * and resubscribe with {@code since}. The figure is the time from the first reconnect attempt to the last
 * client holding {@code recovered:true} with all M in order; any client that got {@code recovered:false}
 * or missed one voids it. During the storm the node's heap is sampled (see {@link HeapSampler}) and its
 * CPU measured. Each round uses a channel of its own; the first round warms the node up.
 */
final class RecoveryStormWorkload {
  private final Loop loop;
  private final List<String> sources;
  private final GatewayProfile profile;
  private final JvmProcess self;
  private final String tenant;

  RecoveryStormWorkload(Loop loop, List<String> sources, GatewayProfile profile, JvmProcess self, String tenant) {
    this.loop = loop;
    this.sources = sources;
    this.profile = profile;
    this.self = self;
    this.tenant = tenant;
  }

  /** One storm. Heap figures in bytes, join times in microseconds. */
  record Round(String label, int clients, int publications, double seconds, long p50, long p99, long max,
               int complete, int notRecovered, int incomplete, int failed, String firstProblem,
               CpuWindow.Measured cpu, HeapSampler.Peak heap, long heapSubscribed, long heapBeforeStorm,
               long heapAfterStorm, String loadBefore, String loadAfter) {

    boolean valid() {
      return complete == clients;
    }

    double serverCpuMicrosPerClient() {
      return cpu.serverCpuSeconds() * 1e6 / clients;
    }

    double replayedPerServerCpuSecond() {
      return cpu.serverCpuSeconds() > 0 ? (double) complete * publications / cpu.serverCpuSeconds() : Double.NaN;
    }
  }

  List<Round> run(NodeProcess node) {
    List<Round> rounds = new ArrayList<>();
    rounds.add(round(node, "warm-up", "recovery-0"));
    for (int r = 1; r <= profile.recoveryRounds(); r++) {
      rounds.add(round(node, "round " + r, "recovery-" + r));
    }
    return rounds;
  }

  private Round round(NodeProcess node, String label, String channel) {
    int clients = profile.recoveryClients();
    int publications = profile.recoveryPublications();
    Target target = Target.of("Syncwire", List.of(node), null);
    RecoveryProtocol protocol = new RecoveryProtocol(tenant, clients);
    Target recovering = target.withProtocol(protocol);
    SocketEvents events = new SocketEvents();

    // 1. Subscribe and record the positions.
    Connector first = new Connector(loop.vertx(), sources);
    Connector.Opened subscribed = loop.await(() -> first.open(recovering, 0, clients, profile.fanOut().connectWindow(),
        i -> channel, events, null));
    if (subscribed.failures() > 0) {
      loop.await(first::closeAll);
      throw new IllegalStateException(subscribed.failures() + " clients failed to subscribe: " + subscribed.firstFailure());
    }
    long heapSubscribed = HeapSampler.afterFullGc(node.jvm(), node.gcLog());

    // 2. Everyone leaves; wait until the node has dropped every subscription.
    loop.await(first::closeAll);
    awaitSubscribers(node, channel, 0);

    // 3. The missed publications.
    publish(target, channel, publications);
    long heapBefore = HeapSampler.afterFullGc(node.jvm(), node.gcLog());

    // 4. The storm: everyone back at once, resubscribing with since.
    loop.read(() -> {
      protocol.resume();
      return null;
    });
    Connector storm = new Connector(loop.vertx(), sources);
    Histogram joinTimes = new Histogram(3);
    String loadBefore = BoxFacts.loadAverage();
    HeapSampler sampler = HeapSampler.start(node.jvm(), node.gcLog());
    CpuWindow window = CpuWindow.start(node.jvm(), self);
    Connector.Opened back;
    try {
      back = loop.await(() -> storm.open(recovering, 0, clients, clients, i -> channel, events, joinTimes));
    } catch (RuntimeException e) {
      sampler.close();
      throw e;
    }
    CpuWindow.Measured cpu = window.stop();
    HeapSampler.Peak heap = sampler.stop();
    String loadAfter = BoxFacts.loadAverage();
    long heapAfter = HeapSampler.afterFullGc(node.jvm(), node.gcLog());

    int complete = 0;
    int notRecovered = 0;
    int incomplete = 0;
    String firstProblem = back.firstFailure();
    for (int i = 0; i < clients; i++) {
      int client = i;
      RecoveryProtocol.Outcome o = loop.read(() -> protocol.outcome(client));
      if (o == null) {
        continue;
      }
      if (o.complete(publications)) {
        complete++;
      } else if (!o.recovered()) {
        notRecovered++;
        firstProblem = firstProblem == null ? "client " + i + ": recovered:false" : firstProblem;
      } else {
        incomplete++;
        firstProblem = firstProblem == null ? "client " + i + ": " + o.pubs() + " pubs, " + o.problem() : firstProblem;
      }
    }
    String socketProblems = loop.read(() -> events.problems() > 0 ? events.toString() : null);
    if (firstProblem == null) {
      firstProblem = socketProblems;
    }
    Round round = new Round(label, clients, publications, back.seconds(), joinTimes.getValueAtPercentile(50),
        joinTimes.getValueAtPercentile(99), joinTimes.getMaxValue(), complete, notRecovered, incomplete,
        back.failures(), firstProblem, cpu, heap, heapSubscribed, heapBefore, heapAfter, loadBefore, loadAfter);
    Log.line("recovery %s: %,d of %,d clients recovered all %d in %.0f ms (p50 %.1f ms, p99 %.1f ms), %d recovered:false,"
            + " %d incomplete, %d failed; server CPU %.0f ms (%.0f us per client); heap peak %.1f MiB, %d young + %d"
            + " full GCs, longest pause %.1f ms; heap after GC %.1f / %.1f / %.1f MiB; client CPU %.0f%%; load %s -> %s%s",
        label, complete, clients, publications, back.seconds() * 1e3, round.p50() / 1e3, round.p99() / 1e3, notRecovered,
        incomplete, back.failures(), cpu.serverCpuSeconds() * 1e3, round.serverCpuMicrosPerClient(),
        heap.usedBytes() / 1048576.0, heap.youngGcs(), heap.fullGcs(), heap.longestPauseMillis(),
        heapSubscribed / 1048576.0, heapBefore / 1048576.0, heapAfter / 1048576.0, 100 * cpu.clientShare(), loadBefore,
        loadAfter, firstProblem == null ? "" : "; first problem: " + firstProblem);

    loop.await(storm::closeAll);
    awaitSubscribers(node, channel, 0);
    return round;
  }

  /** Publishes {@code count} payloads (all sent at once, so the replay is what costs) and waits for every ack. */
  private void publish(Target target, String channel, int count) {
    Connector connector = new Connector(loop.vertx(), sources);
    SocketEvents publisherEvents = new SocketEvents();
    try {
      Connector.Opened publisher = loop.await(() -> connector.open(target.withProtocol(new SyncwireProtocol(tenant)),
          -1, 1, 1, i -> null, publisherEvents, null));
      if (publisher.failures() > 0) {
        throw new IllegalStateException("the publisher failed to connect: " + publisher.firstFailure());
      }
      SyncwireProtocol protocol = new SyncwireProtocol(tenant);
      loop.read(() -> {
        LoadSocket socket = publisher.sockets().get(0);
        for (int n = 1; n <= count; n++) {
          socket.send(protocol.publishFrame(1000 + n, channel, Payload.encode(n, System.nanoTime())));
        }
        return null;
      });
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (loop.read(() -> publisherEvents.acks) < count) {
        if (System.nanoTime() > deadline || loop.read(() -> publisherEvents.problems()) > 0) {
          throw new IllegalStateException("publishing failed: " + loop.read(() -> publisherEvents.acks) + " acks of "
              + count + "; " + loop.read(publisherEvents::toString));
        }
        Loop.pause(10);
      }
    } finally {
      loop.await(connector::closeAll);
    }
  }

  private void awaitSubscribers(NodeProcess node, String channel, int expected) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    int subscribers = -1;
    while (System.nanoTime() < deadline) {
      subscribers = new JsonObject(node.admin("/api/v1/channels/" + tenant + "/" + channel)).getInteger("subscribers");
      if (subscribers == expected) {
        return;
      }
      Loop.pause(50);
    }
    throw new IllegalStateException(channel + " still has " + subscribers + " subscribers, expected " + expected);
  }
}
