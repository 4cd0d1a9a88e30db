package dev.syncwire.session;

import dev.syncwire.guard.MemoryGuard;

/**
 * Whether the node takes new sessions and downstreams: not while its memory guard sheds load, and not once
 * it drains (it is leaving, and its clients are being sent elsewhere).
 */
public final class Admission {
  private final MemoryGuard guard;
  private volatile boolean draining;

  public Admission(MemoryGuard guard) {
    this.guard = guard;
  }

  public boolean refusesNewSessions() {
    return draining || guard.engaged();
  }

  public boolean draining() {
    return draining;
  }

  /** From now on every new connection is refused; there is no way back. */
  public void startDraining() {
    draining = true;
  }
}
