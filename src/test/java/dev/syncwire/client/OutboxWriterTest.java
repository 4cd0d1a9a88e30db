package dev.syncwire.client;

import dev.syncwire.testing.Await;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Adds handed over together share writes of the file, and keep their order. */
class OutboxWriterTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  /** The real store, with its writes counted; the first write waits for {@link #firstWrite} to open. */
  private static final class Counted implements Outbox {
    final Outbox store;
    final AtomicInteger writes = new AtomicInteger();
    final CountDownLatch firstWrite = new CountDownLatch(1);

    Counted(Outbox store) {
      this.store = store;
    }

    @Override
    public List<Entry> write(List<Draft> adds, Collection<Long> removals) {
      if (writes.incrementAndGet() == 1) {
        try {
          firstWrite.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return store.write(adds, removals);
    }

    @Override
    public List<Entry> entries() {
      return store.entries();
    }

    @Override
    public boolean durable() {
      return store.durable();
    }

    @Override
    public void close() {
      store.close();
    }
  }

  @Test
  void aBurstOfAddsSharesWritesInOrderAndFlushWaitsForThemAll(@TempDir Path dir) {
    Counted counted = new Counted(MvStoreOutbox.open(dir.resolve("o.db"), "scope"));
    Context context = vertx.getOrCreateContext();
    OutboxWriter writer = new OutboxWriter(context, counted);
    Promise<List<Outbox.Entry>> all = Promise.promise();
    context.runOnContext(v -> {
      List<Future<Outbox.Entry>> adds = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        adds.add(writer.add(new Outbox.Draft("c", "k" + i, "{\"data\":" + i + "}", Long.MAX_VALUE)));
      }
      writer.remove(1);
      // Only now may the first write end: a write that ends before the next add is handed over has
      // nothing to share, which is right, but would not show the grouping.
      counted.firstWrite.countDown();
      writer.flush().compose(f -> Future.all(adds)).map(f -> adds.stream().map(Future::result).toList())
          .onComplete(all);
    });
    List<Outbox.Entry> entries = Await.result(all.future());
    for (int i = 0; i < 1000; i++) {
      assertEquals("k" + i, entries.get(i).key());
      assertEquals(i + 1, entries.get(i).id());
    }
    // The first add is written alone; the rest, handed over while it was written, and the removal, in one more.
    assertEquals(2, counted.writes.get(), "1000 adds in " + counted.writes.get() + " writes");
    assertEquals(999, counted.entries().size(), "the removal went with them");
    counted.close();
  }
}
