package dev.syncwire.auth;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ChannelPatternTest {

  @ParameterizedTest
  @CsvSource({
      "orders, orders, true",
      "orders, orders2, false",
      "orders:*, orders:eu, true",
      "orders:*, orders:, true",
      "orders:*, order:eu, false",
      "*, anything, true",
      "*:eu, orders:eu, true",
      "*:eu, orders:us, false",
      "a*b*c, axxbyyc, true",
      "a*b*c, axxbyy, false",
      "a*b*c, abc, true",
      "**, x, true",
      "user:*:inbox, user:42:inbox, true",
      "user:*:inbox, user:42:outbox, false"
  })
  void starMatchesAnyRun(String pattern, String channel, boolean expected) {
    assertEquals(expected, new ChannelPattern(pattern).matches(channel));
  }
}
