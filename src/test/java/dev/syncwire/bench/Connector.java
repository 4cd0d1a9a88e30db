package dev.syncwire.bench;

import dev.syncwire.testing.LoadSocket;
import dev.syncwire.testing.SocketEvents;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Opens many sockets to a target with a bounded number of handshakes in flight (the kernel's accept
 * queue is 4096 deep), spreading them over several loopback source addresses because one
 * source/destination pair has only ~28k ephemeral ports. Its methods run on the load generator's
 * event loop; one connector serves one workload and closes all its sockets at the end.
 */
final class Connector {
  private final Vertx vertx;
  private final List<WebSocketClient> clients = new ArrayList<>();
  private final List<LoadSocket> opened = new ArrayList<>();
  private int nextClient;

  Connector(Vertx vertx, List<String> sourceAddresses) {
    this.vertx = vertx;
    for (String source : sourceAddresses) {
      clients.add(vertx.createWebSocketClient(new WebSocketClientOptions()
          .setLocalAddress(source)
          .setMaxConnections(100_000)
          .setTcpNoDelay(true)
          .setConnectTimeout(30_000)
          // A recovery replay (subscribed with hundreds of pubs) is one large message.
          .setMaxFrameSize(4 * 1024 * 1024)
          .setMaxMessageSize(16 * 1024 * 1024)));
    }
  }

  /** The outcome of {@link #open}: the sockets that joined, how many did not, and when it all happened. */
  record Opened(List<LoadSocket> sockets, int failures, String firstFailure, long startNanos, long endNanos) {
    double seconds() {
      return (endNanos - startNanos) / 1e9;
    }
  }

  /**
   * Opens {@code count} sockets, each joined to {@code channelOf(i)} (null: no channel), with at most
   * {@code window} handshake-plus-join sequences in flight. When {@code joinTimes} is given, each
   * socket's time from its connect attempt to its completed join is recorded there, in microseconds.
   */
  Future<Opened> open(Target target, int firstIndex, int count, int window, IntFunction<String> channelOf,
                      SocketEvents events, Histogram joinTimes) {
    return new Batch(target, firstIndex, count, window, channelOf, events, joinTimes).start();
  }

  /** Closes every socket this connector opened and waits for the closes to finish. */
  Future<Void> closeAll() {
    List<Future<Void>> closes = new ArrayList<>();
    for (LoadSocket socket : opened) {
      closes.add(socket.close());
    }
    opened.clear();
    return Future.join(closes).transform(ar -> {
      List<Future<Void>> shutdowns = new ArrayList<>();
      for (WebSocketClient client : clients) {
        shutdowns.add(client.close());
      }
      return Future.join(shutdowns).mapEmpty();
    });
  }

  private WebSocketClient nextClient() {
    WebSocketClient client = clients.get(nextClient);
    nextClient = (nextClient + 1) % clients.size();
    return client;
  }

  /** One call to {@link #open}: keeps {@code window} attempts running until {@code count} have finished. */
  private final class Batch {
    private final Target target;
    private final int firstIndex;
    private final int count;
    private final int window;
    private final IntFunction<String> channelOf;
    private final SocketEvents events;
    private final Histogram joinTimes;
    private final List<LoadSocket> joined = new ArrayList<>();
    private final Promise<Opened> done = Promise.promise();
    private int started;
    private int finished;
    private int failures;
    private String firstFailure;
    private long startNanos;

    Batch(Target target, int firstIndex, int count, int window, IntFunction<String> channelOf,
          SocketEvents events, Histogram joinTimes) {
      this.target = target;
      this.firstIndex = firstIndex;
      this.count = count;
      this.window = window;
      this.channelOf = channelOf;
      this.events = events;
      this.joinTimes = joinTimes;
    }

    Future<Opened> start() {
      startNanos = System.nanoTime();
      if (count == 0) {
        finish();
      } else {
        for (int i = 0; i < Math.min(window, count); i++) {
          launch();
        }
      }
      return done.future();
    }

    private void launch() {
      int index = firstIndex + started++;
      long attemptNanos = System.nanoTime();
      WebSocketConnectOptions options = new WebSocketConnectOptions()
          .setHost(target.host()).setPort(target.portOf(index)).setURI(target.protocol().path());
      nextClient().connect(options)
          .compose(ws -> {
            LoadSocket socket = new LoadSocket(vertx, index, ws, target.protocol(), events);
            opened.add(socket);
            return target.protocol().join(socket, channelOf.apply(index)).map(v -> socket);
          })
          .onComplete(ar -> {
            if (ar.succeeded()) {
              joined.add(ar.result());
              if (joinTimes != null) {
                joinTimes.recordValue(Math.max(1, (System.nanoTime() - attemptNanos) / 1000));
              }
            } else {
              failures++;
              if (firstFailure == null) {
                firstFailure = String.valueOf(ar.cause());
              }
            }
            finished++;
            if (joined.isEmpty() && failures >= Math.min(window, count)) {
              giveUp();
            }
            if (started < count) {
              launch();
            } else if (finished == count) {
              finish();
            }
          });
    }

    // A whole window failed and nothing ever joined: the target is down or broken; do not try the rest.
    private void giveUp() {
      failures += count - started;
      finished += count - started;
      started = count;
    }

    private void finish() {
      done.complete(new Opened(joined, failures, firstFailure, startNanos, System.nanoTime()));
    }
  }
}
