package dev.syncwire;

import dev.syncwire.config.ConfigKey;
import dev.syncwire.config.SyncwireConfig;

import java.util.ArrayList;
import java.util.List;

/** What {@code --help} and {@code --version} print: Syncwire's own options and every configuration key. */
final class Usage {
  /** Where descriptions wrap, so that the help reads in a 100-column terminal. */
  private static final int WIDTH = 100;

  private Usage() {
  }

  /** The version from the jar's manifest (the Maven project version), or a note when not run from the jar. */
  static String version() {
    String version = Syncwire.class.getPackage().getImplementationVersion();
    return "Syncwire " + (version != null ? version : "(version unknown: not run from the jar)");
  }

  static String text() {
    StringBuilder out = new StringBuilder();
    out.append("""
        Usage: java [JVM options] -jar syncwire.jar [options]
               scripts/run.sh [JVM options] [options]

        Starts a Syncwire node: a real-time gateway for WebSocket, SSE and long-polling clients.

        Options:
          -conf <file|json>  the node's configuration, a JSON object; without it the embedded
                             conf/node.json (development defaults) is used
          -cluster           form a cluster with other nodes (Hazelcast; see the cluster.* keys)
          --help             print this help and exit
          --version          print the version and exit
        Other options go to the Vert.x launcher (for example -options <file|json> for Vert.x options).

        Configuration: a JSON file of nested objects ({"http":{"port":8080}}). Any key can be overridden
        by the JVM option -Dsyncwire.<key>=<value>, which goes before -jar, or by the environment variable
        SYNCWIRE_<KEY> (dots as underscores, upper case: SYNCWIRE_HTTP_PORT), which wins over both.

        """);
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"key", "default", "meaning"});
    for (ConfigKey key : SyncwireConfig.KEYS) {
      rows.add(new String[] {key.path(), defaultText(key), key.doc()});
    }
    int keyWidth = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0) + 2;
    int defaultWidth = rows.stream().mapToInt(r -> r[1].length()).max().orElse(0) + 2;
    for (String[] row : rows) {
      String head = "  " + pad(row[0], keyWidth) + pad(row[1], defaultWidth);
      out.append(head).append(wrap(row[2], head.length())).append('\n');
    }
    out.append("""

        Exit status: 2 for a command line it cannot read, 78 for an invalid configuration (one line on
        standard error names the key).
        """);
    return out.toString();
  }

  /** A key's default as it would be written in the JSON file. */
  static String defaultText(ConfigKey key) {
    Object value = key.defaultValue();
    if (value instanceof String s) {
      return "\"" + s + "\"";
    }
    return String.valueOf(value);
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(Math.max(1, width - s.length()));
  }

  private static String wrap(String text, int indent) {
    int room = Math.max(30, WIDTH - indent);
    StringBuilder out = new StringBuilder();
    int lineLength = 0;
    for (String word : text.split(" ")) {
      if (lineLength > 0 && lineLength + 1 + word.length() > room) {
        out.append('\n').append(" ".repeat(indent));
        lineLength = 0;
      } else if (lineLength > 0) {
        out.append(' ');
        lineLength++;
      }
      out.append(word);
      lineLength += word.length();
    }
    return out.toString();
  }
}
