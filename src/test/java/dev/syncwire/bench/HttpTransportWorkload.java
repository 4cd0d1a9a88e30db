package dev.syncwire.bench;

import dev.syncwire.testing.HaproxyProcess;
import dev.syncwire.testing.JvmProcess;
import dev.syncwire.testing.NodeGroup;
import dev.syncwire.testing.NodeProcess;
import dev.syncwire.testing.SyncwireProtocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The HTTP transports against WebSocket, with the fan-out's shape (one WebSocket publisher, one channel,
 * 100-byte payloads): subscribers over WebSocket, SSE or long-polling, 1,000 or 100 of them, at the same
 * ladder of offered deliveries per second. First on one node, then on a cluster behind HAProxy in plain
 * round-robin, where a session's requests land on any node and are served through its home node. Each
 * configuration publishes to a channel of its own, so that sessions left lingering by the one before cost
 * nothing.
 */
final class HttpTransportWorkload {
  private final Loop loop;
  private final List<String> sources;
  private final GatewayProfile profile;
  private final JvmProcess self;
  private final String tenant;
  private final NodeProcess.Options settings;
  private final String haproxyBinary;

  HttpTransportWorkload(Loop loop, List<String> sources, GatewayProfile profile, JvmProcess self, String tenant,
                        NodeProcess.Options settings, String haproxyBinary) {
    this.loop = loop;
    this.sources = sources;
    this.profile = profile;
    this.self = self;
    this.tenant = tenant;
    this.settings = settings;
    this.haproxyBinary = haproxyBinary;
  }

  /** One configuration: a transport and a number of subscribers, and its figures at each offered load. */
  record Config(String transport, int subscribers, FanOutWorkload.Ladder ladder) {
    String label() {
      return String.format("%s x%,d", transport, subscribers);
    }
  }

  /** All configurations on one setup (one node, or the cluster behind HAProxy). */
  /** {@code nodesTakenOut}: how often HAProxy took a node out after failed health checks. */
  record Setup(String name, Target target, List<Config> configs, List<String> nodes, List<String> proxySpread,
               long nodesTakenOut, boolean proxied) {
  }

  List<Setup> run() {
    List<Setup> setups = new ArrayList<>();
    Log.line("starting node http-single");
    try (NodeGroup single = NodeGroup.alone(settings, "http-single", Map.of())) {
      Target target = Target.of("1 node", single.live(), new SyncwireProtocol(tenant));
      setups.add(new Setup("1 node", target, configs(target), single.describe(), List.of(), 0, false));
    }
    Log.line("starting a cluster of %d nodes http-node* behind HAProxy", profile.clusterNodes());
    try (NodeGroup cluster = NodeGroup.startCluster(settings, "http-node", profile.clusterNodes(), Map.of());
         HaproxyProcess haproxy = HaproxyProcess.start(haproxyBinary, HaproxyProcess.Checks.DEFAULT, settings.cpus(),
             settings.logDir(), cluster.nodes(), settings.clockTicksPerSecond())) {
      Log.line("HAProxy (pid %d) on port %d, round-robin over %s", haproxy.process().pid(), haproxy.port,
          cluster.nodes().stream().map(n -> n.name).toList());
      List<JvmProcess> processes = new ArrayList<>(cluster.nodes().stream().map(NodeProcess::jvm).toList());
      processes.add(haproxy.process());
      String name = profile.clusterNodes() + " nodes behind HAProxy";
      Target target = new Target(name, "127.0.0.1", List.of(haproxy.port), processes, new SyncwireProtocol(tenant));
      List<Config> configs = configs(target);
      List<String> spread = haproxy.requestsPerBackend();
      Log.line("HAProxy requests per node: %s", spread);
      List<String> nodes = new ArrayList<>(cluster.describe());
      nodes.add("HAProxy (pid " + haproxy.process().pid() + ") on CPU " + haproxy.process().allowedCpus());
      setups.add(new Setup(name, target, configs, nodes, spread, haproxy.nodesTakenOut(), true));
    }
    return setups;
  }

  private List<Config> configs(Target target) {
    List<Config> configs = new ArrayList<>();
    WebSocketSubscribers webSocket = new WebSocketSubscribers(loop.vertx(), sources);
    // Fresh JVMs first run their JIT: a WebSocket fan-out at 10,000 deliveries/s, not measured.
    new FanOutWorkload(loop, sources, profile.fanOut(), self, webSocket, 1000, "http-warm-up")
        .fixedLoads(target, List.of(10.0), profile.httpSetupWarmupSeconds(), 0, 1);
    HttpSubscribers sse = new HttpSubscribers(loop.vertx(), sources, tenant, HttpSubscribers.Mode.SSE);
    HttpSubscribers longPoll = new HttpSubscribers(loop.vertx(), sources, tenant, HttpSubscribers.Mode.LONG_POLL);
    configs.add(config(target, webSocket, 1000));
    configs.add(config(target, sse, 1000));
    configs.add(config(target, longPoll, 1000));
    configs.add(config(target, webSocket, 100));
    configs.add(config(target, longPoll, 100));
    return configs;
  }

  private Config config(Target target, SubscriberTransport transport, int subscribers) {
    String channel = "http-" + transport.name() + "-" + subscribers;
    List<Double> rates = profile.httpDeliveriesPerSecond().stream().map(d -> d / subscribers).toList();
    FanOutWorkload.Ladder ladder = new FanOutWorkload(loop, sources, profile.fanOut(), self, transport, subscribers,
        channel).fixedLoads(target, rates, profile.httpWarmupSeconds(), profile.httpRunInSeconds(),
        profile.httpSeconds());
    return new Config(transport.name(), subscribers, ladder);
  }
}
