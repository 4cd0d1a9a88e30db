package dev.syncwire.guard;

import dev.syncwire.channel.HistoryBudget;
import dev.syncwire.config.GuardConfig;
import dev.syncwire.config.SyncwireConfig;
import dev.syncwire.session.EventLoopHub;
import dev.syncwire.session.Hubs;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * One timer for the node's memory bounds. Every tick it looks at the heap ({@link MemoryGuard}), recounts
 * the history budget, and adds up what every event loop's sessions have queued. While the guard is
 * engaged, or when the queued bytes of the whole node pass {@code limits.nodeOutboundBytes}, each loop
 * cuts off its sessions with the most queued bytes, largest first.
 */
public final class GuardVerticle extends VerticleBase {
  private static final String OVER_NODE_BOUND =
      "node's outbound buffers over " + SyncwireConfig.LIMITS_NODE_OUTBOUND_BYTES.path();

  private final MemoryGuard guard;
  private final HistoryBudget historyBudget;
  private final Hubs hubs;
  private final long intervalMs;
  private final long nodeOutboundBytes;
  private long timer = -1;

  public GuardVerticle(MemoryGuard guard, HistoryBudget historyBudget, Hubs hubs, GuardConfig config) {
    this.guard = guard;
    this.historyBudget = historyBudget;
    this.hubs = hubs;
    this.intervalMs = config.checkIntervalMs();
    this.nodeOutboundBytes = config.nodeOutboundBytes();
  }

  @Override
  public Future<?> start() {
    // The JVM's notification comes on its own thread: shed on the loops, at once.
    guard.start(() -> context.runOnContext(v -> shed(true)));
    timer = vertx.setPeriodic(intervalMs, id -> tick());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    guard.stop();
    return Future.succeededFuture();
  }

  private void tick() {
    guard.check();
    historyBudget.enforce();
    long queued = 0;
    for (EventLoopHub hub : hubs.all()) {
      queued += hub.queuedBytes();
    }
    boolean overBound = queued > nodeOutboundBytes;
    if (guard.engaged() || overBound) {
      shed(!overBound);
    } else {
      for (EventLoopHub hub : hubs.all()) {
        hub.context().runOnContext(v -> hub.measureQueued());
      }
    }
  }

  /**
   * Asks each loop to cut off its largest buffers: under memory pressure down to half of what it holds,
   * over the node's outbound bound down to its share of half the bound.
   */
  private void shed(boolean memoryPressure) {
    int loops = Math.max(1, hubs.all().size());
    for (EventLoopHub hub : hubs.all()) {
      hub.context().runOnContext(v -> {
        long held = hub.measureQueued();
        long target = memoryPressure ? held / 2 : nodeOutboundBytes / 2 / loops;
        guard.cutOff(hub.shedLargest(target, memoryPressure ? "node under memory pressure"
            : OVER_NODE_BOUND));
      });
    }
  }
}
