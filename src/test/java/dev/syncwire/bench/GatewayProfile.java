package dev.syncwire.bench;

import java.util.List;

/**
 * Sizes and durations of the {@link GatewayBench} workloads. {@link #full()} is the reference run;
 * {@link #quick()} a smoke run with the same shapes, fewer rounds and shorter windows. {@code fanOut} sizes
 * the cluster's fan-out search, which is the {@link FanOutWorkload} of scripts/bench.sh. Warm-ups are long
 * where a cluster is involved: three JVMs sharing one core take about a minute of steady publishing before
 * their JIT settles (measured: the CPU per publish fell threefold over the first 60 s).
 */
record GatewayProfile(String name,
                      Profile fanOut,
                      int recoveryClients,
                      int recoveryPublications,
                      int recoveryRounds,
                      int clusterNodes,
                      double idleSeconds,
                      int ackSubscribersPerNode,
                      List<Double> ackPubsPerSecond,
                      double ackWarmupSeconds,
                      double ackRunInSeconds,
                      double ackSeconds,
                      double failoverPubsPerSecond,
                      int failoverSubscribersPerNode,
                      double failoverBeforeKillSeconds,
                      double failoverAfterResumeSeconds,
                      List<Double> httpDeliveriesPerSecond,
                      double httpSetupWarmupSeconds,
                      double httpWarmupSeconds,
                      double httpRunInSeconds,
                      double httpSeconds,
                      Publish publish) {

  /**
   * Sizes of {@link PublishWorkload}. The warm-ups publish as fast as the pipeline goes, so they run far more
   * publishes through the JIT than the 60 s at 200/s the cluster's publish-to-ack warm-up needs.
   */
  record Publish(int inFlight, int channels, double singleWarmupSeconds, double clusterWarmupSeconds,
                 double runInSeconds, double seconds, List<Double> ackPubsPerSecond, double ackRunInSeconds,
                 double ackSeconds) {
  }

  static GatewayProfile full() {
    return new GatewayProfile("full", Profile.full().withoutHighLoad(), 1000, 500, 3, 3, 5, 1,
        List.of(200.0, 1000.0), 60, 5, 20, 200, 10,
        5, 10, List.of(2_000.0, 5_000.0, 10_000.0, 20_000.0, 40_000.0, 80_000.0, 160_000.0), 30, 10, 2, 10,
        new Publish(64, 1000, 15, 30, 3, 10, List.of(1_000.0, 10_000.0), 3, 10));
  }

  static GatewayProfile quick() {
    return new GatewayProfile("quick", Profile.quick().withoutHighLoad(), 1000, 500, 1, 3, 3, 1,
        List.of(200.0, 1000.0), 20, 2, 5, 200, 10,
        3, 5, List.of(5_000.0, 20_000.0), 10, 3, 1, 3,
        new Publish(64, 1000, 5, 8, 1, 3, List.of(1_000.0, 10_000.0), 1, 3));
  }
}
