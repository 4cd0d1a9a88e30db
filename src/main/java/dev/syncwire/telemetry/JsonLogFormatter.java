package dev.syncwire.telemetry;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * {@code log.format = json}: one JSON object a line, for log collectors. Every line has {@code time}
 * (ISO-8601, UTC), {@code level}, {@code logger}, {@code message} and {@code node}; a line about a session
 * (see {@link LogContext}) has {@code session}, {@code tenant} and {@code traceId} when known; a line with
 * an exception has its stack trace in {@code error}. Messages and stack traces pass through
 * {@link Redaction}. The output is ASCII: other characters are escaped, so no console encoding can break
 * a line.
 */
public final class JsonLogFormatter extends Formatter {
  private final String node;
  private final Redaction redaction;

  public JsonLogFormatter(String node, Redaction redaction) {
    this.node = node;
    this.redaction = redaction;
  }

  @Override
  public String format(LogRecord record) {
    StringBuilder out = new StringBuilder(256);
    out.append('{');
    field(out, "time", record.getInstant().toString());
    field(out, "level", record.getLevel().getName());
    field(out, "logger", record.getLoggerName() == null ? "" : record.getLoggerName());
    field(out, "message", redaction.redact(formatMessage(record)));
    field(out, "node", node);
    if (record instanceof LogContext.SessionRecord session) {
      optionalField(out, "session", session.session);
      optionalField(out, "tenant", session.tenant);
      optionalField(out, "traceId", session.traceId);
    }
    if (record.getThrown() != null) {
      field(out, "error", redaction.redact(stackTrace(record.getThrown())));
    }
    out.setLength(out.length() - 1);
    return out.append('}').append(System.lineSeparator()).toString();
  }

  /**
   * One line written before logging is set up, such as the configuration error that stops the node; the
   * same fields as a logged line, {@code node} empty when not known yet.
   */
  public static String line(Level level, String logger, String message, String node) {
    LogRecord record = new LogRecord(level, message);
    record.setLoggerName(logger);
    record.setInstant(Instant.now());
    return new JsonLogFormatter(node == null ? "" : node, Redaction.patternsOnly()).format(record);
  }

  private static String stackTrace(Throwable thrown) {
    StringWriter text = new StringWriter();
    try (PrintWriter writer = new PrintWriter(text)) {
      thrown.printStackTrace(writer);
    }
    return text.toString().stripTrailing();
  }

  private static void optionalField(StringBuilder out, String name, String value) {
    if (value != null && !value.isEmpty()) {
      field(out, name, value);
    }
  }

  // Leaves a trailing comma, which format() drops at the end.
  private static void field(StringBuilder out, String name, String value) {
    out.append('"').append(name).append("\":\"");
    escape(out, value == null ? "" : value);
    out.append("\",");
  }

  static void escape(StringBuilder out, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
  }
}
