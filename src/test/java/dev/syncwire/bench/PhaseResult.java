package dev.syncwire.bench;

/**
 * What one publishing phase measured, frozen once its deliveries have arrived (or stopped arriving).
 * Latencies in microseconds; the CPU window runs from the first send until every delivery arrived or the
 * drain deadline passed, and the rates use the same window. The ack latency is publish-to-ack, for targets
 * that acknowledge publishes; {@code httpRequests} counts the subscribers' downstream HTTP requests in the
 * window (long-polling: one per poll; 0 over WebSocket).
 */
record PhaseResult(String label, double offeredPubsPerSecond, int subscribers, int sent, long delivered,
                   long deliveredWhileSending, long lost, CpuWindow.Measured cpu, long p50, long p99, long p999,
                   long max, long firstThirdP50, long lastThirdP50, long sendLagP99, boolean drainedInTime,
                   long socketProblems, long acked, long ackP50, long ackP99, long ackP999, long httpRequests) {

  /** A queue that keeps growing: the last third of the messages waited much longer than the first. */
  private static final long GROWTH_SLACK_MICROS = 5_000;
  /** Past this p99 a rate is not "sustained", whatever the trend. */
  private static final long P99_CEILING_MICROS = 1_000_000;
  /** Share of the deliveries that must have arrived by the time the last message is sent. */
  private static final double MIN_KEEP_UP = 0.9;

  double offeredDeliveriesPerSecond() {
    return offeredPubsPerSecond * subscribers;
  }

  double deliveriesPerSecond() {
    return delivered / cpu.seconds();
  }

  double deliveriesPerServerCpuSecond() {
    return cpu.serverCpuSeconds() > 0 ? delivered / cpu.serverCpuSeconds() : Double.NaN;
  }

  double serverCpuShare() {
    return cpu.serverShare();
  }

  double clientCpuShare() {
    return cpu.clientShare();
  }

  /** Deliveries that arrived while publishing, against all the phase's deliveries; about 1 when keeping up. */
  double keepUp() {
    long expected = (long) sent * subscribers;
    return expected == 0 ? 1 : deliveredWhileSending / (double) expected;
  }

  boolean latencyGrowing() {
    return lastThirdP50 > 2 * firstThirdP50 + GROWTH_SLACK_MICROS;
  }

  boolean clean() {
    return lost == 0 && socketProblems == 0;
  }

  /** The rate held: nothing lost, everything arrived promptly, latency flat across the phase. */
  boolean sustained() {
    return clean() && drainedInTime && keepUp() >= MIN_KEEP_UP && !latencyGrowing() && p99 < P99_CEILING_MICROS;
  }

  String verdict() {
    if (!clean()) {
      return "LOSS (" + lost + " lost, " + socketProblems + " socket problems)";
    }
    if (!drainedInTime || keepUp() < MIN_KEEP_UP) {
      return "backlog";
    }
    if (latencyGrowing()) {
      return "latency growing";
    }
    if (p99 >= P99_CEILING_MICROS) {
      return "p99 over 1 s";
    }
    return "ok";
  }

  /** Downstream HTTP requests per delivered message: 1 for a poll per delivery, lower when polls batch. */
  double requestsPerDelivery() {
    return delivered == 0 ? Double.NaN : httpRequests / (double) delivered;
  }

  String summary() {
    return String.format("%-12s offered %7.0f deliveries/s  got %7.0f/s (%3.0f%% in time)  p50 %6.2f ms  p99 %7.2f ms"
            + "  p99.9 %7.2f ms  (thirds p50 %.2f -> %.2f ms)  server CPU %3.0f%%  client CPU %3.0f%%"
            + "  others on their CPUs %2.0f%%/%2.0f%%  send lag p99 %.2f ms  %s",
        label, offeredDeliveriesPerSecond(), deliveriesPerSecond(), 100 * keepUp(), p50 / 1e3, p99 / 1e3, p999 / 1e3,
        firstThirdP50 / 1e3, lastThirdP50 / 1e3, 100 * serverCpuShare(), 100 * clientCpuShare(),
        100 * cpu.serverCpuOthersShare(), 100 * cpu.clientCpuOthersShare(), sendLagP99 / 1e3, verdict())
        + (acked > 0 ? String.format("  ack p50 %.2f ms p99 %.2f ms", ackP50 / 1e3, ackP99 / 1e3) : "")
        + (httpRequests > 0 ? String.format("  %.3f HTTP requests per delivery", requestsPerDelivery()) : "");
  }
}
