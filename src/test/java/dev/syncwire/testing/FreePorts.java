package dev.syncwire.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free ports for nodes started as separate processes, by the benchmarks and the tests. They are drawn
 * below Linux's ephemeral range (32768 and up): a port the kernel handed out as free there may be
 * taken by some outgoing connection before the node binds it. A port handed out once is never handed out
 * again by this JVM: a block for a cluster's Hazelcast members stays unbound until each member starts, and
 * must not become another node's HTTP port meanwhile.
 */
public final class FreePorts {
  private static final int LOWEST = 10_000;
  private static final int ABOVE_HIGHEST = 32_000;
  private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private FreePorts() {
  }

  /** A port nobody listens on now. */
  public static int port() {
    return block(1);
  }

  /** A free block of {@code n} consecutive ports (Hazelcast members try consecutive ports). */
  public static int block(int n) {
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = ThreadLocalRandom.current().nextInt(LOWEST, ABOVE_HIGHEST - n);
      if (free(base, n) && claim(base, n)) {
        return base;
      }
    }
    throw new IllegalStateException("no free block of " + n + " ports between " + LOWEST + " and " + ABOVE_HIGHEST);
  }

  /** Marks the block handed out; false (and nothing marked) if any of its ports already was. */
  private static synchronized boolean claim(int base, int n) {
    for (int i = 0; i < n; i++) {
      if (HANDED_OUT.contains(base + i)) {
        return false;
      }
    }
    for (int i = 0; i < n; i++) {
      HANDED_OUT.add(base + i);
    }
    return true;
  }

  private static boolean free(int base, int n) {
    for (int i = 0; i < n; i++) {
      try (ServerSocket s = new ServerSocket(base + i)) {
        s.setReuseAddress(true);
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }
}
