package dev.syncwire.bench;

import dev.syncwire.testing.JvmProcess;
import dev.syncwire.testing.NodeProcess;
import dev.syncwire.testing.WireProtocol;

import java.util.List;

/**
 * A server under test: where it listens, its processes (for /proc and jcmd) and the adapter that speaks to
 * it. A cluster is one target with a port and a process per node: subscriber {@code i} connects to node
 * {@code i % nodes}, the publisher to the first node, and CPU figures add up every process.
 */
record Target(String name, String host, List<Integer> ports, List<JvmProcess> processes, WireProtocol protocol) {

  Target(String host, int port, JvmProcess process, WireProtocol protocol) {
    this(protocol.name(), host, List.of(port), List.of(process), protocol);
  }

  /** {@code nodes} as one target, in the order given: subscribers spread over them, the publisher on the first. */
  static Target of(String name, List<NodeProcess> nodes, WireProtocol protocol) {
    return new Target(name, "127.0.0.1", nodes.stream().map(n -> n.port).toList(),
        nodes.stream().map(NodeProcess::jvm).toList(), protocol);
  }

  /** The first node's port: the only one of a single server, and where the publisher connects. */
  int port() {
    return ports.get(0);
  }

  /** The first node's process. */
  JvmProcess process() {
    return processes.get(0);
  }

  /** Where socket {@code index} connects: subscribers round-robin over the nodes, the publisher (index -1) to the first. */
  int portOf(int index) {
    return index < 0 ? ports.get(0) : ports.get(index % ports.size());
  }

  Target withProtocol(WireProtocol other) {
    return new Target(name, host, ports, processes, other);
  }
}
