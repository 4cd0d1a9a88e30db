package dev.syncwire.cluster.operation;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import dev.syncwire.channel.PatchException;
import dev.syncwire.channel.Publication;
import dev.syncwire.channel.PublishOutcome;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static dev.syncwire.cluster.operation.ClusterSerialization.readPublication;
import static dev.syncwire.cluster.operation.ClusterSerialization.readPublications;
import static dev.syncwire.cluster.operation.ClusterSerialization.readStrings;
import static dev.syncwire.cluster.operation.ClusterSerialization.writePublication;
import static dev.syncwire.cluster.operation.ClusterSerialization.writePublications;
import static dev.syncwire.cluster.operation.ClusterSerialization.writeStrings;

/**
 * The outcomes of a {@link Publish}, one per publish in its order, and the nodes that follow the
 * channel. Each outcome crosses the network as its {@link Kind} and that kind's fields.
 */
public final class PublishReplies extends Identified {
  /** The variants of {@link PublishOutcome}, as written on the wire. */
  enum Kind { ACCEPTED, DUPLICATE, CONFLICTED, REFUSED }

  private static final Kind[] KINDS = Kind.values();
  private static final PatchException.Kind[] REFUSALS = PatchException.Kind.values();

  /** The channel is in no node's memory: load it from the store, then publish again. */
  static final PublishReplies ABSENT = new PublishReplies(List.of(), Set.of());

  /** Publications the store has not confirmed, and the state after the last of them if any is a patch. */
  public record Unstored(List<Publication> pubs, String snapshot) {
  }

  private List<PublishOutcome> outcomes;
  private Set<String> nodes;
  private boolean absent;
  private String epoch;
  private Unstored unstored;

  PublishReplies() {
  }

  PublishReplies(List<PublishOutcome> outcomes, Set<String> nodes) {
    this.outcomes = outcomes;
    this.nodes = nodes;
  }

  public List<PublishOutcome> outcomes() {
    return outcomes;
  }

  public Set<String> nodes() {
    return nodes;
  }

  /** Whether the channel must first be loaded from the store. */
  public boolean absent() {
    return this == ABSENT || absent;
  }

  /** The channel's epoch, when there is something to write to the store. */
  public String epoch() {
    return epoch;
  }

  /** What to write to the store before acknowledging; null when it has everything. */
  public Unstored unstored() {
    return unstored;
  }

  void unstored(String epoch, Unstored unstored) {
    this.epoch = epoch;
    this.unstored = unstored;
  }

  @Override
  public int getClassId() {
    return ClusterSerialization.PUBLISH_REPLIES;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeInt(outcomes.size());
    for (PublishOutcome outcome : outcomes) {
      if (outcome instanceof PublishOutcome.Accepted accepted) {
        out.writeByte(Kind.ACCEPTED.ordinal());
        writePublication(out, accepted.publication());
      } else if (outcome instanceof PublishOutcome.Duplicate duplicate) {
        out.writeByte(Kind.DUPLICATE.ordinal());
        out.writeString(duplicate.epoch());
        out.writeLong(duplicate.seq());
      } else if (outcome instanceof PublishOutcome.Conflicted conflicted) {
        out.writeByte(Kind.CONFLICTED.ordinal());
        out.writeString(conflicted.message());
        out.writeString(conflicted.currentJson());
      } else {
        PublishOutcome.Refused refused = (PublishOutcome.Refused) outcome;
        out.writeByte(Kind.REFUSED.ordinal());
        out.writeByte(refused.reason().ordinal());
        out.writeString(refused.message());
      }
    }
    writeStrings(out, nodes);
    out.writeBoolean(absent());
    out.writeString(epoch);
    writePublications(out, unstored == null ? null : unstored.pubs());
    out.writeString(unstored == null ? null : unstored.snapshot());
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    int n = in.readInt();
    outcomes = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      outcomes.add(switch (KINDS[in.readByte()]) {
        case ACCEPTED -> new PublishOutcome.Accepted(readPublication(in), null, null);
        case DUPLICATE -> new PublishOutcome.Duplicate(in.readString(), in.readLong());
        case CONFLICTED -> new PublishOutcome.Conflicted(in.readString(), in.readString());
        case REFUSED -> new PublishOutcome.Refused(REFUSALS[in.readByte()], in.readString());
      });
    }
    nodes = readStrings(in);
    absent = in.readBoolean();
    epoch = in.readString();
    List<Publication> pubs = readPublications(in);
    String snapshot = in.readString();
    unstored = pubs == null ? null : new Unstored(pubs, snapshot);
  }
}
