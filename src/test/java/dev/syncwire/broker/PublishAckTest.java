package dev.syncwire.broker;

import dev.syncwire.broker.ChannelBroker.PublishAck;
import dev.syncwire.channel.PatchException;
import dev.syncwire.channel.Publication;
import dev.syncwire.channel.PublishOutcome;
import dev.syncwire.protocol.ErrorCode;
import dev.syncwire.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A publish's outcome becomes an ack or an error code in one place, whichever broker decided it. */
class PublishAckTest {

  @Test
  void anAcceptedPublishIsAcknowledgedWithItsPosition() {
    Publication p = new Publication("ep", 7, "k", "1", null);
    assertEquals(new PublishAck("ep", 7, false), PublishAck.of(new PublishOutcome.Accepted(p, null, null)));
  }

  @Test
  void aDuplicateIsAcknowledgedWithTheOriginalPosition() {
    assertEquals(new PublishAck("ep", 3, true), PublishAck.of(new PublishOutcome.Duplicate("ep", 3)));
  }

  @Test
  void aConflictFailsWithConflictAndTheCurrentVersions() {
    ProtocolException e = assertThrows(ProtocolException.class,
        () -> PublishAck.of(new PublishOutcome.Conflicted("a changed at seq 2", "{\"a\":{\"v\":1,\"seq\":2}}")));
    assertEquals(ErrorCode.CONFLICT, e.code());
    assertEquals("a changed at seq 2", e.getMessage());
    assertEquals("{\"a\":{\"v\":1,\"seq\":2}}", e.currentJson());
    assertNull(e.retryAfterMs());
  }

  @Test
  void anInvalidPatchFailsWithBadRequest() {
    ProtocolException e = assertThrows(ProtocolException.class,
        () -> PublishAck.of(new PublishOutcome.Refused(PatchException.Kind.INVALID, "patch must be a JSON object")));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertEquals("patch must be a JSON object", e.getMessage());
    assertNull(e.currentJson());
  }

  @Test
  void aPatchPastAStateLimitFailsWithTooLarge() {
    ProtocolException e = assertThrows(ProtocolException.class,
        () -> PublishAck.of(new PublishOutcome.Refused(PatchException.Kind.TOO_LARGE, "the limit is 10")));
    assertEquals(ErrorCode.TOO_LARGE, e.code());
    assertEquals("the limit is 10", e.getMessage());
  }
}
