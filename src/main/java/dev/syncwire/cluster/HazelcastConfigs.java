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
    ClusterSerialization.register(hz);
    return hz;
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
