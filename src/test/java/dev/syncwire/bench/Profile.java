package dev.syncwire.bench;

import java.util.List;

/**
 * Sizes and durations of one benchmark run. The fixed loads every target gets are a light one (20,000
 * deliveries/s) and a high one (100,000 offered, beyond what some targets sustain). {@link #full()} aims at under ten minutes for both targets;
 * {@link #quick()} is a smoke run of a couple of minutes with the same shapes and shorter windows.
 */
record Profile(String name,
               int subscribers,
               double warmupSeconds,
               double startPubsPerSecond,
               double stepSeconds,
               double stepFactor,
               int refineSteps,
               double lightDeliveriesPerSecond,
               double highDeliveriesPerSecond,
               double fixedWarmupSeconds,
               double fixedSeconds,
               double drainSeconds,
               double lossWaitSeconds,
               List<Integer> idleConnections,
               int stormClients,
               int stormWindow,
               int connectWindow) {

  static Profile full() {
    return new Profile("full", 1000, 15, 10, 3, 1.5, 3, 20_000, 100_000, 5, 20, 2, 15,
        List.of(1000, 5000, 10_000), 5000, 1000, 500);
  }

  static Profile quick() {
    return new Profile("quick", 1000, 4, 10, 1.5, 2, 2, 20_000, 100_000, 2, 5, 2, 10,
        List.of(1000, 5000, 10_000), 5000, 1000, 500);
  }

  /** The same without the high fixed load: for setups (a cluster on one core) where it says nothing new. */
  Profile withoutHighLoad() {
    return new Profile(name, subscribers, warmupSeconds, startPubsPerSecond, stepSeconds, stepFactor, refineSteps,
        lightDeliveriesPerSecond, 0, fixedWarmupSeconds, fixedSeconds, drainSeconds, lossWaitSeconds, idleConnections,
        stormClients, stormWindow, connectWindow);
  }
}
