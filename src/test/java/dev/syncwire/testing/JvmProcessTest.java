package dev.syncwire.testing;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JvmProcessTest {
  @Test
  void aThreadStatLineIsReadPastANameWithSpacesAndParentheses() {
    String stat = "4242 (C2 Comp) (x)) S 4200 4200 0 0 -1 4194368 5 0 0 0 731 129 0 0 20 0 40 0 1234 0 0";

    JvmProcess.CpuTicks times = JvmProcess.parseStat(stat);

    assertEquals("C2 Comp) (x)", times.comm());
    assertEquals(731, times.userTicks());
    assertEquals(129, times.systemTicks());
  }

  @Test
  void thisProcessesCpuTimeIsAtLeastThatOfItsLiveThreads() {
    JvmProcess self = JvmProcess.self(100);
    long threadTicks = self.threadTimes().values().stream().mapToLong(t -> t.userTicks() + t.systemTicks()).sum();

    double seconds = self.cpuSeconds();

    assertTrue(threadTicks > 0, "a JVM that ran this far used CPU");
    assertTrue(seconds >= threadTicks / 100.0,
        seconds + " s for the process, " + threadTicks + " ticks in its threads");
  }

  @Test
  void threadNamesAreMappedToKernelThreadIdsInHexOrDecimal() {
    String print = """
        Full thread dump OpenJDK 64-Bit Server VM (17.0.15+6-Debian-1deb12u1 mixed mode, sharing):

        "vert.x-eventloop-thread-0" #24 prio=5 os_prio=0 cpu=1520.11ms elapsed=60.2s tid=0x00007f nid=0x5f2a runnable  [0x1]
           java.lang.Thread.State: RUNNABLE

        "hz.sw_1.partition-operation.thread-0" #40 prio=5 os_prio=0 cpu=10.0ms elapsed=59.0s tid=0x00008a nid=24331 waiting
        "VM Thread" os_prio=0 cpu=88.12ms elapsed=60.3s tid=0x00009b nid=0x5ef1 runnable
        """;

    Map<Long, String> names = JvmProcess.parseThreadNames(print);

    assertEquals(Map.of(0x5f2aL, "vert.x-eventloop-thread-0", 24331L, "hz.sw_1.partition-operation.thread-0",
        0x5ef1L, "VM Thread"), names);
  }
}
