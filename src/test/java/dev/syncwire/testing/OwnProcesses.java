package dev.syncwire.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * The processes the kit started (nodes, HAProxy): whatever happens to the test or benchmark run, none of
 * them outlives it. Only these, by their own handle: never anything found by name.
 */
final class OwnProcesses {
  private static final List<Process> STARTED = new ArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(OwnProcesses::killAll, "kill-own-processes"));
  }

  private OwnProcesses() {
  }

  static synchronized void add(Process process) {
    STARTED.add(process);
  }

  private static synchronized void killAll() {
    for (Process p : STARTED) {
      if (p.isAlive()) {
        p.destroyForcibly();
      }
    }
  }
}
