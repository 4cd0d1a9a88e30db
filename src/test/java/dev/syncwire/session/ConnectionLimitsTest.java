package dev.syncwire.session;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionLimitsTest {

  @Test
  void eachAddressGetsItsOwnLimitAndAReleaseMakesRoom() {
    ConnectionLimits limits = new ConnectionLimits(2, 0);
    assertTrue(limits.tryAcquireIp("10.0.0.1"));
    assertTrue(limits.tryAcquireIp("10.0.0.1"));
    assertFalse(limits.tryAcquireIp("10.0.0.1"));
    assertTrue(limits.tryAcquireIp("10.0.0.2"));
    assertEquals(2, limits.ipCount("10.0.0.1"));
    limits.releaseIp("10.0.0.1");
    assertTrue(limits.tryAcquireIp("10.0.0.1"));
    assertFalse(limits.tryAcquireIp("10.0.0.1"));
  }

  @Test
  void tenantsAreCountedApartFromAddresses() {
    ConnectionLimits limits = new ConnectionLimits(1, 1);
    assertTrue(limits.tryAcquireIp("demo"));
    assertTrue(limits.tryAcquireTenant("demo"));
    assertFalse(limits.tryAcquireTenant("demo"));
    assertTrue(limits.tryAcquireTenant("acme"));
    limits.releaseTenant("demo");
    assertEquals(0, limits.tenantCount("demo"));
    assertEquals(1, limits.ipCount("demo"));
  }

  @Test
  void zeroMeansUnlimitedAndCountsNothing() {
    ConnectionLimits limits = new ConnectionLimits(0, 0);
    for (int i = 0; i < 10_000; i++) {
      assertTrue(limits.tryAcquireIp("10.0.0.1"));
      assertTrue(limits.tryAcquireTenant("demo"));
    }
    limits.releaseIp("10.0.0.1");
    assertEquals(0, limits.ipCount("10.0.0.1"));
  }

  @Test
  void aReleaseWithoutAnAcquireNeverGoesBelowZero() {
    ConnectionLimits limits = new ConnectionLimits(1, 0);
    limits.releaseIp("10.0.0.1");
    assertEquals(0, limits.ipCount("10.0.0.1"));
    assertTrue(limits.tryAcquireIp("10.0.0.1"));
    assertFalse(limits.tryAcquireIp("10.0.0.1"));
  }

  @Test
  void threadsRacingForOneAddressGetExactlyTheLimitAndGiveItAllBack() throws Exception {
    int limit = 50;
    ConnectionLimits limits = new ConnectionLimits(limit, 0);
    AtomicInteger granted = new AtomicInteger();
    race(() -> {
      for (int i = 0; i < 1000; i++) {
        if (limits.tryAcquireIp("10.0.0.1")) {
          granted.incrementAndGet();
        }
      }
    });
    assertEquals(limit, granted.get());
    assertEquals(limit, limits.ipCount("10.0.0.1"));

    AtomicInteger toRelease = new AtomicInteger(limit);
    race(() -> {
      while (toRelease.getAndDecrement() > 0) {
        limits.releaseIp("10.0.0.1");
      }
    });
    assertEquals(0, limits.ipCount("10.0.0.1"));
    assertTrue(limits.tryAcquireIp("10.0.0.1"));
  }

  private static void race(Runnable work) throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      Thread thread = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        work.run();
      });
      thread.start();
      threads.add(thread);
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    }
  }
}
