package dev.syncwire.channel;

import java.math.BigDecimal;
import java.math.BigInteger;

/** JSON number arithmetic for {@code inc}: whole numbers stay whole (long), anything else is a double. */
final class Numbers {
  private Numbers() {
  }

  static boolean isFinite(Number n) {
    return !(n instanceof Double || n instanceof Float) || Double.isFinite(n.doubleValue());
  }

  /** Integers as Long, everything else as Double. */
  static Number normalize(Number n) {
    if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) {
      return n.longValue();
    }
    if (n instanceof BigInteger) {
      BigInteger b = (BigInteger) n;
      return b.bitLength() < 64 ? (Number) b.longValue() : (Number) b.doubleValue();
    }
    if (n instanceof BigDecimal) {
      return n.doubleValue();
    }
    return n.doubleValue();
  }

  static Number add(Number a, Number b) {
    Number x = normalize(a);
    Number y = normalize(b);
    if (x instanceof Long && y instanceof Long) {
      long l = (Long) x;
      long r = (Long) y;
      long sum = l + r;
      // Overflow: fall back to a double rather than wrap around.
      if (((l ^ sum) & (r ^ sum)) < 0) {
        return (double) l + (double) r;
      }
      return sum;
    }
    return x.doubleValue() + y.doubleValue();
  }
}
