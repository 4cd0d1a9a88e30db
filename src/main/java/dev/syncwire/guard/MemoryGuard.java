package dev.syncwire.guard;

import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryNotificationInfo;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The node's circuit breaker on memory. It engages when the heap in use after a collection passes
 * {@code highPercent}, and releases when it is back under {@code lowPercent}. The figure is what the
 * JVM reports for the old generation (where live data stays) after its last collection, in percent of
 * that generation's maximum: live data, not garbage waiting to be collected. The JVM's threshold
 * notification makes the guard look at once; the node's periodic {@link #check} catches the release.
 * <p>
 * While engaged the node refuses new connections, subscriptions and publishes, and cuts off the
 * subscribers holding the most queued bytes; traffic already flowing goes on.
 */
public final class MemoryGuard {
  private static final Logger LOG = Logger.getLogger(MemoryGuard.class.getName());
  /** What refusals while engaged suggest as a wait: long enough for a collection or two. */
  public static final long RETRY_AFTER_MS = 5000;
  private static final long COLLECTION_REQUEST_INTERVAL_NANOS = 5_000_000_000L;

  private final int highPercent;
  private final int lowPercent;
  private final long maxHeap;
  private final List<MemoryPoolMXBean> pools = new ArrayList<>();
  private final AtomicLong engagements = new AtomicLong();
  private final AtomicLong sessionsCutOff = new AtomicLong();
  private volatile boolean engaged;
  private volatile int usedPercent;
  private volatile Runnable onEngage = () -> { };
  private NotificationListener listener;
  private long lastCollectionRequest = System.nanoTime() - COLLECTION_REQUEST_INTERVAL_NANOS;

  public MemoryGuard(int highPercent, int lowPercent) {
    if (lowPercent > highPercent) {
      throw new IllegalArgumentException("low percent above high percent");
    }
    this.highPercent = highPercent;
    this.lowPercent = lowPercent;
    long max = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
    this.maxHeap = max > 0 ? max : Runtime.getRuntime().maxMemory();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.isValid() && pool.isCollectionUsageThresholdSupported()
          && !isYoung(pool.getName())) {
        pools.add(pool);
      }
    }
  }

  /**
   * Young spaces are empty or full by design after a collection; what stays is in the old generation
   * (or in the one pool of a collector without generations), so that is what the guard measures.
   */
  private static boolean isYoung(String pool) {
    String name = pool.toLowerCase(java.util.Locale.ROOT);
    return name.contains("eden") || name.contains("survivor") || name.contains("nursery");
  }

  /**
   * Starts listening to the JVM's notifications; {@code onEngage} runs (on the JVM's notification
   * thread or the caller of {@link #check}) each time the guard engages.
   */
  public void start(Runnable onEngage) {
    this.onEngage = onEngage;
    for (MemoryPoolMXBean pool : pools) {
      long poolMax = pool.getUsage().getMax();
      if (pool.isCollectionUsageThresholdSupported() && poolMax > 0) {
        pool.setCollectionUsageThreshold(Math.max(1, poolMax / 100 * highPercent));
      }
    }
    listener = this::onNotification;
    ((NotificationEmitter) ManagementFactory.getMemoryMXBean()).addNotificationListener(listener, null, null);
  }

  public void stop() {
    if (listener != null) {
      try {
        ((NotificationEmitter) ManagementFactory.getMemoryMXBean()).removeNotificationListener(listener);
      } catch (javax.management.ListenerNotFoundException ignored) {
        // already gone
      }
      listener = null;
    }
  }

  private void onNotification(Notification n, Object handback) {
    if (MemoryNotificationInfo.MEMORY_COLLECTION_THRESHOLD_EXCEEDED.equals(n.getType())) {
      check();
    }
  }

  /** Looks at the heap after the last collections; engages or releases. Safe from any thread. */
  public void check() {
    int percent = 0;
    for (MemoryPoolMXBean pool : pools) {
      MemoryUsage after = pool.getCollectionUsage();
      if (after != null) {
        long poolMax = after.getMax() > 0 ? after.getMax() : maxHeap;
        percent = Math.max(percent, (int) (after.getUsed() * 100 / poolMax));
      }
    }
    usedPercent = percent;
    boolean engage = false;
    synchronized (this) {
      if (!engaged && percent >= highPercent) {
        engaged = true;
        engagements.incrementAndGet();
        engage = true;
      } else if (engaged && percent < lowPercent) {
        engaged = false;
        LOG.info("memory guard released: heap after collection at " + percent + "% (below " + lowPercent
            + "%); accepting new connections, subscriptions and publishes again");
      }
    }
    if (engaged && !engage) {
      requestCollection();
    }
    if (engage) {
      LOG.warning("memory guard engaged: heap after collection at " + percent + "% (at or above " + highPercent
          + "%); refusing new connections, subscriptions and publishes, cutting off the largest subscriber buffers");
      onEngage.run();
    }
  }

  /**
   * A node that stopped taking work may also stop allocating, and then no collection ever measures the
   * memory it freed: ask for one now and then while engaged, so that the guard can release.
   */
  private void requestCollection() {
    long now = System.nanoTime();
    synchronized (this) {
      if (now - lastCollectionRequest < COLLECTION_REQUEST_INTERVAL_NANOS) {
        return;
      }
      lastCollectionRequest = now;
    }
    System.gc();
  }

  public boolean engaged() {
    return engaged;
  }

  /** The old generation in use after its last collection, in percent of its maximum, at the last check. */
  public int usedPercent() {
    return usedPercent;
  }

  /** How many times the guard engaged since the node started. */
  public long engagements() {
    return engagements.get();
  }

  /** Counts sessions closed to free memory (by the guard or the node's outbound bound). */
  public void cutOff(int sessions) {
    sessionsCutOff.addAndGet(sessions);
  }

  public long sessionsCutOff() {
    return sessionsCutOff.get();
  }

  public int highPercent() {
    return highPercent;
  }

  public int lowPercent() {
    return lowPercent;
  }
}
