package dev.syncwire.cluster.operation;

import com.hazelcast.config.Config;
import com.hazelcast.config.SerializerConfig;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializableFactory;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import com.hazelcast.nio.serialization.StreamSerializer;
import dev.syncwire.channel.ChannelSettings;
import dev.syncwire.channel.Position;
import dev.syncwire.channel.Publication;
import dev.syncwire.channel.StateLimits;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How Syncwire's values and operations cross the cluster: each is {@link IdentifiedDataSerializable}
 * (a value of the channel package has a serializer of its own instead), written field by field and
 * created by id, because Java serialization (class descriptors in every message, reflection on every
 * read) would cost more CPU than the work the operation does.
 */
public final class ClusterSerialization {
  static final int FACTORY_ID = 0x5757;

  static final int CHANNEL_ENTRY = 1;
  static final int PUBLISH = 2;
  static final int PUBLISH_BACKUP = 3;
  static final int SUBSCRIBE = 4;
  static final int SUBSCRIBE_BACKUP = 5;
  static final int REMOVE_NODE = 6;
  static final int ANNOUNCE = 7;
  static final int DESCRIBE = 8;
  static final int SWEEP = 9;
  static final int SWEEP_BACKUP = 10;
  static final int CHANNEL_GROUP = 11;
  static final int PUBLISH_REPLIES = 12;
  static final int ANNOUNCEMENT = 13;
  static final int SUMMARY = 14;
  static final int STORED = 15;
  static final int RESTORE = 16;
  static final int ON_CHANNELS = 17;
  static final int EVERY_CHANNEL = 18;
  /** The highest id: every id from {@link #CHANNEL_ENTRY} to this one names a type. */
  static final int LAST = EVERY_CHANNEL;

  /** The type id of {@link PositionSerializer}: custom serializers have ids of their own. */
  static final int POSITION_TYPE = 1;

  private ClusterSerialization() {
  }

  /** Registers the factory and the serializers in a Hazelcast configuration. */
  public static void register(Config config) {
    DataSerializableFactory factory = typeId -> switch (typeId) {
      case CHANNEL_ENTRY -> new ChannelEntry();
      case PUBLISH -> new Publish();
      case PUBLISH_BACKUP -> new PublishBackup();
      case SUBSCRIBE -> new Subscribe();
      case SUBSCRIBE_BACKUP -> new SubscribeBackup();
      case REMOVE_NODE -> new RemoveNode();
      case ANNOUNCE -> new Announce();
      case DESCRIBE -> new Describe();
      case SWEEP -> new Sweep();
      case SWEEP_BACKUP -> new SweepBackup();
      case PUBLISH_REPLIES -> new PublishReplies();
      case ANNOUNCEMENT -> new Announcement();
      case SUMMARY -> new Summary();
      case STORED -> new Stored();
      case RESTORE -> new Restore();
      case CHANNEL_GROUP -> new ChannelGroup();
      case ON_CHANNELS -> new OnChannels();
      case EVERY_CHANNEL -> new EveryChannel<>();
      default -> null;
    };
    config.getSerializationConfig().addDataSerializableFactory(FACTORY_ID, factory)
        .addSerializerConfig(new SerializerConfig().setTypeClass(Position.class)
            .setImplementation(new PositionSerializer()));
  }

  /**
   * Writes a {@link Position}, the answer of a subscribe, field by field: the channel package that
   * defines it knows nothing of Hazelcast, so it cannot be {@link IdentifiedDataSerializable} itself.
   */
  private static final class PositionSerializer implements StreamSerializer<Position> {
    @Override
    public int getTypeId() {
      return POSITION_TYPE;
    }

    @Override
    public void write(ObjectDataOutput out, Position p) throws IOException {
      out.writeString(p.epoch());
      out.writeLong(p.seq());
      out.writeBoolean(p.recovered());
      writePublications(out, p.pubs());
      out.writeString(p.snapshotJson());
    }

    @Override
    public Position read(ObjectDataInput in) throws IOException {
      return new Position(in.readString(), in.readLong(), in.readBoolean(), readPublications(in), in.readString());
    }
  }

  static void writePublication(ObjectDataOutput out, Publication p) throws IOException {
    out.writeBoolean(p != null);
    if (p != null) {
      out.writeString(p.epoch());
      out.writeLong(p.seq());
      out.writeString(p.key());
      out.writeString(p.dataJson());
      out.writeString(p.patchJson());
    }
  }

  static Publication readPublication(ObjectDataInput in) throws IOException {
    if (!in.readBoolean()) {
      return null;
    }
    return new Publication(in.readString(), in.readLong(), in.readString(), in.readString(), in.readString());
  }

  static void writePublications(ObjectDataOutput out, List<Publication> pubs) throws IOException {
    out.writeInt(pubs == null ? -1 : pubs.size());
    if (pubs != null) {
      for (Publication p : pubs) {
        writePublication(out, p);
      }
    }
  }

  static List<Publication> readPublications(ObjectDataInput in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    List<Publication> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(readPublication(in));
    }
    return out;
  }

  static void writeStrings(ObjectDataOutput out, Set<String> strings) throws IOException {
    out.writeInt(strings == null ? -1 : strings.size());
    if (strings != null) {
      for (String s : strings) {
        out.writeString(s);
      }
    }
  }

  static Set<String> readStrings(ObjectDataInput in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    Set<String> out = new HashSet<>(Math.max(4, n * 2));
    for (int i = 0; i < n; i++) {
      out.add(in.readString());
    }
    return out;
  }

  static void writeSettings(ObjectDataOutput out, ChannelSettings s) throws IOException {
    out.writeInt(s.historySize());
    out.writeLong(s.historyTtlMs());
    out.writeLong(s.dedupWindowMs());
    out.writeInt(s.dedupMaxKeys());
    out.writeInt(s.stateLimits().maxEntities());
    out.writeInt(s.stateLimits().maxFields());
    out.writeInt(s.stateLimits().maxValueBytes());
    out.writeLong(s.maxRecoveryBytes());
    out.writeLong(s.historyMaxBytes());
  }

  static ChannelSettings readSettings(ObjectDataInput in) throws IOException {
    return new ChannelSettings(in.readInt(), in.readLong(), in.readLong(), in.readInt(),
        new StateLimits(in.readInt(), in.readInt(), in.readInt()), in.readLong(), in.readLong());
  }
}
