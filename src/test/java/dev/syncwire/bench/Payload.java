package dev.syncwire.bench;

/**
 * The 100-byte JSON body of every benchmark publication: {@code {"n":<seq>,"t":<intended send
 * nanoTime>,"p":"xx..."}}. Reading it back is a plain scan for the two fields, the same work for every
 * target, so that parsing does not favour one envelope over the other.
 */
final class Payload {
  static final int SIZE = 100;
  private static final String SEQ_FIELD = "\"n\":";
  private static final String TIME_FIELD = "\"t\":";

  long seq;
  long intendedNanos;

  static String encode(long seq, long intendedNanos) {
    StringBuilder sb = new StringBuilder(SIZE)
        .append('{').append(SEQ_FIELD).append(seq)
        .append(',').append(TIME_FIELD).append(intendedNanos)
        .append(",\"p\":\"");
    int padding = SIZE - sb.length() - 2;
    for (int i = 0; i < padding; i++) {
      sb.append('x');
    }
    return sb.append("\"}").toString();
  }

  /** Reads {@code seq} and {@code intendedNanos} from a frame that embeds a payload; false if it has none. */
  boolean read(String frame) {
    return read(frame, 0);
  }

  /** Like {@link #read(String)}, for the first payload at or after {@code from} (a frame holding several). */
  boolean read(String frame, int from) {
    int n = frame.indexOf(SEQ_FIELD, from);
    if (n < 0) {
      return false;
    }
    int t = frame.indexOf(TIME_FIELD, n);
    if (t < 0) {
      return false;
    }
    seq = parseLong(frame, n + SEQ_FIELD.length());
    intendedNanos = parseLong(frame, t + TIME_FIELD.length());
    return true;
  }

  static long parseLong(String s, int from) {
    boolean negative = s.charAt(from) == '-';
    long value = 0;
    for (int i = negative ? from + 1 : from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
      value = value * 10 + (c - '0');
    }
    return negative ? -value : value;
  }
}
