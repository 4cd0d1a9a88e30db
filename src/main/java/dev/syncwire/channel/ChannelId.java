package dev.syncwire.channel;

/** A channel inside one tenant. The tenant always comes from the session, never from a frame. */
public record ChannelId(String tenant, String name) {
  @Override
  public String toString() {
    return tenant + "/" + name;
  }
}
