package dev.syncwire.telemetry;

import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Log lines about one session: the line carries the session's id, its tenant and, when the request
 * named one, its trace id, which {@link JsonLogFormatter} writes as fields of their own ({@code session},
 * {@code tenant}, {@code traceId}). The text format shows the message alone, as before. Nothing is built
 * when the level is off.
 */
public final class LogContext {
  private LogContext() {
  }

  /** A record with the fields of its session; null fields are unknown. */
  static final class SessionRecord extends LogRecord {
    private static final long serialVersionUID = 1L;
    final String session;
    final String tenant;
    final String traceId;

    SessionRecord(Level level, String message, String session, String tenant, String traceId) {
      super(level, message);
      this.session = session;
      this.tenant = tenant;
      this.traceId = traceId;
    }
  }

  /** Logs {@code message} (and {@code thrown}, may be null) about session {@code session} of {@code tenant}. */
  public static void log(Logger logger, Level level, String session, String tenant, Supplier<String> message,
                         Throwable thrown) {
    log(logger, level, session, tenant, null, message, thrown);
  }

  /** As {@link #log(Logger, Level, String, String, Supplier, Throwable)}, with the request's trace id. */
  public static void log(Logger logger, Level level, String session, String tenant, String traceId,
                         Supplier<String> message, Throwable thrown) {
    if (!logger.isLoggable(level)) {
      return;
    }
    SessionRecord record = new SessionRecord(level, message.get(), session, tenant, traceId);
    record.setLoggerName(logger.getName());
    record.setThrown(thrown);
    // java.util.logging would name this class as the source; the text format prints the caller instead.
    StackWalker.getInstance().walk(frames -> frames.filter(f -> !f.getClassName().equals(LogContext.class.getName()))
        .findFirst()).ifPresent(caller -> {
          record.setSourceClassName(caller.getClassName());
          record.setSourceMethodName(caller.getMethodName());
        });
    logger.log(record);
  }

  /**
   * The trace id of a W3C {@code traceparent} header ({@code 00-<32 hex>-<16 hex>-<2 hex>}); null when the
   * header is absent or not one.
   */
  public static String traceId(String traceparent) {
    if (traceparent == null) {
      return null;
    }
    String[] parts = traceparent.trim().split("-");
    if (parts.length < 4 || parts[1].length() != 32 || !parts[1].chars().allMatch(LogContext::isLowerHex)
        || parts[1].chars().allMatch(c -> c == '0')) {
      return null;
    }
    return parts[1];
  }

  private static boolean isLowerHex(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }
}
