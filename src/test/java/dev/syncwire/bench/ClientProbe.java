package dev.syncwire.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The Java client in a JVM of its own, for the client workload: the benchmark starts it pinned to a CPU and
 * reads its CPU time from /proc, so that what it measures is the client's alone. It reads one command per
 * line on stdin and answers each with one line of JSON on stdout (the first line, {@code {"ready":true}},
 * once connected); it exits when stdin ends, so that it never outlives the benchmark.
 *
 * <pre>
 *   --role subscriber --url U --channel C --subscriber client|raw [--transport websocket|sse]
 *       [--encoding json|protobuf]
 *       commands: count, mark, stats
 *   --role outbox --url U --channel C [--store FILE] --max-in-flight N --window W
 *       commands: run N
 * </pre>
 *
 * The client runs as a service would run it by default: one event loop, two workers.
 */
public final class ClientProbe {
  private ClientProbe() {
  }

  public static void main(String[] args) {
    try {
      run(options(args));
    } catch (IOException | RuntimeException e) {
      // Vert.x's threads would keep a failed probe alive; the benchmark reads the log.
      e.printStackTrace();
      System.exit(1);
    }
    System.exit(0);
  }

  private static void run(Map<String, String> o) throws IOException {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2)
        .setInternalBlockingPoolSize(1));
    Context context = vertx.getOrCreateContext();
    URI url = URI.create(o.get("url"));
    String tenant = o.getOrDefault("tenant", "demo");
    ProbeRole role = switch (o.get("role")) {
      case "subscriber" -> new ProbeSubscriber(context, url, tenant, o.get("channel"), o.get("subscriber"),
          o.getOrDefault("transport", "websocket"), o.getOrDefault("encoding", "json"));
      case "outbox" -> new ProbePublisher(context, url, tenant, o.get("channel"),
          o.containsKey("store") ? Path.of(o.get("store")) : null, Integer.parseInt(o.get("max-in-flight")),
          Integer.parseInt(o.get("window")));
      default -> throw new IllegalArgumentException("--role subscriber|outbox");
    };
    on(context, role::start).await();
    System.out.println(new JsonObject().put("ready", true).encode());
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
      int space = line.indexOf(' ');
      String name = space < 0 ? line : line.substring(0, space);
      String argument = space < 0 ? "" : line.substring(space + 1);
      JsonObject reply;
      try {
        reply = on(context, () -> role.command(name, argument)).await();
      } catch (RuntimeException e) {
        reply = new JsonObject().put("error", String.valueOf(e));
      }
      System.out.println(reply.encode());
      System.out.flush();
    }
    try {
      on(context, role::close).await();
    } finally {
      vertx.close().await();
    }
  }

  /** Runs {@code work} on the probe's event loop and hands back its future to a thread outside it. */
  private static <T> Future<T> on(Context context, Supplier<Future<T>> work) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> {
      try {
        work.get().onComplete(result);
      } catch (RuntimeException e) {
        result.fail(e);
      }
    });
    return result.future();
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
      }
      o.put(args[i].substring(2), args[i + 1]);
    }
    return o;
  }
}
