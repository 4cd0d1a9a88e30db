package dev.syncwire.cluster.operation;

import dev.syncwire.broker.ChannelBroker.PublishAck;
import dev.syncwire.broker.ChannelBroker.PublishRequest;
import dev.syncwire.channel.ChannelLogTest;
import dev.syncwire.channel.PublishOutcome;
import dev.syncwire.protocol.ErrorCode;
import dev.syncwire.protocol.ProtocolException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A publish decided on a channel's owner reaches the node that asked through Hazelcast's serialization,
 * and is answered there exactly as a node alone answers it.
 */
class PublishRepliesTest {
  private static ProtocolException refusal(PublishOutcome outcome) {
    return assertThrows(ProtocolException.class, () -> PublishAck.of(outcome));
  }

  @Test
  void everyOutcomeCrossesTheClusterAndIsAnsweredWithItsCode() {
    Map.Entry<String, ChannelEntry> entry = new AbstractMap.SimpleEntry<>("t/doc", null);
    String tooLarge = "{\"entity\":\"e\",\"set\":{\"s\":\"" + "x".repeat(2000) + "\"}}";
    Publish publish = new Publish(List.of(
        new PublishRequest("k", null, "{\"entity\":\"e\",\"set\":{\"s\":\"x\"}}"),
        new PublishRequest("k", null, "{\"entity\":\"e\",\"set\":{\"s\":\"y\"}}"),
        new PublishRequest(null, null, "{\"entity\":\"e\",\"set\":{\"s\":\"y\"},\"if\":{\"s\":7}}"),
        new PublishRequest(null, null, "{\"entity\":\"e\",\"inc\":{\"s\":1}}"),
        new PublishRequest(null, null, "[1,2]"),
        new PublishRequest(null, null, tooLarge)), ChannelLogTest.SETTINGS);
    PublishReplies sent = publish.process(entry);
    String epoch = entry.getValue().log.epoch();
    entry.getValue().follow("node-a", 1);

    PublishReplies received = ClusterSerializationTest.acrossTheCluster(sent);
    List<PublishOutcome> outcomes = received.outcomes();
    assertEquals(6, outcomes.size());
    assertEquals(Set.of(), received.nodes(), "the followers when the operation ran");

    PublishOutcome.Accepted accepted = (PublishOutcome.Accepted) outcomes.get(0);
    assertEquals(((PublishOutcome.Accepted) sent.outcomes().get(0)).publication(), accepted.publication());
    assertNull(accepted.patch(), "the publication's patchJson carries the patch across");
    assertEquals(new PublishAck(epoch, 1, false), PublishAck.of(accepted));
    assertEquals(new PublishAck(epoch, 1, true), PublishAck.of(outcomes.get(1)));

    ProtocolException conflict = refusal(outcomes.get(2));
    assertEquals(ErrorCode.CONFLICT, conflict.code());
    assertEquals("s changed at seq 1", conflict.getMessage());
    assertEquals(new JsonObject("{\"s\":{\"v\":\"x\",\"seq\":1}}"), new JsonObject(conflict.currentJson()));

    ProtocolException notANumber = refusal(outcomes.get(3));
    assertEquals(ErrorCode.BAD_REQUEST, notANumber.code());
    assertEquals("inc on s, which is not a number", notANumber.getMessage());

    ProtocolException notAnObject = refusal(outcomes.get(4));
    assertEquals(ErrorCode.BAD_REQUEST, notAnObject.code());
    assertEquals("patch must be a JSON object", notAnObject.getMessage());

    ProtocolException past = refusal(outcomes.get(5));
    assertEquals(ErrorCode.TOO_LARGE, past.code());
    assertEquals(((PublishOutcome.Refused) sent.outcomes().get(5)).message(), past.getMessage());

    assertEquals(1, entry.getValue().log.seq(), "only the first publish took a seq");
  }
}
