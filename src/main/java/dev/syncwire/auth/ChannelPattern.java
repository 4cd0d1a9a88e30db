package dev.syncwire.auth;

/** A channel pattern from a token claim; {@code *} matches any run of characters (also none). */
public final class ChannelPattern {
  private final String pattern;

  public ChannelPattern(String pattern) {
    this.pattern = pattern;
  }

  public boolean matches(String channel) {
    return matches(pattern, 0, channel, 0);
  }

  // Iterative glob match with backtracking to the last star: linear in practice, no regex compilation.
  private static boolean matches(String p, int pi, String s, int si) {
    int star = -1;
    int mark = 0;
    while (si < s.length()) {
      if (pi < p.length() && p.charAt(pi) == '*') {
        star = pi++;
        mark = si;
      } else if (pi < p.length() && p.charAt(pi) == s.charAt(si)) {
        pi++;
        si++;
      } else if (star >= 0) {
        pi = star + 1;
        si = ++mark;
      } else {
        return false;
      }
    }
    while (pi < p.length() && p.charAt(pi) == '*') {
      pi++;
    }
    return pi == p.length();
  }

  @Override
  public String toString() {
    return pattern;
  }
}
