package dev.syncwire.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures {@code java.util.logging} records while open. Test nodes run in the test's JVM, so their
 * records land here; Syncwire's own loggers are lowered to {@code FINE} meanwhile, so that tests can
 * check what is logged at that level too.
 */
public final class LogCapture extends Handler implements AutoCloseable {
  private final Logger root = Logger.getLogger("");
  // A strong reference: java.util.logging forgets the level of a logger nobody holds.
  private final Logger syncwire = Logger.getLogger("dev.syncwire");
  private final Level syncwireLevel;
  private final List<LogRecord> records = new ArrayList<>();

  private LogCapture() {
    syncwireLevel = syncwire.getLevel();
    syncwire.setLevel(Level.FINE);
    root.addHandler(this);
  }

  public static LogCapture start() {
    return new LogCapture();
  }

  @Override
  public synchronized void publish(LogRecord record) {
    records.add(record);
  }

  /** Records at {@code level} or above. */
  public synchronized List<LogRecord> atOrAbove(Level level) {
    return records.stream().filter(r -> r.getLevel().intValue() >= level.intValue()).toList();
  }

  /** Records whose message contains {@code text}. */
  public synchronized List<LogRecord> containing(String text) {
    return records.stream().filter(r -> r.getMessage() != null && r.getMessage().contains(text)).toList();
  }

  /** Describes records for an assertion message: level, logger, message and exception. */
  public static String describe(List<LogRecord> records) {
    StringBuilder sb = new StringBuilder();
    for (LogRecord r : records) {
      sb.append('\n').append(r.getLevel()).append(' ').append(r.getLoggerName()).append(": ").append(r.getMessage());
      if (r.getThrown() != null) {
        sb.append(" (").append(r.getThrown()).append(')');
      }
    }
    return sb.toString();
  }

  @Override
  public void flush() {
  }

  @Override
  public void close() {
    root.removeHandler(this);
    syncwire.setLevel(syncwireLevel);
  }
}
