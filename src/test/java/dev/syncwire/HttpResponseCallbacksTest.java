package dev.syncwire;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Vert.x 5's HTTP client delivers a response's head to the callback of {@code send()}, and its body and
 * end on the request's event loop. A callback chained after {@code compose(req -> req.send())} may run
 * later, on another event loop: by then the response may have ended, and {@code body()} never completes
 * (measured: 6 hung calls in 150,000 from a test thread, against none when the response is read in the
 * send's own callback), and stream handlers miss the first chunks. So every response is read in the
 * callback of its own {@code send()}: {@code compose(req -> req.send().compose(res -> res.body()))}.
 */
class HttpResponseCallbacksTest {
  private static final String ARGS = "\\((?:[^()]|\\([^()]*\\))*\\)";
  /** {@code compose(req -> req[.call(...)]*.send(...))} with a callback chained after that compose. */
  static final Pattern CHAINED_AFTER_SEND = Pattern.compile("compose\\(\\s*\\w+\\s*->\\s*\\w+(?:\\s*\\.\\w+" + ARGS
      + ")*\\s*\\.send" + ARGS + "\\)\\s*\\.(compose|map|onComplete|onSuccess|andThen|transform|flatMap)\\(");

  @Test
  void theShapeIsRecognised() {
    assertTrue(CHAINED_AFTER_SEND.matcher("request(o).compose(req -> req.send())\n    .compose(res -> res.body())").find());
    assertTrue(CHAINED_AFTER_SEND.matcher("compose(req -> req.send(body.toBuffer())).map(r -> r)").find());
    assertTrue(CHAINED_AFTER_SEND.matcher("compose(req -> req.putHeader(\"a\", b).send()).onComplete(ar -> {})").find());
    assertEquals(false, CHAINED_AFTER_SEND.matcher("compose(req -> req.send().compose(res -> res.body()))").find());
    assertEquals(false, CHAINED_AFTER_SEND.matcher("compose(req -> req.send().map(r -> r.statusCode())))").find());
    assertEquals(false, CHAINED_AFTER_SEND.matcher("compose(req -> {\n  return (b == null ? req.send() : req.send(b)).map(r -> r);").find());
  }

  @Test
  void noSourceReadsAResponseInACallbackChainedAfterItsSend() throws IOException {
    List<String> found = new ArrayList<>();
    for (Path root : List.of(Path.of("src/main/java"), Path.of("src/test/java"))) {
      try (Stream<Path> files = Files.walk(root)) {
        for (Path file : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
          if (file.endsWith("HttpResponseCallbacksTest.java")) {
            continue;
          }
          Matcher m = CHAINED_AFTER_SEND.matcher(Files.readString(file));
          while (m.find()) {
            found.add(file + ": " + m.group().replaceAll("\\s+", " "));
          }
        }
      }
    }
    assertEquals(List.of(), found);
  }
}
