package dev.syncwire.bridge.redis;

import dev.syncwire.channel.ChannelHistory;
import dev.syncwire.channel.ChannelHistoryContract;
import dev.syncwire.channel.ChannelId;
import dev.syncwire.channel.ChannelLog;
import dev.syncwire.channel.ChannelSettings;
import dev.syncwire.channel.Position;
import dev.syncwire.channel.Publication;
import dev.syncwire.channel.PublishOutcome;
import dev.syncwire.channel.Since;
import dev.syncwire.channel.StateLimits;
import dev.syncwire.channel.StoredLog;
import dev.syncwire.testing.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Channel history in a real Redis passes the same contract as the memory history: every append is a
 * write to Redis and every read loads the channel back from Redis, the way a new process would.
 */
class RedisChannelHistoryTest extends ChannelHistoryContract {
  private static final AtomicInteger CHANNELS = new AtomicInteger();
  private static RedisServer server;
  private static Vertx vertx;
  private static RedisChannelHistory store;

  @BeforeAll
  static void start() throws Exception {
    server = RedisServer.start();
    vertx = Vertx.vertx();
    RedisLink link = new RedisLink(vertx, server.url(), 5000);
    await(link.start());
    assertTrue(link.isUp());
    store = new RedisChannelHistory(link);
  }

  @AfterAll
  static void stop() throws Exception {
    await(store.link().close());
    await(vertx.close());
    server.close();
  }

