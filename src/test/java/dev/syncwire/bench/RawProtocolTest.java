package dev.syncwire.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RawProtocolTest {

  private static List<String> delivered(RawProtocol protocol, String frame) {
    List<String> out = new ArrayList<>();
    protocol.deliver(frame, 7, (subscriber, publication) -> {
      assertEquals(7, subscriber);
      out.add(publication);
    });
    return out;
  }

  @Test
  void aCoalescedFrameIsOnePublicationPerLine() {
    assertEquals(List.of("{\"n\":1}", "{\"n\":2}", "{\"n\":3}"),
        delivered(RawProtocol.rawVertxCoalesced(), "{\"n\":1}\n{\"n\":2}\n{\"n\":3}"));
    assertEquals(List.of("{\"n\":1}"), delivered(RawProtocol.rawVertxCoalesced(), "{\"n\":1}"));
  }

  @Test
  void aPlainFrameIsOnePublicationWhateverItHolds() {
    assertEquals(List.of("a\nb"), delivered(RawProtocol.rawVertx(), "a\nb"));
    assertEquals(List.of("a\nb"), delivered(RawProtocol.nodeWs(), "a\nb"));
  }
}
