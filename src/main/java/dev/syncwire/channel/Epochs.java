package dev.syncwire.channel;

import java.security.SecureRandom;

/** Generates epoch identifiers: short, random, never reused in practice (60 random bits). */
public final class Epochs {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();

  private Epochs() {
  }

  public static String next() {
    long bits = RANDOM.nextLong() >>> 4;
    char[] out = new char[12];
    for (int i = 0; i < out.length; i++) {
      out[i] = ALPHABET[(int) (bits % ALPHABET.length)];
      bits /= ALPHABET.length;
    }
    return new String(out);
  }
}
