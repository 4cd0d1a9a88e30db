package dev.syncwire.cluster.operation;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import dev.syncwire.channel.ChannelSettings;
import dev.syncwire.channel.MonotonicClock;
import dev.syncwire.channel.Patch;
import dev.syncwire.channel.Publication;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.syncwire.cluster.operation.ClusterSerialization.readPublications;
import static dev.syncwire.cluster.operation.ClusterSerialization.readSettings;
import static dev.syncwire.cluster.operation.ClusterSerialization.writePublications;
import static dev.syncwire.cluster.operation.ClusterSerialization.writeSettings;

/**
 * Backup side of {@link Publish}: applies on a backup copy what the primary accepted, without deciding
 * anything itself. A copy that is not exactly one step behind (it missed earlier operations, which
 * Hazelcast's replica sync repairs later) takes the primary's position rather than inventing one.
 */
final class PublishBackup extends Identified implements EntryProcessor<String, ChannelEntry, PublishReplies> {
  private ChannelSettings settings;
  private List<Publication> publications;
  private List<String> patches;

  PublishBackup() {
  }

  PublishBackup(ChannelSettings settings, List<Publication> publications, List<String> patches) {
    this.settings = settings;
    this.publications = publications;
    this.patches = patches;
  }

  @Override
  public PublishReplies process(Map.Entry<String, ChannelEntry> entry) {
    ChannelEntry e = entry.getValue();
    long now = MonotonicClock.nowMs();
    for (int i = 0; i < publications.size(); i++) {
      Publication p = publications.get(i);
      if (e != null && e.log.epoch().equals(p.epoch()) && p.seq() <= e.log.seq()) {
        continue;
      }
      if (e == null || !e.log.epoch().equals(p.epoch()) || p.seq() != e.log.seq() + 1) {
        e = ChannelEntry.resumedAt(entry.getKey(), e, p.epoch(), p.seq() - 1, settings);
      }
      String patchJson = patches.get(i);
      e.log.replicate(p, patchJson == null ? null : Patch.parse(new JsonObject(patchJson)), now);
    }
    entry.setValue(e);
    return null;
  }

  @Override
  public EntryProcessor<String, ChannelEntry, PublishReplies> getBackupProcessor() {
    return null;
  }

  @Override
  public int getClassId() {
    return ClusterSerialization.PUBLISH_BACKUP;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    writeSettings(out, settings);
    writePublications(out, publications);
    out.writeInt(patches.size());
    for (String patch : patches) {
      out.writeString(patch);
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    settings = readSettings(in);
    publications = readPublications(in);
    int n = in.readInt();
    patches = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      patches.add(in.readString());
    }
  }
}
