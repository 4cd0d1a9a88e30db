package dev.syncwire.session;

import dev.syncwire.broker.OutboundPublication;
import dev.syncwire.channel.Conflation;
import dev.syncwire.channel.Patch;
import dev.syncwire.protocol.FrameCodec;
import dev.syncwire.protocol.ServerFrame;
import dev.syncwire.telemetry.NodeMetrics;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A session's frames on their way out. Frames go straight to the transport while it has room; after
 * that they wait here. Past {@code highWaterBytes}, waiting patches of the same entity are merged
 * (docs/protocol.md §8) so that a slow subscriber of a state channel catches up with fewer bytes;
 * past {@code limitBytes} the caller cuts the session off, and the waiting frames are dropped at once.
 */
final class OutboundBuffer {
  /** A frame waiting for the transport. Patch pubs keep what conflation needs. */
  private static final class Waiting {
    final byte[] bytes;
    final String channel;
    final boolean isPatch;
    final String epoch;
    final Conflation.Update update;

    Waiting(byte[] bytes, String channel, boolean isPatch, String epoch, Conflation.Update update) {
      this.bytes = bytes;
      this.channel = channel;
      this.isPatch = isPatch;
      this.epoch = epoch;
      this.update = update;
    }
  }

  private final Transport transport;
  private final FrameCodec codec;
  private final long limitBytes;
  private final long highWaterBytes;
  // Allocated when the first frame has to wait: most sessions never need it.
  private ArrayDeque<Waiting> queue;
  private long queuedBytes;
  private long conflateAt;
  private long conflatedPushes;
  private final NodeMetrics metrics;

  OutboundBuffer(Transport transport, FrameCodec codec, long limitBytes, long highWaterBytes) {
    this(transport, codec, limitBytes, highWaterBytes, NodeMetrics.discarding());
  }

  OutboundBuffer(Transport transport, FrameCodec codec, long limitBytes, long highWaterBytes, NodeMetrics metrics) {
    this.metrics = metrics;
    this.transport = transport;
    this.codec = codec;
    this.limitBytes = limitBytes;
    this.highWaterBytes = highWaterBytes;
    this.conflateAt = highWaterBytes;
  }

  /** Adds a reply or push; {@code channel} names the channel the frame is about, if any. */
  boolean offer(byte[] frame, String channel) {
    return add(frame, channel, false, null, null);
  }

  /** Adds a publication's shared frame. */
  boolean offer(OutboundPublication p) {
    byte[] bytes = p.encoded(codec);
    if (p.patch() == null) {
      return add(bytes, p.channel().name(), false, null, null);
    }
    return add(bytes, p.channel().name(), true, p.publication().epoch(),
        Conflation.Update.of(p.seq(), p.patch(), p.versions()));
  }

  /**
   * Returns {@code false} when the session's outbound bytes exceed the limit even after conflation;
   * the caller must then close the session.
   */
  private boolean add(byte[] bytes, String channel, boolean isPatch, String epoch, Conflation.Update update) {
    if ((queue == null || queue.isEmpty()) && transport.writable()) {
      transport.write(bytes);
      return true;
    }
    if (queue == null) {
      queue = new ArrayDeque<>();
    }
    queue.add(new Waiting(bytes, channel, isPatch, epoch, update));
    queuedBytes += bytes.length;
    if (queuedBytes > conflateAt) {
      conflate();
      // Conflating again at once would rescan a queue that cannot shrink much further.
      conflateAt = Math.max(highWaterBytes, queuedBytes + highWaterBytes / 2);
    }
    return queuedBytes + transport.pendingBytes() <= limitBytes;
  }

  /** Moves waiting frames to the transport while it has room. Returns whether anything moved. */
  boolean drainToTransport() {
    boolean moved = false;
    while (queue != null && !queue.isEmpty() && transport.writable()) {
      Waiting w = queue.poll();
      queuedBytes -= w.bytes.length;
      transport.write(w.bytes);
      moved = true;
    }
    if (queuedBytes <= highWaterBytes) {
      conflateAt = highWaterBytes;
    }
    return moved;
  }

  long queuedBytes() {
    return queuedBytes;
  }

  /** Whether the session's outbound bytes are within the limit. */
  boolean withinLimit() {
    return queuedBytes + transport.pendingBytes() <= limitBytes;
  }

