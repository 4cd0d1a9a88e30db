package dev.syncwire.client;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * A process for {@link OutboxCrashIT}: {@code URL STORE CHANNEL COUNT} opens a client of tenant demo at URL
 * with its durable outbox in STORE and connects, trying for as long as it runs. It hands over COUNT
 * publications to CHANNEL (keys {@code k0}, {@code k1}, ...) printing "PUBLISHED key" as each publish call
 * returns, "STORED pending" once every one of them is in the outbox file, and "ACKED key seq" for each
 * acknowledgement. Then it waits to be killed; the end of its input ends it too, so that it never outlives
 * the test.
 */
final class OutboxCrashChild {
  private OutboxCrashChild() {
  }

  static String key(int n) {
    return "k" + n;
  }

  static JsonObject data(int n) {
    return new JsonObject().put("n", n).put("text", "ü \"q\" 🎉");
  }

  public static void main(String[] args) {
    String url = args[0];
    Path store = Path.of(args[1]);
    String channel = args[2];
    int count = Integer.parseInt(args[3]);
    Thread guard = new Thread(OutboxCrashChild::exitAtEndOfInput, "input-guard");
    guard.setDaemon(true);
    guard.start();

    SyncwireClient client = SyncwireClient.builder(url).tenant("demo").offlineStore(store)
        .openTimeoutMs(1000).baseDelayMs(200).jitterMs(100).maxDelayMs(1000).maxAttempts(0).build();
    client.connect();
    for (int n = 0; n < count; n++) {
      String key = key(n);
      client.publish(channel, data(n), key).onSuccess(ack -> print("ACKED " + key + " " + ack.seq()));
      print("PUBLISHED " + key);
    }
    client.flush().onComplete(ar -> print(ar.succeeded() ? "STORED " + client.pending() : "NOT STORED " + ar.cause()));
  }

  private static synchronized void print(String line) {
    System.out.println(line);
    System.out.flush();
  }

  private static void exitAtEndOfInput() {
    try (InputStream in = System.in) {
      while (in.read() >= 0) {
        // Only its end matters.
      }
    } catch (IOException e) {
      // The parent is gone all the same.
    }
    System.exit(0);
  }
}
