package dev.syncwire.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** What a {@link ClientProbe} does: it starts once, then answers the benchmark's commands, on its event loop. */
interface ProbeRole {

  /** Connects (and subscribes); the probe reports ready once this completes. */
  Future<Void> start();

  /** One command line, split into its name and the rest; answers with one JSON object. */
  Future<JsonObject> command(String name, String argument);

  Future<Void> close();
}
