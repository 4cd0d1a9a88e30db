package dev.syncwire;

import dev.syncwire.config.ConfigException;
import dev.syncwire.config.SyncwireConfig;
import io.vertx.core.json.JsonObject;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The jar's entry point: the Vert.x launcher ({@code -conf}, {@code --cluster}, ...) with Syncwire's
 * configuration handling. Without {@code -conf} the embedded {@code conf/node.json} is used. Overrides
 * come from {@code -Dsyncwire.<key>} and {@code SYNCWIRE_<KEY>}; a bad configuration stops the process
 * with one line naming the key.
 */
public class Syncwire extends VertxApplication implements VertxApplicationHooks {
  /** Exit status when the configuration is invalid. */
  public static final int EXIT_BAD_CONFIG = 78;
  static final String EMBEDDED_CONFIG = "/syncwire/node.json";

  private final boolean confGiven;
  private SyncwireConfig config;

  public Syncwire(String[] args) {
    super(args);
    this.confGiven = Arrays.stream(args).anyMatch(a -> a.equals("-conf") || a.equals("--conf")
        || a.startsWith("-conf=") || a.startsWith("--conf="));
  }

  public static void main(String[] args) {
    new Syncwire(args).launch();
  }

  @Override
  public JsonObject afterConfigParsed(JsonObject conf) {
    try {
      if (conf == null && confGiven) {
        throw new ConfigException("the -conf file cannot be read or is not a JSON object");
      }
      JsonObject base = conf != null ? conf : embeddedConfig();
      JsonObject merged = SyncwireConfig.applyOverrides(base, propertiesAsMap(), System.getenv());
      config = SyncwireConfig.fromJson(merged);
      return merged;
    } catch (ConfigException e) {
      System.err.println("syncwire: " + e.getMessage());
      System.exit(EXIT_BAD_CONFIG);
      return null;
    }
  }

  @Override
  public void beforeStartingVertx(HookContext context) {
    context.vertxOptions().setEventLoopPoolSize(config.eventLoops());
  }

  private static java.util.Map<String, String> propertiesAsMap() {
    java.util.Map<String, String> out = new java.util.HashMap<>();
    System.getProperties().forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
    return out;
  }

  private static JsonObject embeddedConfig() {
    try (InputStream in = Syncwire.class.getResourceAsStream(EMBEDDED_CONFIG)) {
      if (in == null) {
        return new JsonObject();
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConfigException("cannot read the embedded configuration: " + e.getMessage());
    }
  }
}
