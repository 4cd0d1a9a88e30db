package dev.syncwire.bench;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Command-line options of {@link GatewayBench}. */
record GatewayBenchOptions(Path jar, Path conf, String serverCpus, String tenant, GatewayProfile profile,
                           Set<String> workloads, List<String> sourceAddresses, int clockTicksPerSecond, Path outDir,
                           String haproxy, List<String> nodeJavaOptions, List<String> clientJavaOptions) {

  static final List<String> WORKLOADS = List.of("recovery", "cluster", "publish", "http", "coldstart", "bridge",
      "store", "client");

  static final String USAGE = String.join("\n",
      "usage: GatewayBench --jar JAR --conf CONF --out DIR [options]",
      "  --jar JAR           the Syncwire build to start nodes from",
      "  --conf CONF         its configuration (nodes get -Dsyncwire.* overrides on top)",
      "  --out DIR           where node logs, GC logs and results.md go",
      "  --server-cpus LIST  CPUs every node (and HAProxy) is pinned to with taskset (default 0)",
      "  --tenant T          tenant with anonymous connect and client publish (default demo)",
      "  --quick             fewer rounds and short windows, for a smoke run",
      "  --workloads LIST    some of recovery,cluster,publish,http,coldstart,bridge,store,client (default: all eight)",
      "  --sources A-B       client source addresses (default 127.0.0.2-127.0.0.9)",
      "  --clk-tck N         clock ticks per second of /proc/<pid>/stat (default 100)",
      "  --haproxy PATH      the HAProxy binary (default /usr/sbin/haproxy)",
      "  --node-java-opts S  extra JVM options for every node, space-separated (e.g. to profile it)",
      "  --client-java-opts S",
      "                      extra JVM options for the client workload's client JVMs, space-separated");

  static GatewayBenchOptions parse(String[] args) {
    Path jar = null;
    Path conf = null;
    Path out = null;
    String serverCpus = "0";
    String tenant = "demo";
    GatewayProfile profile = GatewayProfile.full();
    Set<String> workloads = new LinkedHashSet<>(WORKLOADS);
    String sources = "127.0.0.2-127.0.0.9";
    int clockTicks = 100;
    String haproxy = "/usr/sbin/haproxy";
    List<String> nodeJavaOptions = List.of();
    List<String> clientJavaOptions = List.of();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--jar" -> jar = Path.of(value(args, ++i, arg));
        case "--conf" -> conf = Path.of(value(args, ++i, arg));
        case "--out" -> out = Path.of(value(args, ++i, arg));
        case "--server-cpus" -> serverCpus = value(args, ++i, arg);
        case "--tenant" -> tenant = value(args, ++i, arg);
        case "--quick" -> profile = GatewayProfile.quick();
        case "--workloads" -> workloads = workloadList(value(args, ++i, arg));
        case "--sources" -> sources = value(args, ++i, arg);
        case "--clk-tck" -> clockTicks = Integer.parseInt(value(args, ++i, arg));
        case "--haproxy" -> haproxy = value(args, ++i, arg);
        case "--node-java-opts" -> nodeJavaOptions = words(value(args, ++i, arg));
        case "--client-java-opts" -> clientJavaOptions = words(value(args, ++i, arg));
        default -> throw new IllegalArgumentException("unknown option " + arg + "\n" + USAGE);
      }
    }
    if (jar == null || conf == null || out == null) {
      throw new IllegalArgumentException("--jar, --conf and --out are required\n" + USAGE);
    }
    return new GatewayBenchOptions(jar.toAbsolutePath(), conf.toAbsolutePath(), serverCpus, tenant, profile, workloads,
        BenchOptions.addressRange(sources), clockTicks, out.toAbsolutePath(), haproxy, nodeJavaOptions,
        clientJavaOptions);
  }

  private static List<String> words(String s) {
    return s.isBlank() ? List.of() : List.of(s.trim().split("\\s+"));
  }

  /** The run's workloads in their fixed order, whatever the order given. */
  private static Set<String> workloadList(String list) {
    Set<String> given = new LinkedHashSet<>();
    for (String w : list.split(",")) {
      if (!WORKLOADS.contains(w.trim())) {
        throw new IllegalArgumentException("unknown workload " + w + "\n" + USAGE);
      }
      given.add(w.trim());
    }
    Set<String> out = new LinkedHashSet<>();
    WORKLOADS.stream().filter(given::contains).forEach(out::add);
    return out;
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
    }
    return args[i];
  }
}
