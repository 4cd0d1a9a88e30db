package dev.syncwire.telemetry;

import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;

/** {@code log.format = text}: java.util.logging's own format, unchanged but for secrets ({@link Redaction}). */
public final class TextLogFormatter extends SimpleFormatter {
  private final Redaction redaction;

  public TextLogFormatter(Redaction redaction) {
    this.redaction = redaction;
  }

  @Override
  public String format(LogRecord record) {
    return redaction.redact(super.format(record));
  }
}
