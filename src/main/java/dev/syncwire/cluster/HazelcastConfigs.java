package dev.syncwire.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.TcpIpConfig;
import com.hazelcast.config.XmlConfigBuilder;
import com.hazelcast.spi.properties.ClusterProperty;
import dev.syncwire.cluster.operation.ClusterSerialization;
import dev.syncwire.config.ClusterConfig;
import dev.syncwire.config.ConfigException;
import dev.syncwire.config.SyncwireConfig;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds the Hazelcast configuration of a node from {@code cluster.xml} and the Syncwire keys. */
public final class HazelcastConfigs {
  /** The map holding channel logs. */
  public static final String CHANNELS_MAP = "sw.channels";
  /** Member attribute carrying the Syncwire node name. */
  public static final String NODE_NAME_ATTRIBUTE = "syncwire.node";
  private static final String EMBEDDED = "/syncwire/cluster.xml";
  /** Up to this many CPUs a node runs Hazelcast with fewer threads. */
  static final int SMALL_MACHINE_CPUS = 2;

  private HazelcastConfigs() {
  }

  public static Config load(ClusterConfig config, String nodeName) {
    HazelcastFutures.installAsyncExecutor();
    Config hz = read(config.configFile());
    hz.setClusterName(config.name());
    hz.getNetworkConfig().setPort(config.port());
    if (!config.members().isEmpty()) {
      TcpIpConfig tcp = hz.getNetworkConfig().getJoin().getTcpIpConfig();
      tcp.setEnabled(true).setMembers(config.members());
      hz.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
    }
    hz.getMapConfig(CHANNELS_MAP).setBackupCount(config.backups()).setAsyncBackupCount(0);
    // An acknowledgement means replicated: an operation whose backups do not confirm within
    // hazelcast.operation.backup.timeout.millis fails (the publish answers `unavailable`) rather than
    // completing as if they had.
    hz.setProperty(ClusterProperty.FAIL_ON_INDETERMINATE_OPERATION_STATE.getName(), "true");
    // The cluster manager's own structures (event-bus registrations, node infos) are back up
    // asynchronously: the setting above is member-wide, and a registration refused because a backup was
    // slow to confirm would fail a node's start.
    hz.getMultiMapConfig("__vertx.subs").setBackupCount(0).setAsyncBackupCount(1);
    hz.getMapConfig("__vertx.haInfo").setBackupCount(0).setAsyncBackupCount(1);
    hz.getMapConfig("__vertx.nodeInfo").setBackupCount(0).setAsyncBackupCount(1);
    // The member socket listens on the configured interface only, not on every interface of the host.
    hz.setProperty(ClusterProperty.SOCKET_BIND_ANY.getName(), "false");
    hz.getMemberAttributeConfig().setAttribute(NODE_NAME_ATTRIBUTE, nodeName);
    // One entry of the channels map per partition (ChannelGroups): the partition count is Syncwire's.
    hz.setProperty(ClusterProperty.PARTITION_COUNT.getName(), String.valueOf(config.partitions()));
    if (Runtime.getRuntime().availableProcessors() <= SMALL_MACHINE_CPUS) {
      fewerThreadsOnSmallMachines(hz);
    }
    ClusterSerialization.register(hz);
    return hz;
  }

  /**
   * On one or two CPUs every hand-off between threads is a context switch on a shared core, and a publish
   * crosses several. Answers are completed on the I/O thread that reads them rather than handed to a
   * response thread, and one input and one output thread serve all member connections. Measured on one
   * pinned core with three nodes, this halves the CPU per replicated publish (docs/benchmarks.md,
   * publish throughput). A value given in cluster.xml or as a system property wins.
   */
  private static void fewerThreadsOnSmallMachines(Config hz) {
    setUnlessGiven(hz, ClusterProperty.RESPONSE_THREAD_COUNT.getName(), "0");
    setUnlessGiven(hz, ClusterProperty.IO_INPUT_THREAD_COUNT.getName(), "1");
    setUnlessGiven(hz, ClusterProperty.IO_OUTPUT_THREAD_COUNT.getName(), "1");
  }

  private static void setUnlessGiven(Config hz, String property, String value) {
    if (hz.getProperty(property) == null && System.getProperty(property) == null) {
      hz.setProperty(property, value);
    }
  }

  private static Config read(String file) {
    Path path = Path.of(file);
    try (InputStream in = Files.isRegularFile(path) ? Files.newInputStream(path)
        : HazelcastConfigs.class.getResourceAsStream(EMBEDDED)) {
      if (in == null) {
        throw new ConfigException(SyncwireConfig.CLUSTER_CONFIG.path(),
            "names no readable file and no embedded cluster.xml exists", file);
      }
      return new XmlConfigBuilder(in).build();
    } catch (IOException | RuntimeException e) {
      if (e instanceof ConfigException) {
        throw (ConfigException) e;
      }
      throw new ConfigException(SyncwireConfig.CLUSTER_CONFIG.path(),
          "must name a valid Hazelcast XML file: " + e.getMessage(), file);
    }
  }
}
