package dev.syncwire.channel;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link ChannelHistory} in a ring buffer. Seqs in history are consecutive, so only the first is
 * stored; each entry is one byte array (key and payload) and one timestamp, about
 * {@link #ENTRY_OVERHEAD} bytes plus the payload per publication. Bounded by count, age and bytes of
 * its own, and by the node's and the tenant's {@link HistoryBudget}: past any bound the oldest go first.
 * <p>
 * The owner thread makes every call, except that the budget may drop the oldest entries from another
 * thread: hence the monitor, which is uncontended on the owner's path.
 */
public final class MemoryChannelHistory implements ChannelHistory {
  /** Bytes an entry costs beyond its encoded key and payload: array slots, time, array header. */
  static final int ENTRY_OVERHEAD = 40;
  private static final byte DATA = 0;
  private static final byte PATCH = 1;
  private static final byte[][] NO_ENTRIES = new byte[0][];
  private static final long[] NO_TIMES = new long[0];

  private final String epoch;
  private final String tenant;
  private final int capacity;
  private final long ttlMs;
  private final long maxBytes;
  private final HistoryBudget budget;
  // Allocated on the first append: a node may hold many channels that never publish.
  private byte[][] entries = NO_ENTRIES;
  private long[] times = NO_TIMES;
  private int head;
  private int count;
  private long firstSeq = 1;
  private long lastSeq;
  private long payloadBytes;
  private boolean registered;

  /** A history bounded by count and age only, outside any budget (tests, tools). */
  public MemoryChannelHistory(String epoch, int capacity, long ttlMs) {
    this(epoch, "", capacity, ttlMs, Long.MAX_VALUE, null);
  }

  MemoryChannelHistory(String epoch, String tenant, int capacity, long ttlMs, long maxBytes, HistoryBudget budget) {
    this.epoch = epoch;
    this.tenant = tenant;
    this.capacity = capacity;
    this.ttlMs = ttlMs;
    this.maxBytes = maxBytes;
    this.budget = budget;
  }

  /** Makes an empty history continue after {@code seq}: it holds nothing before that position. */
  synchronized void startAfter(long seq) {
    if (count > 0 || lastSeq > 0) {
      throw new IllegalStateException("only an empty history can start after a position");
    }
    lastSeq = seq;
    firstSeq = seq + 1;
  }

  @Override
  public void append(Publication p, long nowMs) {
    int added = add(p, nowMs);
    if (budget != null && added > 0) {
      // Outside the monitor: the budget takes other histories' monitors.
      budget.added(added);
    }
  }

  /** Appends and keeps this history's own bounds; the bytes now held for {@code p} (0 if none). */
  private synchronized int add(Publication p, long nowMs) {
    if (p.seq() != lastSeq + 1) {
      throw new IllegalArgumentException("history must be appended in seq order: " + p.seq() + " after " + lastSeq);
    }
    lastSeq = p.seq();
    byte[] entry = capacity == 0 ? null : encode(p);
    if (entry == null || entry.length + ENTRY_OVERHEAD > maxBytes) {
      // Nothing is kept, or this one alone passes the byte bound: history holds nothing before it now.
      clear();
      return 0;
    }
    if (count == capacity) {
      dropOldest();
    } else if (count == entries.length) {
      grow();
    }
    int slot = (head + count) % entries.length;
    entries[slot] = entry;
    times[slot] = nowMs;
    payloadBytes += entry.length;
    if (count == 0) {
      firstSeq = p.seq();
    }
    count++;
    while (bytes() > maxBytes) {
      dropOldest();
    }
    expire(nowMs);
    if (!registered && budget != null) {
      registered = true;
      budget.register(this);
    }
    return entry.length + ENTRY_OVERHEAD;
  }

  /** Drops everything held; the next append starts history again. */
  private void clear() {
    while (count > 0) {
      dropOldest();
    }
    firstSeq = lastSeq + 1;
  }

  /** Drops what has outlived the age bound even when the channel is idle (the budget's recount calls it). */
  synchronized void expireIdle(long nowMs) {
    expire(nowMs);
  }

  /** Bytes held, overhead included: what the byte bounds count. */
  synchronized long bytes() {
    return payloadBytes + (long) count * ENTRY_OVERHEAD;
  }

  String tenant() {
    return tenant;
  }

  /** The time of the oldest entry held, or {@code Long.MAX_VALUE} when empty (for the budget). */
  synchronized long oldestTime() {
    return count == 0 ? Long.MAX_VALUE : times[head];
  }

  /** Drops the oldest entry for the budget; the bytes freed (0 when empty). */
  synchronized long dropOldestForBudget() {
    if (count == 0) {
      return 0;
    }
    long freed = entries[head].length + ENTRY_OVERHEAD;
    dropOldest();
    return freed;
  }

  @Override
  public synchronized List<Publication> after(long afterSeq, long nowMs) {
    expire(nowMs);
    if (afterSeq > lastSeq || afterSeq < firstSeq - 1) {
      return null;
    }
    List<Publication> out = new ArrayList<>((int) (lastSeq - afterSeq));
    for (long seq = afterSeq + 1; seq <= lastSeq; seq++) {
      out.add(decode(entries[(head + (int) (seq - firstSeq)) % entries.length], seq));
    }
    return out;
  }

  @Override
  public synchronized int size(long nowMs) {
    expire(nowMs);
    return count;
  }

  @Override
  public synchronized long payloadBytes() {
    return payloadBytes;
  }

  private void expire(long nowMs) {
    long oldest = nowMs - ttlMs;
    while (count > 0 && times[head] < oldest) {
      dropOldest();
    }
  }

  private void dropOldest() {
    payloadBytes -= entries[head].length;
    entries[head] = null;
    head = (head + 1) % entries.length;
    count--;
    firstSeq++;
  }

  private void grow() {
    int size = Math.min(capacity, Math.max(8, entries.length * 2));
    byte[][] e = new byte[size][];
    long[] t = new long[size];
    for (int i = 0; i < count; i++) {
      e[i] = entries[(head + i) % entries.length];
      t[i] = times[(head + i) % entries.length];
    }
    entries = e;
    times = t;
    head = 0;
  }

  /**
   * Writes the held publications. Times are written as ages, because monotonic clocks of different
   * processes cannot be compared; {@link #readFrom} turns them back into times on the reader's clock.
   */
  synchronized void writeTo(DataOutput out, long nowMs) throws IOException {
    expire(nowMs);
    out.writeLong(lastSeq);
    out.writeLong(firstSeq);
    out.writeInt(count);
    for (int i = 0; i < count; i++) {
      int slot = (head + i) % entries.length;
      out.writeLong(nowMs - times[slot]);
      out.writeInt(entries[slot].length);
      out.write(entries[slot]);
    }
  }

  static MemoryChannelHistory readFrom(DataInput in, String epoch, String tenant, int capacity, long ttlMs,
                                       long maxBytes, HistoryBudget budget, long nowMs) throws IOException {
    MemoryChannelHistory h = new MemoryChannelHistory(epoch, tenant, capacity, ttlMs, maxBytes, budget);
    h.lastSeq = in.readLong();
    h.firstSeq = in.readLong();
    int n = in.readInt();
    h.entries = new byte[Math.max(8, Math.min(capacity, Integer.highestOneBit(Math.max(1, n)) * 2))][];
    h.times = new long[h.entries.length];
    for (int i = 0; i < n; i++) {
      long age = in.readLong();
      byte[] entry = new byte[in.readInt()];
      in.readFully(entry);
      if (h.count == h.entries.length) {
        h.grow();
      }
      h.entries[h.count] = entry;
      h.times[h.count] = nowMs - age;
      h.payloadBytes += entry.length;
      h.count++;
    }
    if (h.count > 0 && budget != null) {
      h.registered = true;
      budget.register(h);
      budget.added(h.bytes());
    }
    return h;
  }

  // Layout: kind byte, key length (0xFF = no key), key bytes, payload bytes (UTF-8 JSON).
  private static byte[] encode(Publication p) {
    byte[] key = p.key() == null ? new byte[0] : p.key().getBytes(StandardCharsets.UTF_8);
    byte[] payload = (p.dataJson() != null ? p.dataJson() : p.patchJson()).getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[2 + key.length + payload.length];
    out[0] = p.dataJson() != null ? DATA : PATCH;
    out[1] = (byte) (p.key() == null ? 0xFF : key.length);
    System.arraycopy(key, 0, out, 2, key.length);
    System.arraycopy(payload, 0, out, 2 + key.length, payload.length);
    return out;
  }

  private Publication decode(byte[] entry, long seq) {
    int keyLength = entry[1] & 0xFF;
    String key = keyLength == 0xFF ? null : new String(entry, 2, keyLength, StandardCharsets.UTF_8);
    int offset = 2 + (keyLength == 0xFF ? 0 : keyLength);
    String payload = new String(Arrays.copyOfRange(entry, offset, entry.length), StandardCharsets.UTF_8);
    return entry[0] == DATA ? new Publication(epoch, seq, key, payload, null)
        : new Publication(epoch, seq, key, null, payload);
  }
}
