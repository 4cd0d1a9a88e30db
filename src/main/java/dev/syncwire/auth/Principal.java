package dev.syncwire.auth;

import java.util.List;

/**
 * An authenticated session owner. {@code subscribe} and {@code publish} are the token's patterns, or
 * {@code null} when the token did not narrow that right; {@code expiresAtMs} is 0 without expiry.
 */
public record Principal(String tenant, String user, boolean anonymous, List<ChannelPattern> subscribe,
                        List<ChannelPattern> publish, boolean tenantAllowsPublish, long expiresAtMs) {

  public boolean maySubscribe(String channel) {
    return subscribe == null || anyMatch(subscribe, channel);
  }

  public boolean mayPublish(String channel) {
    return publish == null ? tenantAllowsPublish : anyMatch(publish, channel);
  }

  private static boolean anyMatch(List<ChannelPattern> patterns, String channel) {
    for (ChannelPattern p : patterns) {
      if (p.matches(channel)) {
        return true;
      }
    }
    return false;
  }
}
