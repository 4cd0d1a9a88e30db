package dev.syncwire.telemetry;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in a log line, whatever wrote it: tokens (anything shaped like a JWT), bearer credentials,
 * {@code key=} / {@code token=} values of a query string or a {@code toString}, {@code "key"} /
 * {@code "token"} fields of a JSON frame, the {@code X-Syncwire-Key} and {@code Authorization} headers,
 * and the literal secrets of the configuration (the admin key, the tenants' HMAC secrets). Each is
 * replaced by {@link #MASK}. A safety net under the log statements, which already leave secrets out: it
 * runs only on lines that are written.
 */
public final class Redaction {
  public static final String MASK = "***";
  /** A literal shorter than this would mask ordinary words; such a secret is caught by the patterns only. */
  static final int MIN_LITERAL_LENGTH = 8;

  private static final List<Rule> RULES = List.of(
      // A JWT: three base64url parts, the first an encoded '{"'.
      new Rule(Pattern.compile("\\beyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*"), ""),
      new Rule(Pattern.compile("(?i)(\\bbearer\\s+)[^\\s,;\"']+"), "$1"),
      // The header's value, its scheme (Bearer, Basic) included.
      new Rule(Pattern.compile(
          "(?i)(\\b(?:authorization|x-syncwire-key)\"?\\s*[:=]\\s*\"?)(?:[a-z]+\\s+)?[^\\s,;\"']+"), "$1"),
      // A session's key travels as key=... in /sse and /poll URIs; toString()s write key=... too.
      new Rule(Pattern.compile("(?i)(\\b(?:key|token|access_token|secret|password)=)[^&\\s,;\"'\\])}]+"), "$1"),
      new Rule(Pattern.compile("(?i)(\"(?:key|token|secret|password)\"\\s*:\\s*\")(?:[^\"\\\\]|\\\\.)*(\")"), "$1"));

  private static final Redaction PATTERNS_ONLY = new Redaction(List.of());

  private final List<String> literals;

  private Redaction(List<String> literals) {
    this.literals = literals;
  }

  /** The patterns alone. */
  public static Redaction patternsOnly() {
    return PATTERNS_ONLY;
  }

  /** The patterns and these secrets wherever they appear; blank and short ones are left to the patterns. */
  public static Redaction withSecrets(Collection<String> secrets) {
    List<String> literals = new ArrayList<>();
    for (String s : secrets) {
      if (s != null && s.strip().length() >= MIN_LITERAL_LENGTH) {
        literals.add(s);
      }
    }
    // Longest first, so that a secret containing another is masked whole.
    literals.sort((a, b) -> b.length() - a.length());
    return new Redaction(List.copyOf(literals));
  }

  /** {@code text} with every secret masked; null stays null. */
  public String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = text;
    for (String literal : literals) {
      if (out.contains(literal)) {
        out = out.replace(literal, MASK);
      }
    }
    for (Rule rule : RULES) {
      out = rule.apply(out);
    }
    return out;
  }

  private record Rule(Pattern pattern, String keep) {
    String apply(String text) {
      Matcher m = pattern.matcher(text);
      if (!m.find()) {
        return text;
      }
      String replacement = keep.isEmpty() ? MASK : keep + MASK + (m.groupCount() >= 2 ? "$2" : "");
      return m.replaceAll(replacement);
    }
  }
}
