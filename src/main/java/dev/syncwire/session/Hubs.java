package dev.syncwire.session;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Every {@link EventLoopHub} of the node, for node-wide work such as heartbeats and counts. */
public final class Hubs {
  private final List<EventLoopHub> hubs = new CopyOnWriteArrayList<>();

  public void add(EventLoopHub hub) {
    hubs.add(hub);
  }

  public void remove(EventLoopHub hub) {
    hubs.remove(hub);
  }

  public List<EventLoopHub> all() {
    return hubs;
  }

  /** Publications handed to subscriptions on every event loop since start. */
  public long deliveries() {
    long n = 0;
    for (EventLoopHub hub : hubs) {
      n += hub.deliveries();
    }
    return n;
  }

  public int sessionCount() {
    int n = 0;
    for (EventLoopHub hub : hubs) {
      n += hub.sessionCount();
    }
    return n;
  }
}
