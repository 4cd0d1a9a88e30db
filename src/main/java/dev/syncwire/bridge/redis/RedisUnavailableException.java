package dev.syncwire.bridge.redis;

/** A Redis call that could not be made or did not answer in time; Redis may be away. No stack trace. */
public final class RedisUnavailableException extends RuntimeException {
  public RedisUnavailableException(String message) {
    super(message, null, false, false);
  }
}
