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
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Adds handed over together share writes of the file, and keep their order. */
class OutboxWriterTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  /** The real store, with its writes counted. */
  private static final class Counted implements Outbox {
    final Outbox store;
    final AtomicInteger writes = new AtomicInteger();

    Counted(Outbox store) {
      this.store = store;
    }

    @Override
    public List<Entry> write(List<Draft> adds, Collection<Long> removals) {
      writes.incrementAndGet();
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
      writer.flush().compose(f -> Future.all(adds)).map(f -> adds.stream().map(Future::result).toList())
          .onComplete(all);
    });
    List<Outbox.Entry> entries = Await.result(all.future());
    for (int i = 0; i < 1000; i++) {
      assertEquals("k" + i, entries.get(i).key());
      assertEquals(i + 1, entries.get(i).id());
    }
    // The first add is written alone; the rest, and the removal, go in one or two more.
    assertTrue(counted.writes.get() <= 3, "1000 adds in " + counted.writes.get() + " writes");
    assertEquals(999, counted.entries().size(), "the removal went with them");
    counted.close();
  }
}
