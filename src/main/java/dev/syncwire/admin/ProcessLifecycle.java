package dev.syncwire.admin;

import io.vertx.core.Vertx;
import sun.misc.Signal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * How the node's process ends. Under the launcher, SIGTERM (and SIGINT) start the drain; once it is done
 * the node closes Vert.x, which hands its channels to the other members as it leaves the cluster, and the
 * process exits 0. A drain started by the admin API ends the same way. A second signal exits at once, and
 * a leave that overruns {@code drain.graceMs} (plus a margin) after the drain (itself at most
 * {@code drain.periodMs}) exits 1. A node deployed
 * without the launcher (in-process tests) drains but never exits the JVM.
 */
public final class ProcessLifecycle {
  private static final Logger LOG = Logger.getLogger(ProcessLifecycle.class.getName());
  /** Exit status of a second signal during a drain: 128 + SIGTERM, as if the signal had killed it. */
  public static final int EXIT_SECOND_SIGNAL = 143;
  /** Exit status when the drain and the leave overran their time. */
  public static final int EXIT_OVERRAN = 1;
  private static final long MARGIN_MS = 5_000;

  private static final AtomicInteger signals = new AtomicInteger();
  private static volatile boolean exitsWhenDrained;
  private static volatile Vertx vertx;
  private static volatile NodeDrain drain;
  private static volatile long limitMs;
  private static volatile boolean exitWhenReady;

  private ProcessLifecycle() {
  }

  /**
   * Called by the launcher before the node starts. With {@code exitWhenReady}, the node drains and exits as
   * soon as it is ready (a training run that loads and compiles the node's paths, then ends cleanly).
   */
  public static void installForProcess(boolean exitAsSoonAsReady) {
    exitsWhenDrained = true;
    exitWhenReady = exitAsSoonAsReady;
    Signal.handle(new Signal("TERM"), s -> onSignal("SIGTERM"));
    Signal.handle(new Signal("INT"), s -> onSignal("SIGINT"));
  }

  /** The node is up: its drain is the one signals start, and its end ends the process (under the launcher). */
  public static void nodeStarted(Vertx nodeVertx, NodeDrain nodeDrain, long graceMs) {
    vertx = nodeVertx;
    drain = nodeDrain;
    limitMs = graceMs + MARGIN_MS;
    nodeDrain.completion().onComplete(ar -> {
      if (exitsWhenDrained) {
        leaveAndExit();
      }
    });
  }

  /**
   * Called by the launcher once the node's deployment is complete: with {@code exitWhenReady}, the drain
   * starts only now, so that closing Vert.x never races the deployment it would undo.
   */
  public static void nodeDeployed() {
    NodeDrain d = drain;
    if (exitWhenReady && d != null) {
      d.start("ready, and started to exit when ready");
    }
  }

  private static void onSignal(String name) {
    if (signals.incrementAndGet() > 1) {
      LOG.warning(name + " again while draining: exiting now");
      Runtime.getRuntime().halt(EXIT_SECOND_SIGNAL);
    }
    NodeDrain d = drain;
    if (d == null) {
      // Not started (or failed to): nothing to drain.
      exitOnOwnThread(0);
      return;
    }
    d.start(name);
  }

  private static void leaveAndExit() {
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(limitMs);
      } catch (InterruptedException e) {
        return;
      }
      LOG.warning("drain and leave overran " + limitMs + " ms: exiting");
      Runtime.getRuntime().halt(EXIT_OVERRAN);
    }, "syncwire-drain-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    vertx.close().onComplete(ar -> {
      LOG.info("closed (and left the cluster, if in one): exiting");
      exitOnOwnThread(0);
    });
  }

  // Never from an event loop: exit runs the launcher's shutdown hook, which waits for Vert.x.
  private static void exitOnOwnThread(int status) {
    Thread exit = new Thread(() -> System.exit(status), "syncwire-exit");
    exit.start();
  }
}
