package dev.syncwire.channel;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes all channel histories of a node may hold, in total and per tenant. Past a budget the
 * oldest publications of the node (or of the tenant) go first, whichever channels they belong to; a
 * subscriber recovering past them then gets {@code recovered:false}, as for any history that ran out.
 * <p>
 * Histories are counted by looking at them, not by bookkeeping on every drop: a history leaves the
 * count when it is collected (channels are dropped, migrated or replaced without telling anyone), so
 * the budget keeps weak references and recounts on {@link #enforce}, which also drops what has outlived
 * its age bound in channels nobody publishes to any more. Enforcement runs when the bytes
 * added since the last count could have passed the budget, and on the node's periodic tick.
 */
public final class HistoryBudget {
  /** After enforcing, histories hold at most this share of a budget, so that enforcement is not constant. */
  private static final double TARGET = 0.9;

  private final long nodeMaxBytes;
  private final long tenantMaxBytes;
  private final List<WeakReference<MemoryChannelHistory>> histories = new ArrayList<>();
  private final Object lock = new Object();
  /** Bytes appended since the last count, and what the last count left before the smallest budget. */
  private final AtomicLong addedSinceCount = new AtomicLong();
  private volatile long headroom;
  private volatile long lastTotal;
  private final AtomicLong dropped = new AtomicLong();

  /**
   * @param nodeMaxBytes   what all histories may hold together
   * @param tenantMaxBytes what one tenant's histories may hold ({@code Long.MAX_VALUE}: only the node's budget)
   */
  public HistoryBudget(long nodeMaxBytes, long tenantMaxBytes) {
    if (nodeMaxBytes <= 0 || tenantMaxBytes <= 0) {
      throw new IllegalArgumentException("budgets must be positive");
    }
    this.nodeMaxBytes = nodeMaxBytes;
    this.tenantMaxBytes = tenantMaxBytes;
    this.headroom = Math.min(nodeMaxBytes, tenantMaxBytes);
  }

  void register(MemoryChannelHistory history) {
    synchronized (lock) {
      histories.add(new WeakReference<>(history));
    }
  }

  /** Called by a history after it appended, outside its monitor. */
  void added(long bytes) {
    if (addedSinceCount.addAndGet(bytes) > headroom) {
      enforce();
    }
  }

  /** Recounts every history and drops the oldest entries past a budget. Safe from any thread. */
  public void enforce() {
    synchronized (lock) {
      addedSinceCount.set(0);
      List<MemoryChannelHistory> live = new ArrayList<>(histories.size());
      Map<String, Long> byTenant = new HashMap<>();
      long total = 0;
      int kept = 0;
      long now = MonotonicClock.nowMs();
      for (int i = 0; i < histories.size(); i++) {
        WeakReference<MemoryChannelHistory> ref = histories.get(i);
        MemoryChannelHistory h = ref.get();
        if (h == null) {
          continue;
        }
        histories.set(kept++, ref);
        h.expireIdle(now);
        long bytes = h.bytes();
        if (bytes == 0) {
          continue;
        }
        live.add(h);
        total += bytes;
        byTenant.merge(h.tenant(), bytes, Long::sum);
      }
      histories.subList(kept, histories.size()).clear();

      long largestTenant = 0;
      for (Map.Entry<String, Long> t : byTenant.entrySet()) {
        long bytes = t.getValue();
        if (bytes > tenantMaxBytes) {
          long freed = dropOldest(live, t.getKey(), bytes - (long) (tenantMaxBytes * TARGET));
          total -= freed;
          bytes -= freed;
        }
        largestTenant = Math.max(largestTenant, bytes);
      }
      if (total > nodeMaxBytes) {
        total -= dropOldest(live, null, total - (long) (nodeMaxBytes * TARGET));
      }
      lastTotal = total;
      headroom = Math.max(1, Math.min(nodeMaxBytes - total, tenantMaxBytes - largestTenant));
    }
  }

  /** Drops the oldest entries of {@code tenant}'s histories (all when null) until {@code bytes} are freed. */
  private long dropOldest(List<MemoryChannelHistory> live, String tenant, long bytes) {
    PriorityQueue<Oldest> queue = new PriorityQueue<>();
    for (MemoryChannelHistory h : live) {
      if (tenant == null || tenant.equals(h.tenant())) {
        long t = h.oldestTime();
        if (t != Long.MAX_VALUE) {
          queue.add(new Oldest(h, t));
        }
      }
    }
    long freed = 0;
    while (freed < bytes && !queue.isEmpty()) {
      Oldest o = queue.poll();
      freed += o.history.dropOldestForBudget();
      dropped.incrementAndGet();
      long t = o.history.oldestTime();
      if (t != Long.MAX_VALUE) {
        queue.add(new Oldest(o.history, t));
      }
    }
    return freed;
  }

  private record Oldest(MemoryChannelHistory history, long time) implements Comparable<Oldest> {
    @Override
    public int compareTo(Oldest o) {
      return Long.compare(time, o.time);
    }
  }

  /** Bytes held at the last count. */
  public long heldBytes() {
    return lastTotal;
  }

  /** Publications dropped to keep the budgets since this node started. */
  public long droppedPublications() {
    return dropped.get();
  }

  public long nodeMaxBytes() {
    return nodeMaxBytes;
  }
}
