package dev.syncwire.channel;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A log written by one process continues in another: same epoch, seq, history, keys and state. */
class ChannelLogSerializationTest {

  private static ChannelLog roundTrip(ChannelLog log, long writtenAt, long readAt) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    log.writeTo(new DataOutputStream(bytes), writtenAt);
    return ChannelLog.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), readAt);
  }

  @Test
  void everythingSurvivesTheTrip() throws IOException {
    ChannelLog log = new ChannelLog(new ChannelId("t", "doc"), "ep", new ChannelSettings(100, 60_000, 60_000, 100,
        new StateLimits(10, 10, 1000), 1 << 20));
    long now = 5_000_000;
    log.publish("k1", "{\"a\":1}", null, now);
    log.publish("k2", null, "{\"entity\":\"e\",\"set\":{\"t\":\"é\",\"n\":{\"deep\":[1,2]}}}", now);
    log.publish(null, null, "{\"entity\":\"e\",\"inc\":{\"c\":2}}", now);

    // Another process with another monotonic clock reads it back.
    ChannelLog copy = roundTrip(log, now, 42);
    assertEquals("ep", copy.epoch());
    assertEquals(3, copy.seq());
    assertEquals(new ChannelId("t", "doc"), copy.id());
    assertEquals(log.snapshotJson(), copy.snapshotJson());
    assertEquals(log.subscribe(new Since("ep", 0), now).pubs(), copy.subscribe(new Since("ep", 0), 42).pubs());
    assertEquals(new PublishOutcome.Duplicate("ep", 1), copy.publish("k1", "{}", null, 42));
    assertEquals(4, ((PublishOutcome.Accepted) copy.publish("k3", "{}", null, 42)).publication().seq());
  }

  @Test
  void agesAreKeptAcrossClocks() throws IOException {
    ChannelLog log = new ChannelLog(new ChannelId("t", "c"), "ep", new ChannelSettings(100, 1000, 1000, 100,
        new StateLimits(10, 10, 1000), 1 << 20));
    log.publish("k", "1", null, 10_000);
    ChannelLog copy = roundTrip(log, 10_600, 0);
    assertEquals(1, copy.subscribe(new Since("ep", 0), 300).pubs().size(), "400 ms after the copy: 1000 ms old");
    assertEquals(null, copy.subscribe(new Since("ep", 0), 500).pubs(), "older than the ttl");
    assertInstanceOf(PublishOutcome.Accepted.class, copy.publish("k", "1", null, 500), "key left the window");
  }

  @Test
  void replicaFollowsThePrimaryExactly() throws IOException {
    ChannelSettings settings = new ChannelSettings(100, 60_000, 60_000, 100, new StateLimits(10, 10, 1000), 1 << 20);
    ChannelLog primary = new ChannelLog(new ChannelId("t", "c"), "ep", settings);
    ChannelLog replica = roundTrip(primary, 0, 0);
    String[] patches = {"{\"entity\":\"e\",\"set\":{\"a\":1}}", "{\"entity\":\"e\",\"inc\":{\"a\":2}}"};
    for (int i = 0; i < patches.length; i++) {
      PublishOutcome.Accepted a = (PublishOutcome.Accepted) primary.publish("key-" + i, null, patches[i], 0);
      replica.replicate(a.publication(), a.patch(), 0);
    }
    assertEquals(primary.snapshotJson(), replica.snapshotJson());
    assertEquals(primary.seq(), replica.seq());
    assertInstanceOf(PublishOutcome.Duplicate.class, replica.publish("key-1", "1", null, 0));
    Publication stale = new Publication("ep", 1, null, "1", null);
    assertThrows(IllegalStateException.class, () -> replica.replicate(stale, null, 0));
  }
}
