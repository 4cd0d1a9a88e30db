package dev.syncwire.admin;

import dev.syncwire.session.EventLoopHub;
import dev.syncwire.session.Hubs;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** {@code POST /api/v1/disconnect}: a user's sessions closed with 4003 on this node, or on every node. */
public final class UserDisconnects {
  private static final long NODE_TIMEOUT_MS = 2_000;

  private UserDisconnects() {
  }

  /** Closes the user's sessions of this node, each on its own event loop; completes with how many. */
  public static Future<Integer> onThisNode(Hubs hubs, String tenant, String user) {
    List<Future<Integer>> closed = new ArrayList<>();
    for (EventLoopHub hub : hubs.all()) {
      Promise<Integer> promise = Promise.promise();
      hub.context().runOnContext(v -> promise.complete(hub.disconnectUser(tenant, user)));
      closed.add(promise.future());
    }
    return Future.all(closed).map(all -> closed.stream().mapToInt(Future::result).sum());
  }

  /** The request one node answers from the others; see {@link #answer}. */
  static JsonObject request(String tenant, String user) {
    return new JsonObject().put("tenant", tenant).put("user", user);
  }

  /** Runs a request from another node here; completes with the reply. */
  public static Future<JsonObject> answer(Hubs hubs, JsonObject request) {
    return onThisNode(hubs, request.getString("tenant"), request.getString("user"))
        .map(n -> new JsonObject().put("disconnected", n));
  }

  /** Asks every address in {@code nodeAddresses} (every node's, this one's included) and adds up the answers. */
  public static Future<Integer> onEveryNode(Vertx vertx, Collection<String> nodeAddresses, String tenant, String user) {
    List<Future<Integer>> answers = new ArrayList<>();
    for (String address : nodeAddresses) {
      answers.add(vertx.eventBus().<JsonObject>request(address, request(tenant, user),
          new DeliveryOptions().setSendTimeout(NODE_TIMEOUT_MS)).map(m -> m.body().getInteger("disconnected", 0)));
    }
    return Future.all(answers).map(all -> answers.stream().mapToInt(Future::result).sum());
  }
}
