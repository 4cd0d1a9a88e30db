package dev.syncwire.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AddressRangeTest {

  @Test
  void aSingleAddressContainsOnlyItself() {
    AddressRange one = AddressRange.parse("k", "10.1.2.3");
    assertTrue(one.contains("10.1.2.3"));
    assertFalse(one.contains("10.1.2.4"));
    assertFalse(one.contains("::1"));
  }

  @Test
  void aBlockContainsItsAddressesAndIgnoresHostBits() {
    AddressRange block = AddressRange.parse("k", "192.168.1.77/20");
    assertEquals("192.168.0.0/20", block.toString());
    assertTrue(block.contains("192.168.0.1"));
    assertTrue(block.contains("192.168.15.255"));
    assertFalse(block.contains("192.168.16.0"));
    assertFalse(block.contains("10.0.0.1"));
    assertTrue(AddressRange.parse("k", "0.0.0.0/0").contains("203.0.113.9"));
  }

  @Test
  void ipv6BlocksAndIpv4MappedAddressesMatch() {
    AddressRange v6 = AddressRange.parse("k", "fd00::/8");
    assertTrue(v6.contains("fd12:3456::1"));
    assertFalse(v6.contains("fe80::1"));
    assertFalse(v6.contains("10.0.0.1"));
    assertTrue(AddressRange.parse("k", "10.0.0.0/8").contains("::ffff:10.9.8.7"));
    assertTrue(AddressRange.parse("k", "::1").contains("0:0:0:0:0:0:0:1"));
  }

  @Test
  void textThatIsNoAddressIsNotContained() {
    AddressRange any = AddressRange.parse("k", "0.0.0.0/0");
    assertFalse(any.contains("unknown"));
    assertFalse(any.contains(""));
    assertFalse(any.contains(null));
  }

  @Test
  void hostNamesAndBadPrefixesAreRefusedNamingTheKey() {
    for (String bad : List.of("proxy.internal", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0/8", "::1/129", "10.0.0.0/x", "")) {
      ConfigException e = assertThrows(ConfigException.class, () -> AddressRange.parse("http.trustedProxies", bad), bad);
      assertTrue(e.getMessage().startsWith("config key 'http.trustedProxies' must list IP addresses or CIDR blocks"),
          e.getMessage());
    }
    ConfigException e = assertThrows(ConfigException.class, () -> SyncwireConfig.fromJson(new JsonObject()
        .put("http", new JsonObject().put("trustedProxies", new JsonArray().add("10.0.0.0/8").add("lb.local")))));
    assertTrue(e.getMessage().contains("'http.trustedProxies'") && e.getMessage().contains("lb.local"), e.getMessage());
  }
}
