package dev.syncwire.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * HAProxy in front of a cluster's nodes, as production would put it: plain round-robin per request (HTTP
 * keep-alive mode, no stickiness of any kind), WebSockets tunnelled, and HAProxy's default readiness check
 * (every 2 s, a node out after 3 failures). A tighter check (500 ms, out after one miss) takes every node
 * out at once here: three nodes sharing one saturated core answer {@code /ready} late. Pinned to the server
 * CPUs with the nodes, so its cost is the servers' cost. A stats page tells how the requests were spread.
 * {@code option http-no-delay}: without it HAProxy holds streamed response data back to send full packets,
 * which put SSE's median latency at about 240 ms at low rates here (60 ms with it).
 */
final class Haproxy implements AutoCloseable {
  final int port;
  final JvmProcess process;
  private final int statsPort;
  private final Path log;
  private final Process haproxy;

  private Haproxy(int port, int statsPort, Path log, Process haproxy, JvmProcess process) {
    this.port = port;
    this.statsPort = statsPort;
    this.log = log;
    this.haproxy = haproxy;
    this.process = process;
  }

  static Haproxy start(String binary, String cpus, Path outDir, List<BenchNode> backends, int clockTicksPerSecond) {
    int port = FreePorts.block(2);
    int statsPort = port + 1;
    StringBuilder cfg = new StringBuilder()
        .append("global\n  maxconn 8000\n  nbthread 1\n")
        .append("defaults\n  mode http\n  maxconn 8000\n  timeout connect 5s\n  timeout client 120s\n")
        .append("  timeout server 120s\n  timeout tunnel 1h\n  timeout check 2s\n  option redispatch\n  retries 3\n")
        .append("  option http-no-delay\n")
        .append("frontend clients\n  bind 127.0.0.1:").append(port).append("\n  default_backend nodes\n")
        .append("frontend stats\n  bind 127.0.0.1:").append(statsPort).append("\n  stats enable\n  stats uri /stats\n")
        .append("backend nodes\n  balance roundrobin\n  option httpchk GET /ready\n");
    for (BenchNode node : backends) {
      cfg.append("  server ").append(node.name).append(" 127.0.0.1:").append(node.port)
          .append(" check inter 2s fall 3 rise 2\n");
    }
    try {
      Path file = outDir.resolve("haproxy.cfg");
      Files.writeString(file, cfg.toString());
      Path log = outDir.resolve("haproxy.log");
      Process p = new ProcessBuilder(List.of("taskset", "-c", cpus, binary, "-db", "-f", file.toString()))
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      OwnProcesses.add(p);
      Haproxy h = new Haproxy(port, statsPort, log, p, new JvmProcess(p.pid(), clockTicksPerSecond));
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!listening(port)) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          h.close();
          throw new IllegalStateException("HAProxy did not start; see " + outDir.resolve("haproxy.log"));
        }
        Loop.pause(50);
      }
      Log.line("HAProxy (pid %d) on port %d, round-robin over %s", p.pid(), port,
          backends.stream().map(n -> n.name).toList());
      return h;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start HAProxy: " + e.getMessage(), e);
    }
  }

  /** Requests (HTTP requests and WebSocket upgrades) HAProxy sent to each backend so far, from its stats. */
  List<String> requestsPerBackend() {
    List<String> out = new ArrayList<>();
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + statsPort + "/stats;csv")).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      List<String> lines = r.body().lines().toList();
      List<String> header = Arrays.asList(lines.get(0).replaceFirst("^# ", "").split(","));
      int name = header.indexOf("svname");
      int requests = header.indexOf("req_tot");
      int sessions = header.indexOf("stot");
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.split(",", -1);
        if (f.length > Math.max(requests, sessions) && f[0].equals("nodes") && !f[name].equals("BACKEND")) {
          String count = requests >= 0 && !f[requests].isEmpty() ? f[requests] : f[sessions];
          out.add(f[name] + " " + count);
        }
      }
    } catch (IOException | RuntimeException e) {
      out.add("stats unavailable: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return out;
  }

  /** How many times a node failed its health checks and was taken out, from HAProxy's log. */
  long nodesTakenOut() {
    try {
      return Files.readAllLines(log).stream().filter(l -> l.contains(" is DOWN")).count();
    } catch (IOException e) {
      return -1;
    }
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return s.isConnected();
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    haproxy.destroy();
    try {
      if (!haproxy.waitFor(10, TimeUnit.SECONDS)) {
        haproxy.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
