package dev.syncwire.bench;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/** What the client workload measured: windows of a subscriber at one rate, and runs through the outbox. */
final class ClientFigures {
  /** The highest p99 at which a rate holds, as for the fan-out's peak and the bridge. */
  static final long MAX_P99_MICROS = 50_000;

  private ClientFigures() {
  }

  /** A subscriber the workload measures: the client on a transport and encoding, or the raw subscriber. */
  enum Subscriber {
    CLIENT_JSON("client, JSON, WebSocket", "client", "websocket", "json"),
    CLIENT_PROTOBUF("client, protobuf, WebSocket", "client", "websocket", "protobuf"),
    CLIENT_SSE("client, SSE", "client", "sse", "json"),
    RAW("raw subscriber, JSON, WebSocket", "raw", "websocket", "json");

    final String label;
    final String kind;
    final String transport;
    final String encoding;

    Subscriber(String label, String kind, String transport, String encoding) {
      this.label = label;
      this.kind = kind;
      this.transport = transport;
      this.encoding = encoding;
    }

    String id() {
      return name().toLowerCase().replace('_', '-');
    }
  }

  /**
   * One window at one offered rate. {@code applied} counts what the subscriber applied by the end of the CPU
   * window; latencies (µs, from each publication's due time) cover everything of the window, late ones
   * included; {@code probeCpuSeconds} is the subscriber's JVM's CPU time over the window.
   */
  record Window(double offered, int sent, long applied, long p50, long p99, long p999, long sendLagP99,
                CpuWindow.Measured cpu, double probeCpuSeconds, boolean inTime, long missing, long repeated,
                long interruptions, String firstInterruption) {

    double appliedPerSecond() {
      return applied / cpu.seconds();
    }

    double probeMicrosPerApplied() {
      return applied == 0 ? Double.NaN : probeCpuSeconds * 1e6 / applied;
    }

    double probeShare() {
      return probeCpuSeconds / cpu.seconds();
    }

    /** What else ran on the load generator's CPU: the probe shares it, so it is taken out. */
    double othersOnClientCpu() {
      return Math.max(0, cpu.clientCpuOthersShare() - probeShare());
    }

    /** Everything applied within 2 s of the last send, once each and in order, without a reset or reconnect. */
    boolean complete() {
      return inTime && applied == sent && missing == 0 && repeated == 0 && interruptions == 0;
    }

    boolean held() {
      return complete() && p99 <= MAX_P99_MICROS;
    }

    String verdict() {
      if (held()) {
        return "held";
      }
      List<String> why = new ArrayList<>();
      if (!inTime) {
        why.add("backlog");
      }
      if (p99 > MAX_P99_MICROS) {
        why.add("p99 over " + MAX_P99_MICROS / 1000 + " ms");
      }
      if (missing > 0) {
        why.add(missing + " missing");
      }
      if (repeated > 0) {
        why.add(repeated + " repeated");
      }
      if (interruptions > 0) {
        why.add(interruptions + " interruptions (" + firstInterruption + ")");
      }
      return String.join(", ", why);
    }
  }

  /**
   * One subscriber's windows: at the fixed rates, then the ladder, whose rates each have the verdict of their last
   * window; {@code retried} are the ladder's windows that did not hold and were run again; {@code drain} the
   * backlog applied after a stop. {@code failure} says why some are missing.
   */
  record SubscriberRun(Subscriber subscriber, List<Window> fixed, List<Window> ladder, List<Window> retried,
                       Window drain, String probe, String failure) {
    Window atMax() {
      return ladder.stream().filter(Window::held).reduce((a, b) -> b).orElse(null);
    }

    Window firstFailed() {
      return ladder.stream().filter(w -> !w.held()).findFirst().orElse(null);
    }

    /** Every measured window, retried ones included: what the integrity row counts. */
    List<Window> all() {
      List<Window> all = new ArrayList<>(fixed);
      all.addAll(ladder);
      all.addAll(retried);
      if (drain != null) {
        all.add(drain);
      }
      return all;
    }
  }

  /**
   * One run of publications through the outbox: {@code run} is the probe's answer (acked, seconds, checks),
   * {@code probeCpuSeconds} its JVM's CPU time over the run, {@code fileBytes} the store's size after it.
   */
  record OutboxCase(boolean durable, int maxInFlight, JsonObject run, CpuWindow.Measured cpu, double probeCpuSeconds,
                    long fileBytes, String probe, String failure) {
    static OutboxCase failed(boolean durable, int maxInFlight, String why) {
      return new OutboxCase(durable, maxInFlight, null, null, 0, 0, null, why);
    }

    long acked() {
      return run.getLong("acked");
    }

    double acksPerSecond() {
      return acked() / run.getDouble("seconds");
    }

    double probeMicrosPerPublish() {
      return probeCpuSeconds * 1e6 / acked();
    }

    double probeShare() {
      return probeCpuSeconds / cpu.seconds();
    }

    double serverMicrosPerPublish() {
      return cpu.serverCpuSeconds() * 1e6 / acked();
    }

    /** What voids the figures: publications not acked, a seq taken twice or left out, a duplicate. */
    List<String> problems() {
      List<String> problems = new ArrayList<>(problemsOf(run));
      if (failure != null) {
        problems.add(failure);
      }
      return problems;
    }

    /** The problems of one answer of the probe to {@code run N}. */
    static List<String> problemsOf(JsonObject run) {
      List<String> problems = new ArrayList<>();
      if (run.getLong("failed") > 0) {
        problems.add(run.getLong("failed") + " failed (" + run.getString("firstFailure") + ")");
      }
      if (run.getLong("repeatedSeqs") > 0 || run.getLong("holes") > 0 || run.getLong("duplicates") > 0) {
        problems.add(String.format("acks: %d seqs repeated, %d holes, %d duplicates", run.getLong("repeatedSeqs"),
            run.getLong("holes"), run.getLong("duplicates")));
      }
      if (run.getLong("pendingAfter", 0L) > 0) {
        problems.add(run.getLong("pendingAfter") + " still pending after the run");
      }
      return problems;
    }

    boolean valid() {
      return run != null && problems().isEmpty();
    }
  }

  record Result(List<SubscriberRun> subscribers, List<OutboxCase> outbox, List<String> servers,
                List<String> probes) {
  }
}
