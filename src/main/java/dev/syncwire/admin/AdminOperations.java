package dev.syncwire.admin;

import dev.syncwire.telemetry.MetricsEndpoint;
import io.vertx.core.Future;

/**
 * What the admin port offers operators beside the channel API.
 *
 * @param metrics           the Prometheus scrape of {@code GET /metrics}
 * @param metricsRequireKey whether {@code /metrics} needs the admin key like {@code /api/v1}
 * @param drain             this node's drain ({@code POST /api/v1/drain})
 * @param disconnect        closes a user's sessions on every node, answering how many
 *                          ({@code POST /api/v1/disconnect})
 * @param dashboard         the live dashboard at {@code GET /} and its event stream
 */
public record AdminOperations(MetricsEndpoint metrics, boolean metricsRequireKey, NodeDrain drain,
                              UserDisconnect disconnect, Dashboard dashboard) {

  /** Closes the sessions of one user of one tenant wherever they are. */
  public interface UserDisconnect {
    Future<Integer> disconnect(String tenant, String user);
  }
}
