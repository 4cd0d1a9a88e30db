package dev.syncwire.telemetry;

import java.util.Collection;
import java.util.logging.Handler;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** Installs the node's log format on java.util.logging's root handlers (the console, unless configured otherwise). */
public final class LogSetup {
  private LogSetup() {
  }

  /**
   * From now on the root handlers write JSON lines ({@link JsonLogFormatter}) when {@code json}, else
   * java.util.logging's text ({@link TextLogFormatter}); either way without {@code secrets}. A handler
   * given a formatter of its own in a logging configuration file keeps it in text mode.
   */
  public static void install(boolean json, String node, Collection<String> secrets) {
    Redaction redaction = Redaction.withSecrets(secrets);
    for (Handler handler : Logger.getLogger("").getHandlers()) {
      if (json) {
        handler.setFormatter(new JsonLogFormatter(node, redaction));
      } else if (handler.getFormatter() != null && handler.getFormatter().getClass() == SimpleFormatter.class) {
        handler.setFormatter(new TextLogFormatter(redaction));
      }
    }
  }
}
