package dev.syncwire.broker;

import dev.syncwire.channel.ChannelId;
import dev.syncwire.channel.ChannelLogTest;
import dev.syncwire.channel.Position;
import dev.syncwire.channel.Since;
import dev.syncwire.protocol.ErrorCode;
import dev.syncwire.protocol.ProtocolException;
import dev.syncwire.testing.Await;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The single-node broker's contract, with sinks that just record what they receive. */
class LocalChannelBrokerTest {
  private Vertx vertx;
  private LocalChannelBroker broker;

  /** A sink that records publications in arrival order. */
  static final class RecordingSink implements PublicationSink {
    final List<Long> seqs = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void deliver(ChannelId channel, OutboundPublication publication) {
      seqs.add(publication.seq());
    }

    @Override
    public void reset(ChannelId channel, String reason) {
    }
  }

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    broker = new LocalChannelBroker(vertx, tenant -> ChannelLogTest.SETTINGS);
    Await.result(vertx.deployVerticle(() -> new ChannelVerticle(broker), new DeploymentOptions().setInstances(3)));
    assertEquals(3, broker.shardCount());
  }

  @AfterEach
  void stop() {
    vertx.close();
  }

  private static final ChannelId C = new ChannelId("t", "c");

  private ChannelBroker.PublishAck publish(ChannelId id, String data) {
    return Await.result(broker.publish(id, new ChannelBroker.PublishRequest(null, data, null)));
  }

  @Test
  void subscribeReturnsThePositionAndThenEveryLaterPublicationArrivesOnce() {
    publish(C, "1");
    RecordingSink sink = new RecordingSink();
    Position r = Await.result(broker.subscribe(C, Since.NONE, sink));
    assertEquals(1, r.seq());
    assertFalse(r.recovered());
    for (int i = 0; i < 100; i++) {
      publish(C, "x");
    }
    Await.until(Duration.ofSeconds(5), "100 deliveries", () -> sink.seqs.size() == 100);
    for (int i = 0; i < 100; i++) {
      assertEquals(i + 2L, sink.seqs.get(i));
    }
  }

  @Test
  void aSinkSubscribedTwiceGetsEachPublicationOnceAndStaysUntilBothUnsubscribe() {
    RecordingSink sink = new RecordingSink();
    Await.result(broker.subscribe(C, Since.NONE, sink));
    Await.result(broker.subscribe(C, Since.NONE, sink));
    publish(C, "a");
    broker.unsubscribe(C, sink);
    publish(C, "b");
    broker.unsubscribe(C, sink);
    publish(C, "c");
    Await.until(Duration.ofSeconds(5), "two deliveries", () -> sink.seqs.size() >= 2);
    assertEquals(List.of(1L, 2L), sink.seqs);
    assertEquals(1, Await.result(broker.channels("t")).size());
  }

  @Test
  void channelsAreIndependentAcrossTenantsAndNames() {
    assertEquals(1, publish(new ChannelId("a", "x"), "1").seq());
    assertEquals(1, publish(new ChannelId("b", "x"), "1").seq());
    assertEquals(1, publish(new ChannelId("a", "y"), "1").seq());
    assertEquals(2, publish(new ChannelId("a", "x"), "1").seq());
    List<ChannelBroker.ChannelInfo> a = Await.result(broker.channels("a"));
    assertEquals(List.of("x", "y"), a.stream().map(ChannelBroker.ChannelInfo::channel).toList());
  }

  @Test
  void sinceRecoversWhatWasMissedFromHistory() {
    ChannelBroker.PublishAck first = publish(C, "1");
    RecordingSink sink = new RecordingSink();
    assertTrue(Await.result(broker.subscribe(C, new Since(first.epoch(), 1), sink)).recovered());
    publish(C, "2");
    Position r = Await.result(broker.subscribe(C, new Since(first.epoch(), 1), sink));
    assertTrue(r.recovered());
    assertEquals(List.of("2"), r.pubs().stream().map(p -> p.dataJson()).toList());
    assertFalse(Await.result(broker.subscribe(C, new Since("other", 2), sink)).recovered());
  }

  private ProtocolException refusal(String key, String patchJson) {
    Throwable failure = broker.publish(C, new ChannelBroker.PublishRequest(key, null, patchJson))
        .toCompletionStage().toCompletableFuture().handle((v, e) -> e).join();
    return assertInstanceOf(ProtocolException.class, failure instanceof CompletionException ? failure.getCause() : failure);
  }

  @Test
  void refusedPatchesFailWithTheirCode() {
    ChannelBroker.PublishAck ok = Await.result(broker.publish(C,
        new ChannelBroker.PublishRequest("p1", null, "{\"entity\":\"e\",\"set\":{\"s\":\"x\"}}")));
    assertEquals(1, ok.seq());

    ProtocolException conflict = refusal(null, "{\"entity\":\"e\",\"set\":{\"s\":\"y\"},\"if\":{\"s\":7}}");
    assertEquals(ErrorCode.CONFLICT, conflict.code());
    assertEquals(new JsonObject("{\"s\":{\"v\":\"x\",\"seq\":1}}"), new JsonObject(conflict.currentJson()));
    ProtocolException notANumber = refusal(null, "{\"entity\":\"e\",\"inc\":{\"s\":1}}");
    assertEquals(ErrorCode.BAD_REQUEST, notANumber.code());
    assertEquals("inc on s, which is not a number", notANumber.getMessage());
    assertEquals(ErrorCode.BAD_REQUEST, refusal(null, "[1]").code());
    ProtocolException tooLarge = refusal(null, "{\"entity\":\"e\",\"set\":{\"s\":\"" + "x".repeat(2000) + "\"}}");
    assertEquals(ErrorCode.TOO_LARGE, tooLarge.code());
    assertEquals(1, Await.result(broker.channel(C)).info().seq(), "a refused patch takes no seq");

    ChannelBroker.PublishAck dup = Await.result(broker.publish(C,
        new ChannelBroker.PublishRequest("p1", null, "{\"entity\":\"e\",\"set\":{\"s\":\"z\"}}")));
    assertTrue(dup.duplicate());
    assertEquals(1, dup.seq());
    assertTrue(Await.result(broker.channel(C)).snapshotJson().contains("\"x\""));
  }

  @Test
  void concurrentPublishersGetDistinctConsecutiveSeqs() {
    List<Future<ChannelBroker.PublishAck>> all = new ArrayList<>();
    vertx.runOnContext(v -> {
      for (int i = 0; i < 500; i++) {
        synchronized (all) {
          all.add(broker.publish(C, new ChannelBroker.PublishRequest(null, "1", null)));
        }
      }
    });
    for (int i = 0; i < 500; i++) {
      publish(C, "2");
    }
    Await.until(Duration.ofSeconds(5), "first batch", () -> {
      synchronized (all) {
        return all.size() == 500;
      }
    });
    List<Long> seqs = new ArrayList<>();
    synchronized (all) {
      all.forEach(f -> seqs.add(Await.result(f).seq()));
    }
    assertEquals(500, seqs.stream().distinct().count());
    assertEquals(1000, Await.result(broker.channels("t")).get(0).seq());
  }
}
