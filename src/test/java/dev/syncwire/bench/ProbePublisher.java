package dev.syncwire.bench;

import dev.syncwire.client.SyncwireClient;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link SyncwireClient} that publishes through its outbox, in memory or in a file ({@code offlineStore}),
 * with a given {@code maxInFlight}; each {@code run N} command is one {@link OutboxRun} of N publications.
 */
final class ProbePublisher implements ProbeRole {
  private final SyncwireClient client;
  private final String channel;
  private final int window;

  ProbePublisher(Context context, URI url, String tenant, String channel, Path store, int maxInFlight, int window) {
    SyncwireClient.Builder b = SyncwireClient.builder(url.toString()).tenant(tenant).transports(List.of("websocket"))
        .maxInFlight(maxInFlight).context(context);
    if (store != null) {
      b.offlineStore(store);
    }
    this.client = b.build();
    this.channel = channel;
    this.window = window;
  }

  @Override
  public Future<Void> start() {
    return client.connect();
  }

  @Override
  public Future<JsonObject> command(String name, String argument) {
    if (!"run".equals(name)) {
      return Future.failedFuture("unknown command " + name);
    }
    return new OutboxRun(client, channel, Integer.parseInt(argument), window).start()
        .map(r -> r.put("pendingAfter", client.pending()).put("durable", client.durable()));
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }
}
