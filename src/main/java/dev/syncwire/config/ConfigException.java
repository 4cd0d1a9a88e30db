package dev.syncwire.config;

/** A configuration error; the message is one line that names the key and what was expected. */
public class ConfigException extends RuntimeException {
  public ConfigException(String key, String expected, Object got) {
    super("config key '" + key + "' " + expected + (got == null ? "" : " (got " + describe(got) + ")"));
  }

  public ConfigException(String message) {
    super(message);
  }

  private static String describe(Object got) {
    String s = got instanceof String ? "\"" + got + "\"" : String.valueOf(got);
    return s.length() > 80 ? s.substring(0, 77) + "..." : s;
  }
}
