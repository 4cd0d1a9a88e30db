package dev.syncwire.transport;

import dev.syncwire.config.AddressRange;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ClientIpTest {
  private final ClientIp behindProxies = new ClientIp(List.of(AddressRange.parse("k", "10.0.0.0/8"),
      AddressRange.parse("k", "192.0.2.1")));

  @Test
  void withoutTrustedProxiesTheHeaderIsIgnored() {
    ClientIp direct = new ClientIp(List.of());
    assertEquals("10.0.0.5", direct.resolve("10.0.0.5", List.of("203.0.113.7")));
  }

  @Test
  void anUntrustedPeerIsTheClientWhateverItForwards() {
    assertEquals("198.51.100.4", behindProxies.resolve("198.51.100.4", List.of("203.0.113.7")));
  }

  @Test
  void aTrustedPeerNamesTheClientAsTheLastHop() {
    assertEquals("203.0.113.7", behindProxies.resolve("10.0.0.5", List.of("203.0.113.7")));
  }

  @Test
  void trustedHopsAreSkippedFromTheRightAndWhatTheClientWroteIsNeverReached() {
    // The client sent "1.1.1.1" itself; 203.0.113.7 is what the first proxy saw; 192.0.2.1 is the next proxy.
    assertEquals("203.0.113.7", behindProxies.resolve("10.0.0.5", List.of("1.1.1.1, 203.0.113.7", "192.0.2.1")));
    assertEquals("203.0.113.7", behindProxies.resolve("10.0.0.5", List.of("1.1.1.1,203.0.113.7, 10.2.3.4")));
  }

  @Test
  void aTrustedPeerWithoutTheHeaderIsItselfTheClient() {
    assertEquals("10.0.0.5", behindProxies.resolve("10.0.0.5", List.of()));
    assertEquals("10.0.0.5", behindProxies.resolve("10.0.0.5", List.of(" ", "")));
  }

  @Test
  void onlyTrustedHopsMeansTheLeftmostOne() {
    assertEquals("10.9.9.9", behindProxies.resolve("10.0.0.5", List.of("10.9.9.9, 10.1.1.1")));
  }

  @Test
  void portsAndSpellingsOfOneAddressCountAsOneClient() {
    assertEquals("203.0.113.7", behindProxies.resolve("10.0.0.5", List.of("203.0.113.7:50123")));
    assertEquals("2001:db8::1", behindProxies.resolve("10.0.0.5", List.of("[2001:db8:0:0:0:0:0:1]:443")));
    assertEquals("2001:db8::1", behindProxies.resolve("10.0.0.5", List.of("2001:DB8::1")));
    assertEquals("::1", new ClientIp(List.of()).resolve("0:0:0:0:0:0:0:1", List.of()));
  }

  @Test
  void aHopThatIsNoAddressIsCountedAsWritten() {
    assertEquals("unknown", behindProxies.resolve("10.0.0.5", List.of("unknown")));
  }
}
