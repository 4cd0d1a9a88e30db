package dev.syncwire.session;

import dev.syncwire.broker.OutboundPublication;
import dev.syncwire.channel.ChannelId;
import dev.syncwire.channel.ChannelLog;
import dev.syncwire.channel.ChannelLogTest;
import dev.syncwire.channel.Patch;
import dev.syncwire.channel.PublishOutcome;
import dev.syncwire.protocol.JsonCodec;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A session's outbound queue over a fake transport: straight through while the transport has room, in
 * order behind it while it is full, bounded in bytes, and conflating patches above its high-water mark.
 * Single-threaded, as on a session's event loop.
 */
class OutboundBufferTest {
  private static final int TRANSPORT_HIGH_WATER = 4096;

  private final FakeTransport transport = FakeTransport.webSocketLike(TRANSPORT_HIGH_WATER);

  /** A JSON frame of exactly {@code length} bytes, {@code {"n":"<tag>.…"}}. */
  private static byte[] frame(String tag, int length) {
    String head = "{\"n\":\"" + tag;
    return (head + ".".repeat(length - head.length() - 2) + "\"}").getBytes();
  }

  private static String tag(JsonObject frame) {
    return frame.getString("n").replace(".", "");
  }

  /** Fills the transport past its high-water mark with a frame the peer does not read yet. */
  private void fillTransport(OutboundBuffer buffer) {
    transport.stallPeer();
    assertTrue(buffer.offer(frame("filler", TRANSPORT_HIGH_WATER), null));
    transport.flush();
    assertFalse(transport.writable());
  }

  /** The peer reads everything; the buffer moves its waiting frames as the transport makes room. */
  private void drainAll(OutboundBuffer buffer) {
    transport.resumePeer();
    while (buffer.drainToTransport()) {
      transport.flush();
    }
  }

  @Test
  void framesGoStraightToATransportWithRoomAndNothingWaits() {
    OutboundBuffer buffer = new OutboundBuffer(transport, JsonCodec.INSTANCE, 10_000, 5_000);
    assertTrue(buffer.offer(frame("a", 100), "c"));
    assertTrue(buffer.offer(frame("b", 100), null));
    assertEquals(0, buffer.queuedBytes());
    assertEquals(200, transport.pendingBytes(), "written, not flushed: the session flushes");
    transport.flush();
    assertEquals(List.of("a", "b"), transport.receivedNow().stream().map(OutboundBufferTest::tag).toList());
  }

  @Test
  void framesWaitWhileTheTransportIsFullAndLeaveInOrderOnceItHasRoom() {
    OutboundBuffer buffer = new OutboundBuffer(transport, JsonCodec.INSTANCE, 1 << 20, 1 << 20);
    fillTransport(buffer);
    for (int i = 0; i < 20; i++) {
      assertTrue(buffer.offer(frame("f" + i, 1000), i % 2 == 0 ? "even" : "odd"));
    }
    assertEquals(20_000, buffer.queuedBytes());
    assertEquals(List.of(), transport.receivedNow());

    drainAll(buffer);
    List<String> tags = transport.receivedNow().stream().map(OutboundBufferTest::tag).toList();
    assertEquals(21, tags.size());
    for (int i = 0; i < 20; i++) {
      assertEquals("f" + i, tags.get(i + 1));
    }
    assertEquals(0, buffer.queuedBytes());
  }

  @Test
  void aNewFrameWaitsBehindWaitingOnesEvenWhenTheTransportHasRoomAgain() {
    OutboundBuffer buffer = new OutboundBuffer(transport, JsonCodec.INSTANCE, 1 << 20, 1 << 20);
    fillTransport(buffer);
    buffer.offer(frame("waiting", 100), "c");
    transport.resumePeer();
    assertTrue(transport.writable());
    buffer.offer(frame("later", 100), "c");
    assertEquals(200, buffer.queuedBytes(), "the later frame did not overtake");
    drainAll(buffer);
    assertEquals(List.of("filler", "waiting", "later"),
        transport.receivedNow().stream().map(OutboundBufferTest::tag).toList());
  }

