package dev.syncwire.bench;

import java.util.function.Consumer;

/** Splits a JSON array of objects (a poll answer's messages) into the objects' text, without parsing them. */
final class JsonFrames {
  private JsonFrames() {
  }

  /**
   * Hands each top-level object of the array whose elements start at {@code from} (just after its
   * {@code [}) to {@code each}, up to the array's closing bracket.
   */
  static void eachObject(String json, int from, Consumer<String> each) {
    int depth = 0;
    int start = -1;
    boolean inString = false;
    for (int i = from; i < json.length(); i++) {
      char c = json.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
        continue;
      }
      if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        if (depth == 0) {
          start = i;
        }
        depth++;
      } else if (c == '}' || c == ']') {
        if (depth == 0) {
          return; // the array's own closing bracket
        }
        depth--;
        if (depth == 0) {
          each.accept(json.substring(start, i + 1));
        }
      }
    }
  }
}
