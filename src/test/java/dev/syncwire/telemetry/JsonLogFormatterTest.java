package dev.syncwire.telemetry;

import dev.syncwire.testing.Tokens;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link JsonLogFormatter}, {@link LogContext}, {@link Redaction} and {@link TextLogFormatter}, without a node. */
class JsonLogFormatterTest {
  private static final String ADMIN_KEY = "admin-secret-key";
  private static final Redaction REDACTION = Redaction.withSecrets(List.of(ADMIN_KEY, "short", ""));
  private static final JsonLogFormatter FORMATTER = new JsonLogFormatter("n1", REDACTION);

  private final List<LogRecord> records = new ArrayList<>();
  private Logger logger;

  @BeforeEach
  void collect() {
    logger = Logger.getAnonymousLogger();
    logger.setUseParentHandlers(false);
    logger.setLevel(Level.ALL);
    logger.addHandler(new Handler() {
      @Override
      public void publish(LogRecord record) {
        records.add(record);
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    });
  }

  /** The record formatted: one ASCII line ending the line, parsed. */
  private static JsonObject line(LogRecord record) {
    String text = FORMATTER.format(record);
    assertTrue(text.endsWith(System.lineSeparator()), text);
    assertEquals(1, text.lines().count(), text);
    assertTrue(text.chars().allMatch(c -> c >= 0x20 && c < 0x7f || c == '\n' || c == '\r'), "ASCII only: " + text);
    return new JsonObject(text);
  }

  @Test
  void aLineHasTimeLevelLoggerMessageAndNode() {
    String message = "h\u00e9llo \"world\" \\ \u2028\nnext\tline \u0001";
    LogRecord record = new LogRecord(Level.WARNING, message);
    record.setLoggerName("dev.syncwire.Somewhere");
    record.setInstant(Instant.parse("2026-01-02T03:04:05.678Z"));
    JsonObject json = line(record);
    assertEquals(Set.of("time", "level", "logger", "message", "node"), json.fieldNames());
    assertEquals("2026-01-02T03:04:05.678Z", json.getString("time"));
    assertEquals("WARNING", json.getString("level"));
    assertEquals("dev.syncwire.Somewhere", json.getString("logger"));
    assertEquals(message, json.getString("message"));
    assertEquals("n1", json.getString("node"));
  }

  @Test
  void theTimeIsUtcWhateverTheZoneOfTheMachine() {
    LogRecord record = new LogRecord(Level.INFO, "now");
    record.setLoggerName("l");
    String time = line(record).getString("time");
    assertTrue(time.endsWith("Z"), time);
    assertTrue(Math.abs(Instant.parse(time).toEpochMilli() - System.currentTimeMillis()) < 60_000, time);
  }

  @Test
  void parametersAreFilledInAsJavaUtilLoggingDoes() {
    LogRecord record = new LogRecord(Level.INFO, "{0} of {1}");
    record.setParameters(new Object[] {"one", "two"});
    JsonObject json = line(record);
    assertEquals("one of two", json.getString("message"));
    assertEquals("", json.getString("logger"));
  }

  @Test
  void anExceptionIsItsStackTraceInError() {
    LogRecord record = new LogRecord(Level.SEVERE, "failed");
    record.setThrown(new IllegalStateException("boom", new java.io.IOException("underneath")));
    String error = line(record).getString("error");
    assertTrue(error.startsWith("java.lang.IllegalStateException: boom"), error);
    assertTrue(error.contains("\tat " + JsonLogFormatterTest.class.getName()), error);
    assertTrue(error.contains("Caused by: java.io.IOException: underneath"), error);
  }

  @Test
  void aLineAboutASessionCarriesItsSessionTenantAndTraceId() {
    LogContext.log(logger, Level.FINE, "s_1.n1", "acme", "4bf92f3577b34da6a3ce929d0e0e4736", () -> "closed", null);
    LogContext.log(logger, Level.WARNING, "s_2.n1", null, () -> "before connect", new RuntimeException("x"));
    JsonObject known = line(records.get(0));
    assertEquals(Map.of("session", "s_1.n1", "tenant", "acme", "traceId", "4bf92f3577b34da6a3ce929d0e0e4736",
        "message", "closed", "level", "FINE"), pick(known, "session", "tenant", "traceId", "message", "level"));
    JsonObject unknown = line(records.get(1));
    assertEquals("s_2.n1", unknown.getString("session"));
    assertFalse(unknown.containsKey("tenant"), unknown.encode());
    assertFalse(unknown.containsKey("traceId"), unknown.encode());
    assertTrue(unknown.getString("error").startsWith("java.lang.RuntimeException: x"));
  }

  @Test
  void inTextALineAboutASessionIsItsMessageFromItsCaller() {
    LogContext.log(logger, Level.INFO, "s_1.n1", "acme", () -> "a {0} stays as written", null);
    String text = new SimpleFormatter().format(records.get(0));
    assertTrue(text.contains(JsonLogFormatterTest.class.getName() + " inTextALineAboutASessionIsItsMessageFromItsCaller"),
        text);
    assertTrue(text.contains("INFO: a {0} stays as written"), text);
    assertFalse(text.contains("acme"), text);
  }

  @Test
  void nothingIsBuiltWhenTheLevelIsOff() {
    logger.setLevel(Level.INFO);
    AtomicBoolean built = new AtomicBoolean();
    LogContext.log(logger, Level.FINE, "s", "t", () -> {
      built.set(true);
      return "expensive";
    }, null);
    assertFalse(built.get());
    assertTrue(records.isEmpty());
  }

  @Test
  void secretsAreMaskedInMessagesAndStackTraces() {
    String token = Tokens.hs256("acme-test-secret-0123456789abcdef", Tokens.claims("acme", "alice"));
    Map<String, String> cases = new HashMap<>();
    cases.put("GET /sse?session=s_1.n1&key=abcDEF123_-x&cursor=0", "abcDEF123_-x");
    cases.put("/poll?key=k3y&session=s_1", "k3y");
    cases.put("frame {\"id\":1,\"type\":\"connect\",\"token\":\"opaque-token\"}", "opaque-token");
    cases.put("reply {\"type\":\"connected\",\"session\":\"s_1\",\"key\":\"sEssIonKey\"}", "sEssIonKey");
    cases.put("refresh with " + token, token);
    cases.put("Authorization: Bearer some-bearer-value", "some-bearer-value");
    cases.put("authorization=Basic dXNlcjpwYXNz", "dXNlcjpwYXNz");
    cases.put("X-Syncwire-Key: header-key-value", "header-key-value");
    cases.put("AdminConfig[key=" + ADMIN_KEY + "]", ADMIN_KEY);
    cases.put("the admin key is " + ADMIN_KEY + ".", ADMIN_KEY);
    cases.forEach((message, secret) -> {
      String masked = line(new LogRecord(Level.INFO, message)).getString("message");
      assertFalse(masked.contains(secret), message + " -> " + masked);
      assertTrue(masked.contains(Redaction.MASK), masked);
    });
    LogRecord thrown = new LogRecord(Level.WARNING, "failed");
    thrown.setThrown(new IllegalArgumentException("bad query session=s_1&key=secretkey9"));
    String error = line(thrown).getString("error");
    assertFalse(error.contains("secretkey9"), error);
    assertTrue(error.contains("session=s_1&key=***"), error);
  }

  @Test
  void whatIsNoSecretStays() {
    String message = "session s_1.n1 closed with 4001: token signature or format is not valid; cursor=3 publicKey=abc"
        + " a short word";
    assertEquals(message, line(new LogRecord(Level.FINE, message)).getString("message"));
  }

  @Test
  void theTextFormatIsJavaUtilLoggingsOwnButForSecrets() {
    Formatter text = new TextLogFormatter(REDACTION);
    LogRecord plain = new LogRecord(Level.INFO, "nothing to hide");
    plain.setLoggerName("dev.syncwire.Somewhere");
    assertEquals(new SimpleFormatter().format(plain), text.format(plain));
    LogRecord secret = new LogRecord(Level.INFO, "GET /poll?session=s_1&key=k3y with " + ADMIN_KEY);
    secret.setThrown(new IllegalStateException("Bearer " + ADMIN_KEY));
    assertEquals(new SimpleFormatter().format(secret).replace("key=k3y", "key=***").replace(ADMIN_KEY, "***"),
        text.format(secret));
  }

  @Test
  void traceIdsComeFromW3cTraceparentHeaders() {
    assertEquals("4bf92f3577b34da6a3ce929d0e0e4736",
        LogContext.traceId("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    assertNull(LogContext.traceId(null));
    assertNull(LogContext.traceId("garbage"));
    assertNull(LogContext.traceId("00-00000000000000000000000000000000-00f067aa0ba902b7-01"));
    assertNull(LogContext.traceId("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"));
  }

  @Test
  void aLineWrittenBeforeLoggingIsSetUpHasTheSameFields() {
    String text = JsonLogFormatter.line(Level.SEVERE, "dev.syncwire.Syncwire",
        "syncwire: config key 'http.tls.keyPath' must be set when http.tls.certPath is", "");
    assertEquals(1, text.lines().count());
    JsonObject json = new JsonObject(text);
    assertEquals(Set.of("time", "level", "logger", "message", "node"), json.fieldNames());
    assertEquals("SEVERE", json.getString("level"));
    assertEquals("", json.getString("node"));
    assertTrue(json.getString("message").contains("'http.tls.keyPath'"));
  }

  @Test
  void installGivesTheRootHandlersTheChosenFormat() {
    Logger root = Logger.getLogger("");
    Handler console = new java.util.logging.StreamHandler(new java.io.ByteArrayOutputStream(), new SimpleFormatter());
    Handler[] others = root.getHandlers();
    Formatter[] formats = new Formatter[others.length];
    for (int i = 0; i < others.length; i++) {
      formats[i] = others[i].getFormatter();
    }
    root.addHandler(console);
    try {
      LogSetup.install(false, "n1", List.of(ADMIN_KEY));
      assertTrue(console.getFormatter() instanceof TextLogFormatter, console.getFormatter().toString());
      LogSetup.install(true, "n1", List.of(ADMIN_KEY));
      assertTrue(console.getFormatter() instanceof JsonLogFormatter, console.getFormatter().toString());
    } finally {
      root.removeHandler(console);
      for (int i = 0; i < others.length; i++) {
        others[i].setFormatter(formats[i]);
      }
    }
  }

  private static Map<String, String> pick(JsonObject json, String... fields) {
    Map<String, String> out = new HashMap<>();
    for (String f : fields) {
      out.put(f, json.getString(f));
    }
    return out;
  }
}
