package dev.syncwire.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Command-line options of {@link LoadGenerator}. */
record BenchOptions(String host, int syncwirePort, long syncwirePid, int rawPort, long rawPid, List<Peer> peers,
                    String tenant, Profile profile, Set<String> workloads, List<String> sourceAddresses,
                    int clockTicksPerSecond, Path outDir) {

  /** The kinds of {@code --peer}: more servers compared with Syncwire, after the raw Vert.x one. */
  static final Set<String> PEER_KINDS = Set.of("raw-coalesced", "ws", "socketio");

  /** A server given by {@code --peer KIND:PORT:PID}. */
  record Peer(String kind, int port, long pid) {
  }

  static final Set<String> WORKLOADS = Set.of("idle", "storm", "fanout");

  static final String USAGE = String.join("\n",
      "usage: LoadGenerator --syncwire-port P --syncwire-pid PID --raw-port P --raw-pid PID [options]",
      "  --host H            where the servers listen (default 127.0.0.1)",
      "  --peer K:PORT:PID   one more server to compare, K one of raw-coalesced (RawBroadcastServer --coalesce),",
      "                      ws or socketio (the Node.js servers of src/test/bench-peers); repeatable, in order",
      "  --tenant T          Syncwire tenant with anonymous connect and client publish (default demo)",
      "  --quick             short windows, for a smoke run",
      "  --workloads LIST    some of idle,storm,fanout (default: all three)",
      "  --sources A-B       client source addresses, e.g. 127.0.0.2-127.0.0.9 (the default)",
      "  --clk-tck N         clock ticks per second of /proc/<pid>/stat (default 100; see getconf CLK_TCK)",
      "  --out DIR           also write results.md there");

  static BenchOptions parse(String[] args) {
    String host = "127.0.0.1";
    int syncwirePort = -1;
    long syncwirePid = -1;
    int rawPort = -1;
    long rawPid = -1;
    String tenant = "demo";
    Profile profile = Profile.full();
    String sources = "127.0.0.2-127.0.0.9";
    int clockTicks = 100;
    Path out = null;
    List<Peer> peers = new ArrayList<>();
    Set<String> workloads = new LinkedHashSet<>(List.of("idle", "storm", "fanout"));
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--host" -> host = value(args, ++i, arg);
        case "--syncwire-port" -> syncwirePort = Integer.parseInt(value(args, ++i, arg));
        case "--syncwire-pid" -> syncwirePid = Long.parseLong(value(args, ++i, arg));
        case "--raw-port" -> rawPort = Integer.parseInt(value(args, ++i, arg));
        case "--raw-pid" -> rawPid = Long.parseLong(value(args, ++i, arg));
        case "--peer" -> peers.add(peer(value(args, ++i, arg)));
        case "--tenant" -> tenant = value(args, ++i, arg);
        case "--quick" -> profile = Profile.quick();
        case "--sources" -> sources = value(args, ++i, arg);
        case "--clk-tck" -> clockTicks = Integer.parseInt(value(args, ++i, arg));
        case "--out" -> out = Path.of(value(args, ++i, arg));
        case "--workloads" -> workloads = workloadList(value(args, ++i, arg));
        default -> throw new IllegalArgumentException("unknown option " + arg + "\n" + USAGE);
      }
    }
    if (syncwirePort < 0 || syncwirePid < 0 || rawPort < 0 || rawPid < 0) {
      throw new IllegalArgumentException("both servers' ports and pids are required\n" + USAGE);
    }
    return new BenchOptions(host, syncwirePort, syncwirePid, rawPort, rawPid, List.copyOf(peers), tenant, profile,
        workloads, addressRange(sources), clockTicks, out);
  }

  private static Peer peer(String spec) {
    String[] parts = spec.split(":");
    if (parts.length != 3 || !PEER_KINDS.contains(parts[0])) {
      throw new IllegalArgumentException("--peer needs KIND:PORT:PID with KIND one of " + PEER_KINDS + ", got "
          + spec + "\n" + USAGE);
    }
    return new Peer(parts[0], Integer.parseInt(parts[1]), Long.parseLong(parts[2]));
  }

  private static Set<String> workloadList(String list) {
    Set<String> out = new LinkedHashSet<>();
    for (String w : list.split(",")) {
      if (!WORKLOADS.contains(w.trim())) {
        throw new IllegalArgumentException("unknown workload " + w + "\n" + USAGE);
      }
      out.add(w.trim());
    }
    return out;
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
    }
    return args[i];
  }

  /** "127.0.0.2-127.0.0.9" to the eight addresses; a single address stays one. */
  static List<String> addressRange(String spec) {
    String[] ends = spec.split("-");
    if (ends.length == 1) {
      return List.of(spec);
    }
    String prefix = ends[0].substring(0, ends[0].lastIndexOf('.') + 1);
    int from = Integer.parseInt(ends[0].substring(prefix.length()));
    int to = Integer.parseInt(ends[1].substring(ends[1].lastIndexOf('.') + 1));
    List<String> out = new ArrayList<>();
    for (int last = from; last <= to; last++) {
      out.add(prefix + last);
    }
    return out;
  }
}
