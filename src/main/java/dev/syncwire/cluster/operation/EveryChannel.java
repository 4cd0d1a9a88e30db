package dev.syncwire.cluster.operation;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads every channel of a group whose key starts with {@code prefix} (all when null) with a read-only
 * channel operation: answers its result by channel key, null results included.
 */
public final class EveryChannel<R> extends Identified
    implements EntryProcessor<String, ChannelGroup, HashMap<String, R>>, ReadOnly {
  private String prefix;
  private EntryProcessor<String, ChannelEntry, R> read;

  EveryChannel() {
  }

  /** {@code read} must change nothing; it runs on the owner only. */
  public EveryChannel(String prefix, EntryProcessor<String, ChannelEntry, R> read) {
    if (!(read instanceof ReadOnly)) {
      throw new IllegalArgumentException("a read-only operation only");
    }
    this.prefix = prefix;
    this.read = read;
  }

  /** The channels of one tenant. */
  public static <R> EveryChannel<R> ofTenant(String tenant, EntryProcessor<String, ChannelEntry, R> read) {
    return new EveryChannel<>(tenant + "/", read);
  }

  @Override
  public HashMap<String, R> process(Map.Entry<String, ChannelGroup> entry) {
    HashMap<String, R> out = new HashMap<>();
    ChannelGroup group = entry.getValue();
    if (group == null) {
      return out;
    }
    for (String key : group.channels.keySet()) {
      if (prefix == null || key.startsWith(prefix)) {
        out.put(key, read.process(new ChannelView(key, group)));
      }
    }
    return out;
  }

  @Override
  public EntryProcessor<String, ChannelGroup, HashMap<String, R>> getBackupProcessor() {
    return null;
  }

  @Override
  public int getClassId() {
    return ClusterSerialization.EVERY_CHANNEL;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(prefix);
    out.writeObject(read);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    prefix = in.readString();
    read = in.readObject();
  }
}