  @Test
  void theLimitBoundsWaitingBytesAndTheTransportsPendingBytesTogether() {
    long limit = TRANSPORT_HIGH_WATER + 3000;
    OutboundBuffer buffer = new OutboundBuffer(transport, JsonCodec.INSTANCE, limit, 1 << 20);
    fillTransport(buffer);
    assertTrue(buffer.offer(frame("a", 2000), "c"));
    assertTrue(buffer.offer(frame("b", 1000), "c"), "exactly at the limit is within it");
    assertTrue(buffer.withinLimit());
    assertFalse(buffer.offer(frame("c", 20), "c"), "one frame more is past it");
    assertFalse(buffer.withinLimit());

    buffer.clear();
    assertEquals(0, buffer.queuedBytes());
    assertTrue(buffer.withinLimit());
    drainAll(buffer);
    assertEquals(List.of("filler"), transport.receivedNow().stream().map(OutboundBufferTest::tag).toList(),
        "cleared frames never leave");
  }

  @Test
  void theHeaviestChannelIsTheOneWithTheMostWaitingBytesAndDroppingItKeepsTheOthersInOrder() {
    OutboundBuffer buffer = new OutboundBuffer(transport, JsonCodec.INSTANCE, 1 << 20, 1 << 20);
    assertNull(buffer.heaviestChannel());
    fillTransport(buffer);
    buffer.offer(frame("a1", 300), "a");
    buffer.offer(frame("b1", 1000), "b");
    buffer.offer(frame("reply", 5000), null);
    buffer.offer(frame("a2", 300), "a");
    buffer.offer(frame("a3", 300), "a");
    buffer.offer(frame("b2", 100), "b");
    assertEquals("b", buffer.heaviestChannel(), "1100 bytes of b against 900 of a; replies belong to no channel");

    buffer.dropChannel("b");
    assertEquals(900 + 5000, buffer.queuedBytes());
    assertEquals("a", buffer.heaviestChannel());
    drainAll(buffer);
    assertEquals(List.of("filler", "a1", "reply", "a2", "a3"),
        transport.receivedNow().stream().map(OutboundBufferTest::tag).toList());
  }

  @Test
  void waitingPatchesOfOneEntityAreMergedOnceTheyPassTheHighWaterMark() {
    OutboundBuffer buffer = new OutboundBuffer(transport, JsonCodec.INSTANCE, 1 << 20, 500);
    fillTransport(buffer);
    List<OutboundPublication> patches = counterPatches(10);
    for (OutboundPublication p : patches) {
      assertTrue(buffer.offer(p));
    }
    assertTrue(buffer.conflatedPushes() > 0);
    long queued = buffer.queuedBytes();
    assertTrue(queued < patches.get(0).encoded(JsonCodec.INSTANCE).length * 3L,
        "ten patches of one entity take the room of about one: " + queued);

    drainAll(buffer);
    List<JsonObject> pubs = transport.receivedNow().subList(1, transport.receivedNow().size());
    JsonObject last = pubs.get(pubs.size() - 1);
    assertEquals(10L, last.getLong("seq"), "the merged pushes end at the last publication");
    assertEquals(1L, pubs.get(0).getLong("from", pubs.get(0).getLong("seq")), "and cover the run from its start");
    assertEquals(10, last.getJsonObject("patch").getJsonObject("set").getInteger("n"));
  }

  @Test
  void belowTheHighWaterMarkEveryPatchLeavesAsItCame() {
    OutboundBuffer buffer = new OutboundBuffer(transport, JsonCodec.INSTANCE, 1 << 20, 1 << 20);
    fillTransport(buffer);
    counterPatches(10).forEach(buffer::offer);
    assertEquals(0, buffer.conflatedPushes());
    drainAll(buffer);
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L), transport.receivedNow().subList(1, 11).stream()
        .map(f -> f.getLong("seq")).toList());
  }

  /** {@code count} publications of one channel, each setting field n of entity e to its seq. */
  private static List<OutboundPublication> counterPatches(int count) {
    ChannelId channel = new ChannelId("t", "doc");
    ChannelLog log = new ChannelLog(channel, "ep", ChannelLogTest.SETTINGS);
    return java.util.stream.IntStream.rangeClosed(1, count).mapToObj(i -> {
      String patch = new JsonObject().put("entity", "e").put("set", new JsonObject().put("n", i)).encode();
      PublishOutcome.Accepted a = (PublishOutcome.Accepted) log.publish(null, null, patch, 1_000);
      return new OutboundPublication(channel, a.publication(), a.patch(), a.versions());
    }).toList();
  }
}
