package dev.syncwire.bench;

import java.time.LocalTime;
import java.time.temporal.ChronoUnit;

/** Progress lines on stderr, so that stdout carries only the final table. */
final class Log {
  private Log() {
  }

  static void line(String format, Object... args) {
    System.err.println(LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " " + String.format(format, args));
  }
}
