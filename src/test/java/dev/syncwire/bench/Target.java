package dev.syncwire.bench;

import dev.syncwire.testing.JvmProcess;
import dev.syncwire.testing.NodeProcess;
import dev.syncwire.testing.WireProtocol;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

/**
 * A server under test: where it listens, its processes (for /proc and jcmd), how to read its heap after a
 * full collection, and the adapter that speaks to it. A cluster is one target with a port and a process per
 * node: subscriber {@code i} connects to node {@code i % nodes}, the publisher to the first node, and CPU
 * figures add up every process.
 */
record Target(String name, String host, List<Integer> ports, List<JvmProcess> processes, WireProtocol protocol,
              Supplier<JvmProcess.HeapReading> heapAfterGc) {

  Target(String name, String host, List<Integer> ports, List<JvmProcess> processes, WireProtocol protocol) {
    this(name, host, ports, processes, protocol, processes.get(0)::heapAfterGc);
  }

  /** A JVM server: its heap is read with jcmd. */
  Target(String host, int port, JvmProcess process, WireProtocol protocol) {
    this(protocol.name(), host, List.of(port), List.of(process), protocol);
  }

  /**
   * A Node.js server of {@code src/test/bench-peers}: CPU and RSS from /proc like any process, the heap from
   * its {@code GET /heap}, which collects first (V8's heap plus the memory bound to it outside).
   */
  static Target nodeJs(String host, int port, JvmProcess process, WireProtocol protocol) {
    return new Target(protocol.name(), host, List.of(port), List.of(process), protocol,
        () -> nodeHeapAfterGc(host, port));
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
    return new Target(name, host, ports, processes, other, heapAfterGc);
  }

  private static JvmProcess.HeapReading nodeHeapAfterGc(String host, int port) {
    try {
      HttpURLConnection http = (HttpURLConnection) URI.create("http://" + host + ":" + port + "/heap").toURL()
          .openConnection();
      http.setConnectTimeout(10_000);
      http.setReadTimeout(60_000);
      String body;
      try (InputStream in = http.getResponseCode() == 200 ? http.getInputStream() : http.getErrorStream()) {
        body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (http.getResponseCode() != 200) {
        throw new IllegalStateException("GET /heap of port " + port + " answered " + http.getResponseCode() + ": "
            + body);
      }
      JsonObject json = new JsonObject(body);
      return new JvmProcess.HeapReading(json.getLong("usedBytes"), json.getString("spaces"));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the heap of the server on port " + port + ": " + e, e);
    }
  }
}
