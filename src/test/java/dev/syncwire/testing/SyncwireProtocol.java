package dev.syncwire.testing;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** Syncwire's JSON protocol (docs/protocol.md §3 and §6): anonymous connect to a tenant, then subscribe. */
public final class SyncwireProtocol implements WireProtocol {
  private static final String PUB_PREFIX = "{\"type\":\"pub\"";
  private final String tenant;
  /** Prefix of the idempotency keys of publishes; null: publishes carry no key. */
  private final String keyPrefix;

  public SyncwireProtocol(String tenant) {
    this(tenant, false);
  }

  /**
   * With {@code keyed}, every publish carries an idempotency key (unique to this adapter and the command
   * id), as a client that must not lose or repeat a publish across a failover would send it.
   */
  public SyncwireProtocol(String tenant, boolean keyed) {
    this.tenant = tenant;
    this.keyPrefix = keyed ? "b" + Long.toString(System.nanoTime() & 0xffffffffL, 36) + "-" : null;
  }

  @Override
  public String name() {
    return "Syncwire";
  }

  @Override
  public Future<Void> join(LoadSocket socket, String channel) {
    Future<JsonObject> connected = socket.request(1, "connected",
        "{\"id\":1,\"type\":\"connect\",\"tenant\":\"" + tenant + "\"}");
    if (channel == null) {
      return connected.mapEmpty();
    }
    return connected.compose(c -> socket.request(2, "subscribed",
        "{\"id\":2,\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}")).mapEmpty();
  }

  @Override
  public String publishFrame(long commandId, String channel, String payload) {
    return "{\"id\":" + commandId + ",\"type\":\"publish\",\"channel\":\"" + channel + "\","
        + (keyPrefix == null ? "" : "\"key\":\"" + keyPrefix + commandId + "\",") + "\"data\":" + payload + "}";
  }

  @Override
  public boolean acksPublishes() {
    return true;
  }

  @Override
  public boolean keysPublishes() {
    return keyPrefix != null;
  }

  @Override
  public boolean isPublication(String frame) {
    return frame.startsWith(PUB_PREFIX);
  }

  @Override
  public void onControlFrame(LoadSocket socket, String frame) {
    JsonObject json = new JsonObject(frame);
    String type = json.getString("type", "");
    Long id = json.getLong("id");
    SocketEvents events = socket.events();
    if (type.equals("ack")) {
      events.acks++;
      if (id != null) {
        socket.acked(id, json);
      }
    } else if (id != null && socket.completeRequest(id, json)) {
      return;
    } else if (type.equals("error") && id != null && json.getBoolean("retry", false)
        && socket.retryLater(id, json.getLong("retryAfterMs", 100L))) {
      events.retried++;
    } else if (type.equals("error")) {
      events.errors++;
      events.lastProblem = frame;
    } else if (type.equals("reset")) {
      events.resets++;
      events.lastProblem = frame;
    } else {
      events.unexpectedFrames++;
      events.lastProblem = frame;
    }
  }
}