  private static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    }
  }

  private static ChannelId newChannel() {
    return new ChannelId("t", "c" + CHANNELS.incrementAndGet());
  }

  private static ChannelSettings settings(int capacity, long ttlMs) {
    return new ChannelSettings(capacity, ttlMs, 600_000, 1000, new StateLimits(100, 100, 1000), 1 << 20);
  }

  @Override
  protected ChannelHistory newHistory(String epoch, int capacity, long ttlMs) {
    return new StoredHistory(newChannel(), epoch, settings(capacity, ttlMs));
  }

  /** Appends through the store; reads by loading the channel from Redis into a new log. */
  private static final class StoredHistory implements ChannelHistory {
    final ChannelId id;
    final String epoch;
    final ChannelSettings settings;

    StoredHistory(ChannelId id, String epoch, ChannelSettings settings) {
      this.id = id;
      this.epoch = epoch;
      this.settings = settings;
    }

    @Override
    public void append(Publication p, long nowMs) {
      try {
        await(store.append(id, settings, epoch, List.of(p), new long[] {nowMs}, null, false));
      } catch (dev.syncwire.broker.LogStore.Gap e) {
        throw new IllegalArgumentException(e.getMessage());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    private ChannelHistory loaded(long nowMs) {
      try {
        StoredLog stored = await(store.load(id, settings, nowMs));
        return ChannelLog.restore(id, settings, stored, nowMs).history();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public List<Publication> after(long afterSeq, long nowMs) {
      return loaded(nowMs).after(afterSeq, nowMs);
    }

    @Override
    public int size(long nowMs) {
      return loaded(nowMs).size(nowMs);
    }

    @Override
    public long payloadBytes() {
      return loaded(0).payloadBytes();
    }
  }

  @Test
  void aRestoredLogContinuesWithItsEpochKeysAndState() throws Exception {
    ChannelId id = newChannel();
    ChannelSettings settings = settings(100, 60_000);
    ChannelLog log = new ChannelLog(id, "epoch1", settings);
    long now = System.currentTimeMillis();
    List<Publication> written = new ArrayList<>();
    written.add(((PublishOutcome.Accepted) log.publish("k1", "{\"a\":1}", null, 0)).publication());
    written.add(((PublishOutcome.Accepted) log.publish(null, null,
        "{\"entity\":\"e\",\"set\":{\"x\":\"é\"},\"inc\":{\"n\":2}}", 0)).publication());
    await(store.append(id, settings, "epoch1", written, new long[] {now, now}, log.snapshotJson(), false));

    ChannelLog restored = ChannelLog.restore(id, settings, await(store.load(id, settings, now)), 1000);
    assertEquals("epoch1", restored.epoch());
    assertEquals(2, restored.seq());
    assertEquals(log.snapshotJson(), restored.snapshotJson());
    assertInstanceOf(PublishOutcome.Duplicate.class, restored.publish("k1", "{\"a\":1}", null, 1000),
        "the key written before the restart is still known");
    Position position = restored.subscribe(new Since("epoch1", 0), 1000);
    assertTrue(position.recovered());
    assertEquals(written, position.pubs());
    PublishOutcome next = restored.publish(null, null, "{\"entity\":\"e\",\"inc\":{\"n\":1}}", 1000);
    assertEquals(3, ((PublishOutcome.Accepted) next).publication().seq());
    io.vertx.core.json.JsonObject n = new io.vertx.core.json.JsonObject(restored.snapshotJson())
        .getJsonObject("entities").getJsonObject("e").getJsonObject("n");
    assertEquals(3L, n.getLong("v"), "the counter continues from the restored value");
    assertEquals(3L, n.getLong("seq"));
  }

  @Test
  void aWriteThatWouldLeaveAHoleIsRefusedAndARepeatedOneIsSkipped() throws Exception {
    ChannelId id = newChannel();
    ChannelSettings settings = settings(10, 60_000);
    long now = System.currentTimeMillis();
    Publication p1 = new Publication("e", 1, null, "1", null);
    Publication p2 = new Publication("e", 2, null, "2", null);
    Publication p3 = new Publication("e", 3, null, "3", null);
    assertEquals(1L, await(store.append(id, settings, "e", List.of(p1), new long[] {now}, null, false)));
    dev.syncwire.broker.LogStore.Gap gap = org.junit.jupiter.api.Assertions.assertThrows(
        dev.syncwire.broker.LogStore.Gap.class,
        () -> await(store.append(id, settings, "e", List.of(p3), new long[] {now}, null, false)));
    assertEquals(1, gap.storedSeq());
    assertEquals(3L, await(store.append(id, settings, "e", List.of(p1, p2, p3), new long[] {now, now, now}, null, false)));
    StoredLog stored = await(store.load(id, settings, now));
    assertEquals(List.of(p1, p2, p3), stored.tail());
  }

  @Test
  void anotherEpochReplacesTheStoredLog() throws Exception {
    ChannelId id = newChannel();
    ChannelSettings settings = settings(10, 60_000);
    long now = System.currentTimeMillis();
    await(store.append(id, settings, "old", List.of(new Publication("old", 1, null, "1", null),
        new Publication("old", 2, null, "2", null)), new long[] {now, now}, null, false));
    await(store.append(id, settings, "new", List.of(new Publication("new", 1, null, "x", null)), new long[] {now},
        null, false));
    StoredLog stored = await(store.load(id, settings, now));
    assertEquals("new", stored.epoch());
    assertEquals(List.of(new Publication("new", 1, null, "x", null)), stored.tail());
  }

  @Test
  void keysExpireAfterTheHistoryAndDedupWindowExceptAChannelsState() throws Exception {
    ChannelId plain = newChannel();
    ChannelId stateful = newChannel();
    ChannelSettings settings = settings(10, 60_000);
    long now = System.currentTimeMillis();
    await(store.append(plain, settings, "e", List.of(new Publication("e", 1, null, "1", null)), new long[] {now},
        null, false));
    await(store.append(stateful, settings, "e", List.of(new Publication("e", 1, null, null, "{}")), new long[] {now},
        "{\"seq\":1,\"entities\":{}}", false));
    long ttl = Long.parseLong(server.cli("PTTL", RedisChannelHistory.streamKey(plain)));
    assertTrue(ttl > 600_000 && ttl <= 600_000 + RedisChannelHistory.KEY_SLACK_MS, "stream ttl " + ttl);
    assertTrue(Long.parseLong(server.cli("PTTL", RedisChannelHistory.metaKey(plain))) > 600_000);
    assertEquals("-1", server.cli("PTTL", RedisChannelHistory.metaKey(stateful)), "state is kept");
  }

  @Test
  void theStreamIsTrimmedToAboutTheHistorySize() throws Exception {
    ChannelId id = newChannel();
    ChannelSettings settings = settings(5, 60_000);
    long now = System.currentTimeMillis();
    for (int i = 1; i <= 1000; i++) {
      await(store.append(id, settings, "e", List.of(new Publication("e", i, null, "1", null)), new long[] {now}, null,
          false));
    }
    long length = Long.parseLong(server.cli("XLEN", RedisChannelHistory.streamKey(id)));
    assertTrue(length >= 5 && length < 1000, "stream length " + length);
    assertEquals(5, await(store.load(id, settings, now)).tail().size());
  }

  @Test
  void nothingStoredLoadsAsNothing() throws Exception {
    assertNull(await(store.load(newChannel(), settings(10, 1000), System.currentTimeMillis())));
  }

  @Test
  void anAwayRedisFailsFastAsUnavailable() throws Exception {
    Vertx other = Vertx.vertx();
    try {
      RedisLink nowhere = new RedisLink(other, "redis://127.0.0.1:" + dev.syncwire.testing.FreePorts.port(), 1000);
      await(nowhere.start());
      assertTrue(!nowhere.isUp());
      RedisChannelHistory away = new RedisChannelHistory(nowhere);
      Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
          () -> await(away.load(newChannel(), settings(10, 1000), 0)));
      assertInstanceOf(RedisUnavailableException.class, e);
      await(nowhere.close());
    } finally {
      await(other.close());
    }
  }
}
