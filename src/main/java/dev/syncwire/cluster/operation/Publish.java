package dev.syncwire.cluster.operation;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import dev.syncwire.broker.ChannelBroker.PublishRequest;
import dev.syncwire.channel.ChannelSettings;
import dev.syncwire.channel.MonotonicClock;
import dev.syncwire.channel.Publication;
import dev.syncwire.channel.PublishOutcome;
import dev.syncwire.telemetry.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.syncwire.cluster.operation.ClusterSerialization.readSettings;
import static dev.syncwire.cluster.operation.ClusterSerialization.writeSettings;

/**
 * Sequences publishes to one channel, in order: one publish, or several that arrived together at one
 * node (group commit: one operation and one backup for all of them). Each publish's outcome is the
 * channel log's; what was accepted goes to the backups as one {@link PublishBackup}.
 */
public final class Publish extends Identified implements EntryProcessor<String, ChannelEntry, PublishReplies> {
  private List<PublishRequest> requests;
  private ChannelSettings settings;
  private boolean stored;
  private transient PublishBackup backup;

  Publish() {
  }

  /** Publishes to a channel whose log lives in the cluster only. */
  public Publish(List<PublishRequest> requests, ChannelSettings settings) {
    this(requests, settings, false);
  }

  /**
   * {@code stored}: channel logs live in a store too; an absent channel is then loaded from it rather
   * than started with a new epoch, and the reply carries what the store has not confirmed yet.
   */
  public Publish(List<PublishRequest> requests, ChannelSettings settings, boolean stored) {
    this.requests = requests;
    this.settings = settings;
    this.stored = stored;
  }

  @Override
  public PublishReplies process(Map.Entry<String, ChannelEntry> entry) {
    ChannelEntry e = entry.getValue();
    if (e == null && stored) {
      return PublishReplies.ABSENT;
    }
    if (e == null) {
      // Absent on the owner: the channel never existed, or it was swept empty, or every copy was lost.
      e = ChannelEntry.withNewEpoch(entry.getKey(), settings);
    }
    List<PublishOutcome> outcomes = new ArrayList<>(requests.size());
    List<Publication> accepted = new ArrayList<>(requests.size());
    List<String> patches = new ArrayList<>(requests.size());
    long now = MonotonicClock.nowMs();
    Tracing tracing = Tracing.forNode();
    for (PublishRequest r : requests) {
      Span span = r.traceparent() != null && tracing.enabled() ? sequenceSpan(tracing, entry.getKey(), r) : null;
      PublishOutcome outcome = e.log.publish(r.key(), r.dataJson(), r.patchJson(), now);
      outcomes.add(outcome);
      if (span != null) {
        if (outcome instanceof PublishOutcome.Accepted a) {
          span.setAttribute(Tracing.SEQ, a.publication().seq());
        }
        span.end();
      }
      if (outcome instanceof PublishOutcome.Accepted a) {
        accepted.add(a.publication());
        patches.add(r.patchJson());
      }
    }
    if (!accepted.isEmpty()) {
      entry.setValue(e);
      backup = new PublishBackup(settings, accepted, patches);
    }
    PublishReplies replies = new PublishReplies(outcomes, e.followers());
    if (stored && e.storedSeq < e.log.seq()) {
      replies.unstored(e.log.epoch(), unstored(e, accepted, now));
    }
    return replies;
  }

  /**
   * What the store has not confirmed, oldest first, with the state's snapshot when any of it is a patch.
   * When history no longer reaches back that far, this batch's publications (the writer then finds out
   * from the store what it lacks).
   */
  private static PublishReplies.Unstored unstored(ChannelEntry e, List<Publication> accepted, long now) {
    List<Publication> pubs = e.log.history().after(e.storedSeq, now);
    if (pubs == null || pubs.isEmpty()) {
      pubs = accepted;
    }
    boolean patched = false;
    for (Publication p : pubs) {
      patched |= p.patchJson() != null;
    }
    return new PublishReplies.Unstored(pubs, patched ? e.log.snapshotJson() : null);
  }

  /** The owner's part of a traced publish; the batch it shared an operation with is an attribute. */
  private Span sequenceSpan(Tracing tracing, String channelKey, PublishRequest r) {
    return tracing.tracer().spanBuilder(Tracing.SEQUENCE_SPAN).setSpanKind(SpanKind.INTERNAL)
        .setParent(tracing.parentOf(r.traceparent())).setAttribute(Tracing.CHANNEL, channelKey)
        .setAttribute(Tracing.BATCH, (long) requests.size()).startSpan();
  }

  @Override
  public EntryProcessor<String, ChannelEntry, PublishReplies> getBackupProcessor() {
    return backup;
  }

  @Override
  public int getClassId() {
    return ClusterSerialization.PUBLISH;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeInt(requests.size());
    for (PublishRequest r : requests) {
      out.writeString(r.key());
      out.writeString(r.dataJson());
      out.writeString(r.patchJson());
      out.writeString(r.traceparent());
    }
    writeSettings(out, settings);
    out.writeBoolean(stored);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    int n = in.readInt();
    requests = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      requests.add(new PublishRequest(in.readString(), in.readString(), in.readString(), in.readString()));
    }
    settings = readSettings(in);
    stored = in.readBoolean();
  }
}
