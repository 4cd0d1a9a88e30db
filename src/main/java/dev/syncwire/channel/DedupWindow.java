package dev.syncwire.channel;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Idempotency keys a channel accepted recently, with the seq each got (docs/protocol.md §6.4). Bounded twice:
 * keys older than {@code windowMs} are forgotten, and beyond {@code maxKeys} the oldest go first.
 */
public final class DedupWindow {
  private final long windowMs;
  private final int maxKeys;
  private final LinkedHashMap<String, long[]> keys = new LinkedHashMap<>();

  public DedupWindow(long windowMs, int maxKeys) {
    this.windowMs = windowMs;
    this.maxKeys = maxKeys;
  }

  /** The seq that {@code key} was accepted with, or -1 if it is not in the window. */
  public long seqOf(String key, long nowMs) {
    expire(nowMs);
    long[] entry = keys.get(key);
    return entry == null ? -1 : entry[0];
  }

  public void record(String key, long seq, long nowMs) {
    if (maxKeys == 0) {
      return;
    }
    keys.put(key, new long[] {seq, nowMs});
    while (keys.size() > maxKeys) {
      Iterator<String> oldest = keys.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
  }

  public int size(long nowMs) {
    expire(nowMs);
    return keys.size();
  }

  /** Writes the remembered keys, with ages instead of times (see {@link MemoryChannelHistory}). */
  void writeTo(DataOutput out, long nowMs) throws IOException {
    expire(nowMs);
    out.writeInt(keys.size());
    for (Map.Entry<String, long[]> e : keys.entrySet()) {
      out.writeUTF(e.getKey());
      out.writeLong(e.getValue()[0]);
      out.writeLong(nowMs - e.getValue()[1]);
    }
  }

  void readFrom(DataInput in, long nowMs) throws IOException {
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      String key = in.readUTF();
      long seq = in.readLong();
      keys.put(key, new long[] {seq, nowMs - in.readLong()});
    }
  }

  private void expire(long nowMs) {
    Iterator<Map.Entry<String, long[]>> it = keys.entrySet().iterator();
    while (it.hasNext()) {
      if (it.next().getValue()[1] < nowMs - windowMs) {
        it.remove();
      } else {
        break;
      }
    }
  }
}