  /** The channel whose publications take the most waiting bytes, or null if none wait. */
  String heaviestChannel() {
    if (queue == null) {
      return null;
    }
    Map<String, Long> bytes = new HashMap<>();
    for (Waiting w : queue) {
      if (w.channel != null && (w.isPatch || w.update == null)) {
        bytes.merge(w.channel, (long) w.bytes.length, Long::sum);
      }
    }
    return bytes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
  }

  /** Drops every waiting frame about {@code channel}; returns how many. */
  int dropChannel(String channel) {
    if (queue == null) {
      return 0;
    }
    ArrayDeque<Waiting> kept = new ArrayDeque<>(queue.size());
    for (Waiting w : queue) {
      if (channel.equals(w.channel)) {
        queuedBytes -= w.bytes.length;
      } else {
        kept.add(w);
      }
    }
    int dropped = queue.size() - kept.size();
    queue = kept;
    return dropped;
  }

  /** Pushes sent as merges of several patches since this buffer was created. */
  long conflatedPushes() {
    return conflatedPushes;
  }

  /** Drops every waiting frame; returns how many. */
  int clear() {
    int dropped = queue == null ? 0 : queue.size();
    queue = null;
    queuedBytes = 0;
    return dropped;
  }

  /**
   * Merges each run of waiting patch pubs of one channel (runs end at any other frame about that
   * channel) into one pub per entity. Merged pubs take the place of the run's last frame, so every
   * channel keeps its order relative to its own replies and data.
   */
  private void conflate() {
    List<Waiting> items = new ArrayList<>(queue);
    Map<String, List<Integer>> openRuns = new HashMap<>();
    List<List<Integer>> runs = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Waiting w = items.get(i);
      if (w.channel == null) {
        continue;
      }
      if (w.isPatch) {
        openRuns.computeIfAbsent(w.channel, k -> new ArrayList<>()).add(i);
      } else {
        List<Integer> run = openRuns.remove(w.channel);
        if (run != null) {
          runs.add(run);
        }
      }
    }
    runs.addAll(openRuns.values());
    Map<Integer, List<Waiting>> replacementAt = new HashMap<>();
    boolean[] dropped = new boolean[items.size()];
    for (List<Integer> run : runs) {
      if (run.size() < 2) {
        continue;
      }
      List<Conflation.Update> updates = new ArrayList<>(run.size());
      for (int index : run) {
        updates.add(items.get(index).update);
        dropped[index] = true;
      }
      Waiting last = items.get(run.get(run.size() - 1));
      Map<Long, Waiting> originals = new HashMap<>();
      for (int index : run) {
        originals.put(items.get(index).update.seq(), items.get(index));
      }
      List<Waiting> merged = new ArrayList<>();
      for (Conflation.Update u : Conflation.conflate(updates)) {
        Waiting original = originals.get(u.seq());
        boolean unchanged = original != null && original.update.from() == u.from() && original.update.patch() == u.patch();
        merged.add(unchanged ? original : encode(last.channel, last.epoch, u));
      }
      replacementAt.put(run.get(run.size() - 1), merged);
    }
    if (replacementAt.isEmpty()) {
      return;
    }
    ArrayDeque<Waiting> rebuilt = new ArrayDeque<>(items.size());
    long bytes = 0;
    long conflatedBefore = conflatedPushes;
    for (int i = 0; i < items.size(); i++) {
      List<Waiting> merged = replacementAt.get(i);
      if (merged != null) {
        for (Waiting m : merged) {
          rebuilt.add(m);
          bytes += m.bytes.length;
          if (m.update.from() != m.update.seq()) {
            conflatedPushes++;
          }
        }
      } else if (!dropped[i]) {
        rebuilt.add(items.get(i));
        bytes += items.get(i).bytes.length;
      }
    }
    metrics.framesDropped(NodeMetrics.DropReason.CONFLATED, items.size() - rebuilt.size());
    metrics.conflated(conflatedPushes - conflatedBefore);
    queue = rebuilt;
    queuedBytes = bytes;
  }

  private Waiting encode(String channel, String epoch, Conflation.Update u) {
    Patch p = u.patch();
    long from = u.from() == u.seq() ? 0 : u.from();
    byte[] bytes = codec.encode(new ServerFrame.Pub(channel, epoch, u.seq(), from, null, null,
        p.toPubJson(u.versions()).encode()));
    return new Waiting(bytes, channel, true, epoch, u);
  }
}
