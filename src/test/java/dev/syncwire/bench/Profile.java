package dev.syncwire.bench;

import java.util.List;

/**
 * Sizes and durations of one benchmark run. {@link #full()} aims at under ten minutes for both targets;
 * {@link #quick()} is a smoke run of a couple of minutes with the same shapes and shorter windows.
 */
record Profile(String name,
               int subscribers,
               double warmupSeconds,
               double startPubsPerSecond,
               double stepSeconds,
               double stepFactor,
               int refineSteps,
               double commonDeliveriesPerSecond,
               double fixedWarmupSeconds,
               double fixedSeconds,
               double drainSeconds,
               double lossWaitSeconds,
               List<Integer> idleConnections,
               int stormClients,
               int stormWindow,
               int connectWindow) {

  static Profile full() {
    return new Profile("full", 1000, 15, 10, 3, 1.5, 3, 10_000, 5, 20, 2, 15,
        List.of(1000, 5000, 10_000), 5000, 1000, 500);
  }

  static Profile quick() {
    return new Profile("quick", 1000, 4, 10, 1.5, 2, 2, 10_000, 2, 5, 2, 10,
        List.of(1000, 5000, 10_000), 5000, 1000, 500);
  }
}
