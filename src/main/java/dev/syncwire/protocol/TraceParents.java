package dev.syncwire.protocol;

import java.util.regex.Pattern;

/**
 * W3C {@code traceparent} values (version 00: {@code 00-<32 hex trace id>-<16 hex span id>-<2 hex flags>}).
 * As the W3C recommendation says, a malformed value is ignored, never refused: tracing must not break a
 * client.
 */
public final class TraceParents {
  private static final Pattern VALID = Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
  private static final String ZERO_TRACE = "00000000000000000000000000000000";
  private static final String ZERO_SPAN = "0000000000000000";

  private TraceParents() {
  }

  /** {@code value} when it is a valid traceparent string, else null. */
  public static String validOrNull(Object value) {
    if (!(value instanceof String s) || s.length() != 55 || !VALID.matcher(s).matches() || s.startsWith("ff")) {
      return null;
    }
    if (s.substring(3, 35).equals(ZERO_TRACE) || s.substring(36, 52).equals(ZERO_SPAN)) {
      return null;
    }
    return s;
  }
}
