package dev.syncwire.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientJsonTest {

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "2147483648", "9223372036854775807", "-9223372036854775808", "0.1", "-2.5",
      "1.5E300", "1.0E-300", "0.30000000000000004", "3.141592653589793", "1.7976931348623157E308", "5e-324",
      "4.9E-324", "100.0", "-0.0", "1e2", "0.5e-3", "8.17e21", "2e23"})
  void numbersThatALongOrADoubleHoldPassWithTheirValue(String number) {
    Number n = (Number) ((JsonArray) ClientJson.parse("[" + number + "]")).getValue(0);
    assertEquals(0, new BigDecimal(number).compareTo(new BigDecimal(n.toString())), number + " came back as " + n);
    assertEquals(Double.parseDouble(number), n.doubleValue());
  }

  @Test
  void decimalsAreWrittenBackAsSentNotThroughADouble() {
    // Java 17 writes the double nearest 8.17e21 as 8.169999999999999E21: the value must not go through it.
    JsonArray a = (JsonArray) ClientJson.parse("[8.17e21,0.1,-0.0,1.5E+300]");
    assertEquals("[8.17E+21,0.1,-0.0,1.5E+300]", a.encode());
  }

  @ParameterizedTest
  @ValueSource(strings = {"1e400", "-1e400", "1e-400", "12345678901234567890123", "9223372036854775808",
      "-9223372036854775809", "0.10000000000000000000001", "1.00000000000000000001", "123456789012345678.5",
      "1e-9999999999", "1e9999999999", "0.30000000000000000001", "9007199254740993.0"})
  void numbersThatWouldChangeOnTheWayAreRefused(String number) {
    ClientJson.Refused e = assertThrows(ClientJson.Refused.class, () -> ClientJson.parse("{\"id\":7,\"n\":" + number + "}"));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertTrue(e.getMessage().contains(number), e.getMessage());
    assertEquals(7, ((JsonObject) e.partial()).getInteger("id"), "what could be read is kept");
  }

  @Test
  void valuesComeOutAsVertxTypes() {
    JsonArray a = (JsonArray) ClientJson.parse("[1,9223372036854775807,1.5,true,null,\"s\",{},[]]");
    assertEquals(Integer.class, a.getValue(0).getClass());
    assertEquals(Long.class, a.getValue(1).getClass());
    assertEquals(BigDecimal.class, a.getValue(2).getClass());
    assertEquals(new JsonArray().add(1).add(9223372036854775807L).add(new BigDecimal("1.5")).add(true).addNull()
        .add("s").add(new JsonObject()).add(new JsonArray()), a);
  }

  @ParameterizedTest
  @ValueSource(strings = {"[\"\\ud800\"]", "[\"\\udc00\"]", "[\"a\\ud800b\"]", "[\"\\udc00\\ud800\"]", "{\"\\ud83d\":1}"})
  void loneSurrogatesAreRefused(String json) {
    ClientJson.Refused e = assertThrows(ClientJson.Refused.class, () -> ClientJson.parse(json));
    assertTrue(e.getMessage().contains("surrogate"), e.getMessage());
  }

  @Test
  void surrogatePairsPass() {
    assertEquals("\ud83d\ude00", ((JsonArray) ClientJson.parse("[\"\\ud83d\\ude00\"]")).getString(0));
    assertEquals("\ud83d\ude00", ((JsonArray) ClientJson.parse("[\"\ud83d\ude00\"]".getBytes(StandardCharsets.UTF_8))).getString(0));
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"id\":3 /* note */, \"type\":\"ping\"}", "{\"id\":3, // note\n\"type\":\"ping\"}",
      "/* lead */ {\"id\":3}"})
  void commentsAreRefusedAndWhatTheyWrapIsKept(String json) {
    ClientJson.Refused e = assertThrows(ClientJson.Refused.class, () -> ClientJson.parse(json));
    assertEquals("comments are not allowed in JSON", e.getMessage());
    assertEquals(3, ((JsonObject) e.partial()).getInteger("id"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "{", "{\"a\":}", "[1,]", "{'a':1}", "NaN", "[Infinity]", "01", "[1] [2]", "{} x"})
  void textThatIsNotJsonIsRefusedWithoutAValue(String text) {
    ClientJson.Refused e = assertThrows(ClientJson.Refused.class, () -> ClientJson.parse(text));
    assertEquals("not valid JSON", e.getMessage());
    assertNull(e.partial());
  }

  @Test
  void invalidUtf8IsNotJson() {
    byte[] bytes = {'[', '"', (byte) 0xC3, (byte) 0x28, '"', ']'};
    assertNull(assertThrows(ClientJson.Refused.class, () -> ClientJson.parse(bytes)).partial());
  }
}
