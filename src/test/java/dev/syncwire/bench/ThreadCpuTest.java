package dev.syncwire.bench;

import dev.syncwire.bench.ThreadCpu.Role;
import dev.syncwire.testing.JvmProcess;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadCpuTest {
  /** USER_HZ, the unit of /proc CPU times: 100 on every Linux the benchmarks run on. */
  private static final int CLOCK_TICKS_PER_SECOND = 100;

  @Test
  void threadsAreToldByWhatTheirNamesSay() {
    assertEquals(Role.EVENT_LOOPS, Role.of("vert.x-eventloop-thread-3"));
    assertEquals(Role.EVENT_LOOPS, Role.of("vert.x-eventloo"));
    assertEquals(Role.HAZELCAST_OPERATIONS, Role.of("hz.happy_hopper.partition-operation.thread-1"));
    assertEquals(Role.HAZELCAST_OPERATIONS, Role.of("hz.happy_hopper.generic-operation.thread-0"));
    assertEquals(Role.HAZELCAST_OPERATIONS, Role.of("hz.happy_hopper.priority-generic-operation.thread-0"));
    assertEquals(Role.HAZELCAST_OPERATIONS, Role.of("hz.happy_hopper.response-0"));
    assertEquals(Role.HAZELCAST_IO, Role.of("hz.happy_hopper.IO.thread-in-0"));
    assertEquals(Role.HAZELCAST_IO, Role.of("hz.happy_hopper.IO.thread-out-0"));
    assertEquals(Role.HAZELCAST_OTHER, Role.of("hz.happy_hopper.cached.thread-2"));
    assertEquals(Role.HAZELCAST_OTHER, Role.of("hz.happy_hoppe"));
    assertEquals(Role.JIT, Role.of("C2 CompilerThread0"));
    assertEquals(Role.JIT, Role.of("C1 CompilerThre"));
    assertEquals(Role.GC, Role.of("VM Thread"));
    assertEquals(Role.GC, Role.of("GC Thread#1"));
    assertEquals(Role.OTHER, Role.of("syncwire-cluster-blocking-1"));
  }

  /**
   * A thread whose kernel name (15 characters) does not tell its kind burns CPU in this JVM: the window counts it as
   * what its Java name says, so the names really come from the process.
   */
  @Test
  void aWindowCountsEachThreadsCpuUnderTheKindItsJavaNameSays() throws Exception {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    CountDownLatch burned = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread burner = new Thread(() -> {
      while (mx.getCurrentThreadCpuTime() < 200_000_000L) {
        Thread.onSpinWait();
      }
      burned.countDown();
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "hz.sw_test.partition-operation.thread-0");
    ThreadCpu window = ThreadCpu.start(List.of(JvmProcess.self(CLOCK_TICKS_PER_SECOND)));
    burner.start();
    ThreadCpu.Breakdown breakdown;
    try {
      assertTrue(burned.await(60, TimeUnit.SECONDS), "the thread burned its CPU");
      window.stop();
      breakdown = window.breakdown();
    } finally {
      release.countDown();
      burner.join(60_000);
    }

    double operations = breakdown.of(Role.HAZELCAST_OPERATIONS).seconds();
    assertTrue(operations >= 0.15 && operations < 1, "the burning thread's 0.2 s, not " + operations);
    assertTrue(breakdown.of(Role.HAZELCAST_OTHER).seconds() < 0.1,
        "nothing told by its kernel name only: " + breakdown.of(Role.HAZELCAST_OTHER));
  }
}
