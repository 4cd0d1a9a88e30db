package dev.syncwire.testing;

import dev.syncwire.bench.FreePorts;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real HAProxy in front of nodes: plain round-robin, no stickiness of any kind, with the readiness
 * check a production balancer would have ({@code GET /ready}, every 500 ms).
 */
public final class HaproxyProcess implements AutoCloseable {
  public final int port;
  private final Process process;

  private HaproxyProcess(int port, Process process) {
    this.port = port;
    this.process = process;
  }

  public static boolean installed() {
    return new File("/usr/sbin/haproxy").canExecute() || new File("/usr/bin/haproxy").canExecute();
  }

  public static HaproxyProcess start(List<Integer> backends) {
    try {
      int port = FreePorts.port();
      StringBuilder cfg = new StringBuilder()
          .append("global\n  maxconn 4096\n")
          .append("defaults\n  mode http\n  timeout connect 5s\n  timeout client 120s\n  timeout server 120s\n")
          .append("  timeout tunnel 1h\n  option http-server-close\n  option redispatch\n  retries 3\n")
          .append("frontend clients\n  bind 127.0.0.1:").append(port).append("\n  default_backend nodes\n")
          .append("backend nodes\n  balance roundrobin\n  option http-no-delay\n  option httpchk GET /ready\n");
      for (int i = 0; i < backends.size(); i++) {
        cfg.append("  server n").append(i).append(" 127.0.0.1:").append(backends.get(i))
            .append(" check inter 500 fall 1 rise 1\n");
      }
      Path dir = Path.of("target", "haproxy");
      Files.createDirectories(dir);
      Path file = dir.resolve("haproxy-" + port + ".cfg");
      Files.writeString(file, cfg.toString());
      String binary = new File("/usr/sbin/haproxy").canExecute() ? "/usr/sbin/haproxy" : "/usr/bin/haproxy";
      Process p = new ProcessBuilder(binary, "-db", "-f", file.toString()).redirectErrorStream(true)
          .redirectOutput(dir.resolve("haproxy-" + port + ".log").toFile()).start();
      HaproxyProcess h = new HaproxyProcess(port, p);
      Await.until(Duration.ofSeconds(10), "haproxy listening", () -> {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
          return true;
        } catch (IOException e) {
          return false;
        }
      });
      return h;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
