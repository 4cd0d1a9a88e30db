package dev.syncwire.transport.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One open {@code text/event-stream} response: headers and a {@code retry:} hint at once, one event per
 * push ({@code id:} is its cursor), a {@code : hb} comment every keepalive interval. The events of one
 * batch leave in one write.
 */
final class SseStream {
  private static final byte[] KEEPALIVE = ": hb\n\n".getBytes(StandardCharsets.US_ASCII);

  private final Vertx vertx;
  private final HttpServerResponse response;
  private final long keepaliveTimer;
  private boolean ended;

  SseStream(Vertx vertx, HttpServerResponse response, long keepaliveMs, long retryMs) {
    this.vertx = vertx;
    this.response = response;
    HttpTransports.noBuffering(response);
    response.setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .write("retry: " + retryMs + "\n: open\n\n");
    this.keepaliveTimer = vertx.setPeriodic(keepaliveMs, t -> {
      if (!ended) {
        response.write(Buffer.buffer(KEEPALIVE));
      }
    });
    response.closeHandler(v -> stop());
  }

  /** Writes pushes: a list of (cursor, frame JSON). */
  void events(List<CursorBuffer.Entry> pushes) {
    if (ended || pushes.isEmpty()) {
      return;
    }
    StringBuilder sb = new StringBuilder(pushes.size() * 128);
    for (CursorBuffer.Entry e : pushes) {
      sb.append("id: ").append(e.cursor()).append("\ndata: ")
          .append(new String(e.frame(), StandardCharsets.UTF_8)).append("\n\n");
    }
    response.write(sb.toString());
  }

  boolean writable() {
    return !ended && !response.writeQueueFull();
  }

  void drainHandler(Runnable onDrain) {
    response.drainHandler(v -> onDrain.run());
  }

  /** Called when the client goes away; {@code then} runs once. */
  void onClose(Runnable then) {
    response.closeHandler(v -> {
      stop();
      then.run();
    });
  }

  boolean ended() {
    return ended;
  }

  /** Finishes the response cleanly (the stream was replaced or the session ended). */
  void end() {
    if (!ended) {
      stop();
      response.end();
    }
  }

  private void stop() {
    ended = true;
    vertx.cancelTimer(keepaliveTimer);
  }
}
