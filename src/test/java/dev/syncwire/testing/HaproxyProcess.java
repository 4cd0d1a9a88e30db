package dev.syncwire.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real HAProxy in front of nodes: plain round-robin per request, no stickiness of any kind, WebSockets
 * tunnelled, and a readiness check ({@code GET /ready}) as a production balancer would have. A stats page
 * tells how the requests were spread. {@code option http-no-delay}: without it HAProxy holds streamed
 * response data back to send full packets, which put SSE's median latency at about 240 ms at low rates
 * here (60 ms with it). Started with a block list ({@link #startBlocking}), it refuses some paths as a proxy
 * that blocks a transport would, and that list changes while it runs.
 */
public final class HaproxyProcess implements AutoCloseable {
  /** How HAProxy checks its nodes and keeps its connections to them. */
  public enum Checks {
    /**
     * For tests: a node is out after one failed check, every 500 ms, so a dead node stops getting requests
     * within a second; connections to the nodes close after each response.
     */
    QUICK("check inter 500 fall 1 rise 1", "  option http-server-close\n"),
    /**
     * HAProxy's defaults (every 2 s, out after 3 failures) with keep-alive, for the benchmark: a tighter check
     * takes every node out at once when three nodes share one saturated core and answer {@code /ready} late.
     */
    DEFAULT("check inter 2s fall 3 rise 2", "  timeout check 2s\n");

    private final String server;
    private final String defaults;

    Checks(String server, String defaults) {
      this.server = server;
      this.defaults = defaults;
    }
  }

  public final int port;
  private final int statsPort;
  private final Path log;
  private final Process process;
  private final JvmProcess observed;
  /** The file of the block list's ACL, or null without one. */
  private final Path blockList;

  private HaproxyProcess(int port, int statsPort, Path log, Process process, JvmProcess observed, Path blockList) {
    this.port = port;
    this.statsPort = statsPort;
    this.log = log;
    this.process = process;
    this.observed = observed;
    this.blockList = blockList;
  }

  public static boolean installed() {
    return binary() != null;
  }

  /** HAProxy for a test: the installed binary, {@link Checks#QUICK}, files in target/haproxy. */
  public static HaproxyProcess start(List<NodeProcess> backends) {
    return start(binary(), Checks.QUICK, null, Path.of("target", "haproxy"), backends, 100);
  }

  /**
   * HAProxy for a test that answers {@code 403} to every request whose path starts with one of {@code blocked}
   * (say {@code /ws}), as a proxy that lets no WebSocket through would; {@link #block} and {@link #unblock}
   * change the list while it runs, through HAProxy's runtime API.
   */
  public static HaproxyProcess startBlocking(List<NodeProcess> backends, List<String> blocked) {
    return start(binary(), Checks.QUICK, null, Path.of("target", "haproxy"), backends, 100, List.copyOf(blocked));
  }

  /**
   * Starts HAProxy ({@code binary}) in front of {@code backends}, pinned to {@code cpus} with {@code taskset}
   * and one thread per CPU (null: not pinned, HAProxy's own thread count), and waits until it listens. Its
   * config and log go to {@code dir}, named after its port.
   */
  public static HaproxyProcess start(String binary, Checks checks, String cpus, Path dir, List<NodeProcess> backends,
                                     int clockTicksPerSecond) {
    return start(binary, checks, cpus, dir, backends, clockTicksPerSecond, null);
  }

  /** As above; {@code blocked}, when not null, is the initial block list (its runtime API on the port after stats). */
  private static HaproxyProcess start(String binary, Checks checks, String cpus, Path dir, List<NodeProcess> backends,
                                      int clockTicksPerSecond, List<String> blocked) {
    int port = FreePorts.block(blocked == null ? 2 : 3);
    int statsPort = port + 1;
    Path blockList = blocked == null ? null : dir.resolve("haproxy-" + port + "-blocked.acl").toAbsolutePath();
    StringBuilder cfg = new StringBuilder("global\n  maxconn 8000\n");
    if (cpus != null) {
      cfg.append("  nbthread ").append(cpuCount(cpus)).append('\n');
    }
    if (blockList != null) {
      cfg.append("  stats socket ipv4@127.0.0.1:").append(statsPort + 1).append(" level admin\n");
    }
    cfg.append("defaults\n  mode http\n  maxconn 8000\n  timeout connect 5s\n  timeout client 120s\n")
        .append("  timeout server 120s\n  timeout tunnel 1h\n").append(checks.defaults)
        .append("  option redispatch\n  retries 3\n  option http-no-delay\n")
        .append("frontend clients\n  bind 127.0.0.1:").append(port).append('\n');
    if (blockList != null) {
      cfg.append("  acl blocked path_beg -f ").append(blockList).append('\n')
          .append("  http-request deny deny_status 403 if blocked\n");
    }
    cfg.append("  default_backend nodes\n")
        .append("frontend stats\n  bind 127.0.0.1:").append(statsPort).append("\n  stats enable\n  stats uri /stats\n")
        .append("backend nodes\n  balance roundrobin\n  option httpchk GET /ready\n");
    for (NodeProcess node : backends) {
      cfg.append("  server ").append(node.name).append(" 127.0.0.1:").append(node.port).append(' ')
          .append(checks.server).append('\n');
    }
    try {
      Files.createDirectories(dir);
      if (blockList != null) {
        Files.write(blockList, blocked);
      }
      Path file = dir.resolve("haproxy-" + port + ".cfg");
      Files.writeString(file, cfg.toString());
      Path log = dir.resolve("haproxy-" + port + ".log");
      List<String> cmd = new ArrayList<>();
      if (cpus != null) {
        cmd.addAll(List.of("taskset", "-c", cpus));
      }
      cmd.addAll(List.of(binary, "-db", "-f", file.toString()));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      OwnProcesses.add(p);
      HaproxyProcess h = new HaproxyProcess(port, statsPort, log, p, new JvmProcess(p.pid(), clockTicksPerSecond),
          blockList);
      try {
        Await.until(Duration.ofSeconds(10), "HAProxy listening (see " + log + ")", () -> {
          if (!p.isAlive()) {
            throw new IllegalStateException("HAProxy exited with " + p.exitValue() + "; see " + log);
          }
          return listening(port);
        });
      } catch (RuntimeException | Error e) {
        h.close();
        throw e;
      }
      return h;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start HAProxy: " + e.getMessage(), e);
    }
  }

  /** Refuses requests whose path starts with {@code pathPrefix} from now on; needs {@link #startBlocking}. */
  public void block(String pathPrefix) {
    runtime("add acl " + blockList + " " + pathPrefix);
  }

  /** Lets requests whose path starts with {@code pathPrefix} through again (new ones; open ones were never cut). */
  public void unblock(String pathPrefix) {
    runtime("del acl " + blockList + " " + pathPrefix);
  }

  /** One command of HAProxy's runtime API, which answers it and closes; anything but a blank answer is an error. */
  private void runtime(String command) {
    if (blockList == null) {
      throw new IllegalStateException("this HAProxy was started without a block list");
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", statsPort + 1), 2000);
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write((command + "\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      if (!answer.isBlank()) {
        throw new IllegalStateException("HAProxy refused \"" + command + "\": " + answer.trim());
      }
    } catch (IOException e) {
      throw new IllegalStateException("HAProxy's runtime API did not answer \"" + command + "\": " + e, e);
    }
  }

  /** The process, for its CPU time. */
  public JvmProcess process() {
    return observed;
  }

  /** Requests (HTTP requests and WebSocket upgrades) HAProxy sent to each backend so far, from its stats. */
  public List<String> requestsPerBackend() {
    List<String> out = new ArrayList<>();
    try {
      HttpResponse<String> r = Http.send(Http.request(statsPort, "/stats;csv").timeout(Duration.ofSeconds(5)));
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
    } catch (RuntimeException | AssertionError e) {
      out.add("stats unavailable: " + e.getMessage());
    }
    return out;
  }

  /** How many times a node failed its health checks and was taken out, from HAProxy's log. */
  public long nodesTakenOut() {
    try {
      return Files.readAllLines(log).stream().filter(l -> l.contains(" is DOWN")).count();
    } catch (IOException e) {
      return -1;
    }
  }

  /** The log's file name, for reports. */
  public String logName() {
    return log.getFileName().toString();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String binary() {
    for (String candidate : List.of("/usr/sbin/haproxy", "/usr/bin/haproxy")) {
      if (new File(candidate).canExecute()) {
        return candidate;
      }
    }
    return null;
  }

  /** The number of CPUs in a taskset list such as "0", "0,2" or "0-3". */
  private static int cpuCount(String cpus) {
    int count = 0;
    for (String part : cpus.split(",")) {
      String[] range = part.trim().split("-");
      count += range.length == 1 ? 1 : Integer.parseInt(range[1]) - Integer.parseInt(range[0]) + 1;
    }
    return count;
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
