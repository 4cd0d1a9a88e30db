package dev.syncwire.client;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A session over HTTP (docs/protocol.md §11): commands go up in {@code POST /send}, one request at a time
 * so that a load balancer cannot reorder them, and replies come back in its response; pushes come down an
 * SSE stream or a chain of long polls, resumed after the last cursor when a downstream request ends.
 */
final class HttpTransport implements Transport {
  /** The server's own limit on commands per {@code /send} (http.maxCommandsPerSend). */
  private static final int MAX_COMMANDS_PER_SEND = 100;
  /** Below http.maxSendBytes (64 KiB), leaving room for the array around the commands. */
  private static final int MAX_SEND_BYTES = 60_000;
  /** Downstream requests that fail in a row before the session counts as lost. */
  private static final int DOWNSTREAM_ATTEMPTS = 4;

  private final Vertx vertx;
  private final HttpClient http;
  private final URI base;
  private final boolean sse;
  private final long openTimeoutMs;
  private final long idleTimeoutMs;
  private final Listener listener;
  private final ArrayDeque<JsonObject> outgoing = new ArrayDeque<>();
  private String session;
  private String key;
  private long cursor;
  private boolean posting;
  private boolean done;
  private int downstreamFailures;
  private HttpClientResponse downstream;

  HttpTransport(Vertx vertx, HttpClient http, URI base, boolean sse, long openTimeoutMs, long idleTimeoutMs,
      Listener listener) {
    this.vertx = vertx;
    this.http = http;
    this.base = base;
    this.sse = sse;
    this.openTimeoutMs = openTimeoutMs;
    this.idleTimeoutMs = idleTimeoutMs;
    this.listener = listener;
  }

  @Override
  public String name() {
    return sse ? "sse" : "longpoll";
  }

  @Override
  public Future<JsonObject> open(JsonObject connect) {
    Promise<JsonObject> opened = Promise.promise();
    post(new JsonArray().add(connect), openTimeoutMs).onComplete(ar -> {
      if (ar.failed()) {
        opened.fail(ar.cause());
        return;
      }
      JsonObject reply = ar.result().isEmpty() ? null : ar.result().getJsonObject(0);
      if (reply == null || !"connected".equals(reply.getString("type"))) {
        opened.fail(reply == null ? new SyncwireException("transport_failed", "no reply to connect")
            : SyncwireException.fromReply(reply));
        return;
      }
      session = reply.getString("session");
      key = reply.getString("key");
      if (done) {
        opened.fail(new SyncwireException("closed", "closed while connecting"));
        return;
      }
      if (sse) {
        // SSE must open before the session counts: a proxy that buffers or refuses streams fails here.
        openSse().onComplete(sseOpen -> {
          if (sseOpen.succeeded()) {
            opened.tryComplete(reply);
          } else {
            done = true;
            opened.tryFail(new SyncwireException("transport_failed", "sse: " + sseOpen.cause().getMessage()));
          }
        });
      } else {
        poll();
        opened.complete(reply);
      }
    });
    return opened.future();
  }

  @Override
  public void send(JsonObject command) {
    if (done) {
      return;
    }
    outgoing.add(command);
    flush();
  }

  private void flush() {
    if (posting || done || outgoing.isEmpty()) {
      return;
    }
    JsonArray batch = new JsonArray();
    int bytes = 2;
    while (!outgoing.isEmpty() && batch.size() < MAX_COMMANDS_PER_SEND) {
      int size = outgoing.peek().toBuffer().length() + 1;
      if (!batch.isEmpty() && bytes + size > MAX_SEND_BYTES) {
        break;
      }
      bytes += size;
      batch.add(outgoing.poll());
    }
    posting = true;
    // Replies wait up to 30 s on the server (§11.2): the request may take that long.
    post(batch, 35_000 + openTimeoutMs).onComplete(ar -> {
      posting = false;
      if (done) {
        return;
      }
      if (ar.failed()) {
        lost(ar.cause());
        return;
      }
      for (Object reply : ar.result()) {
        if (reply instanceof JsonObject) {
          listener.frame((JsonObject) reply);
        }
      }
      flush();
    });
  }

  /** One {@code POST /send}: the replies, or a failure that says what the status meant. */
  private Future<JsonArray> post(JsonArray commands, long timeoutMs) {
    RequestOptions options = request(HttpMethod.POST, "/send" + (session == null ? "" : "?" + sessionQuery()))
        .setIdleTimeout(timeoutMs)
        .putHeader("Content-Type", "application/json");
    if (key != null) {
      options.putHeader("X-Syncwire-Key", key);
    }
    // Read the response in the send's own callback, never in a callback chained after it (see info()).
    return http.request(options)
        .compose(req -> req.send(commands.toBuffer()).compose(resp -> resp.body().map(body -> answer(resp, body))))
        .recover(e -> Future.failedFuture(e instanceof SyncwireException ? e
            : new SyncwireException("transport_failed", "send: " + e.getMessage())));
  }

  private static JsonArray answer(HttpClientResponse resp, Buffer body) {
    int status = resp.statusCode();
    JsonArray replies = null;
    JsonObject object = null;
    try {
      String text = body.toString(StandardCharsets.UTF_8).trim();
      if (text.startsWith("[")) {
        replies = new JsonArray(text);
      } else if (text.startsWith("{")) {
        object = new JsonObject(text);
      }
    } catch (DecodeException e) {
      // answered by something other than a node (a proxy's error page): judged by its status below
    }
    if (status == 200 && replies != null) {
      return replies;
    }
    Long retryAfter = retryAfter(resp);
    if (replies != null && !replies.isEmpty() && replies.getValue(0) instanceof JsonObject
        && "error".equals(replies.getJsonObject(0).getString("type"))) {
      SyncwireException e = SyncwireException.fromReply(replies.getJsonObject(0));
      throw new SyncwireException(e.code(), e.getMessage(), e.retry(), retryAfter != null ? retryAfter : e.retryAfterMs(),
          null);
    }
    String code = object != null ? object.getString("code", "http_" + status) : "http_" + status;
    throw new HttpFailure(status, code, retryAfter);
  }

  private static Long retryAfter(HttpClientResponse resp) {
    String header = resp.getHeader("Retry-After");
    try {
      return header == null ? null : Long.parseLong(header.trim()) * 1000;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** An HTTP answer that is no reply array: 404 session_not_found, 401, 413, a proxy's 502 or 503. */
  static final class HttpFailure extends SyncwireException {
    private static final long serialVersionUID = 1L;
    final int status;

    HttpFailure(int status, String code, Long retryAfterMs) {
      super(code, "HTTP " + status, false, retryAfterMs, null);
      this.status = status;
    }
  }

  private RequestOptions request(HttpMethod method, String pathAndQuery) {
    boolean tls = "https".equals(base.getScheme());
    return new RequestOptions().setMethod(method).setHost(base.getHost())
        .setPort(base.getPort() > 0 ? base.getPort() : tls ? 443 : 80).setSsl(tls)
        .setURI(WebSocketTransport.path(base) + pathAndQuery).setConnectTimeout(openTimeoutMs);
  }

  private String sessionQuery() {
    return "session=" + URLEncoder.encode(session, StandardCharsets.UTF_8) + "&key="
        + URLEncoder.encode(key, StandardCharsets.UTF_8);
  }

  // ---- SSE ----

  private Future<Void> openSse() {
    Promise<Void> open = Promise.promise();
    RequestOptions options = request(HttpMethod.GET, "/sse?" + sessionQuery() + "&cursor=" + cursor)
        .setIdleTimeout(idleTimeoutMs).putHeader("Accept", "text/event-stream");
    http.request(options).onFailure(open::tryFail).onSuccess(req -> req.send().onComplete(ar -> {
      if (ar.failed()) {
        open.tryFail(ar.cause());
        return;
      }
      HttpClientResponse resp = ar.result();
      if (resp.statusCode() != 200) {
        resp.body().onComplete(body -> open.tryFail(new HttpFailure(resp.statusCode(),
            resp.statusCode() == 404 ? "session_not_found" : "http_" + resp.statusCode(), retryAfter(resp))));
        return;
      }
      if (done) {
        resp.request().connection().close();
        return;
      }
      downstream = resp;
      SseParser parser = new SseParser();
      resp.handler(chunk -> parser.feed(chunk, this::sseEvent));
      resp.exceptionHandler(e -> downstreamEnded(resp, e));
      resp.endHandler(v -> downstreamEnded(resp, null));
      open.tryComplete();
    }));
    return open.future();
  }

  private void sseEvent(String id, String data) {
    if (done) {
      return;
    }
    downstreamFailures = 0;
    if (id != null) {
      try {
        cursor = Long.parseLong(id);
      } catch (NumberFormatException e) {
        // not one of our cursors; keep the last good one
      }
    }
    if (data != null) {
      try {
        listener.frame(new JsonObject(data));
      } catch (DecodeException e) {
        // a line that is no frame: nothing to act on
      }
    }
  }

  private void downstreamEnded(HttpClientResponse resp, Throwable error) {
    if (resp != downstream || done) {
      return;
    }
    downstream = null;
    reopenDownstream(error);
  }

  /** The stream ended (a newer one won, a proxy cut it, the node went): resume after the cursor. */
  private void reopenDownstream(Throwable error) {
    if (error instanceof HttpFailure && ((HttpFailure) error).status == 404
        || error instanceof HttpFailure && ((HttpFailure) error).status == 401) {
      lost(error);
      return;
    }
    if (error != null && ++downstreamFailures >= DOWNSTREAM_ATTEMPTS) {
      lost(error);
      return;
    }
    long delay = error == null ? 0 : 100L << downstreamFailures;
    Runnable again = () -> {
      if (done) {
        return;
      }
      if (sse) {
        openSse().onFailure(this::reopenDownstream);
      } else {
        poll();
      }
    };
    if (delay == 0) {
      again.run();
    } else {
      vertx.setTimer(delay, t -> again.run());
    }
  }

  // ---- long-poll ----

  private void poll() {
    if (done) {
      return;
    }
    RequestOptions options = request(HttpMethod.GET, "/poll?" + sessionQuery() + "&cursor=" + cursor)
        .setIdleTimeout(idleTimeoutMs);
    http.request(options).compose(req -> req.send().compose(resp -> resp.body().map(body -> {
      if (resp.statusCode() != 200) {
        throw new HttpFailure(resp.statusCode(), resp.statusCode() == 404 ? "session_not_found" : "http_" + resp.statusCode(),
            retryAfter(resp));
      }
      return body.toJsonObject();
    }))).onComplete(ar -> {
      if (done) {
        return;
      }
      if (ar.failed()) {
        reopenDownstream(ar.cause());
        return;
      }
      downstreamFailures = 0;
      JsonObject answer = ar.result();
      JsonArray messages = answer.getJsonArray("messages", new JsonArray());
      long last = answer.getLong("cursor", cursor);
      List<JsonObject> frames = new ArrayList<>(messages.size());
      for (Object m : messages) {
        if (m instanceof JsonObject) {
          frames.add((JsonObject) m);
        }
      }
      cursor = Math.max(cursor, last);
      for (JsonObject f : frames) {
        if (done) {
          return;
        }
        listener.frame(f);
      }
      poll();
    });
  }

  private void lost(Throwable cause) {
    if (done) {
      return;
    }
    done = true;
    closeDownstream();
    int code = 1006;
    Long retryAfter = null;
    String reason = "transport_failed";
    if (cause instanceof HttpFailure) {
      HttpFailure f = (HttpFailure) cause;
      code = f.status == 401 ? 4001 : f.status == 403 ? 4003 : 1006;
      reason = f.code();
      retryAfter = f.retryAfterMs();
    }
    listener.closed(new Closed(code, reason, retryAfter));
  }

  private void closeDownstream() {
    HttpClientResponse d = downstream;
    downstream = null;
    if (d != null) {
      d.request().connection().close();
    }
  }

  @Override
  public void close() {
    done = true;
    outgoing.clear();
    closeDownstream();
  }

  /** Reads {@code text/event-stream}: {@code id:} and {@code data:} lines, an empty line ends an event. */
  static final class SseParser {
    interface Events {
      void event(String id, String data);
    }

    private final StringBuilder line = new StringBuilder();
    private byte[] pending = new byte[0];
    private String id;
    private StringBuilder data;

    void feed(Buffer chunk, Events out) {
      byte[] bytes = chunk.getBytes();
      if (pending.length > 0) {
        byte[] joined = new byte[pending.length + bytes.length];
        System.arraycopy(pending, 0, joined, 0, pending.length);
        System.arraycopy(bytes, 0, joined, pending.length, bytes.length);
        bytes = joined;
      }
      int start = 0;
      for (int i = 0; i < bytes.length; i++) {
        if (bytes[i] == '\n') {
          int end = i > start && bytes[i - 1] == '\r' ? i - 1 : i;
          line.setLength(0);
          line.append(new String(bytes, start, end - start, StandardCharsets.UTF_8));
          lineRead(line.toString(), out);
          start = i + 1;
        }
      }
      pending = start == bytes.length ? new byte[0] : java.util.Arrays.copyOfRange(bytes, start, bytes.length);
    }

    private void lineRead(String l, Events out) {
      if (l.isEmpty()) {
        if (data != null || id != null) {
          out.event(id, data == null ? null : data.toString());
        }
        id = null;
        data = null;
      } else if (l.startsWith(":")) {
        return; // a comment: the keepalive
      } else if (l.startsWith("id:")) {
        id = field(l, 3);
      } else if (l.startsWith("data:")) {
        if (data == null) {
          data = new StringBuilder();
        } else {
          data.append('\n');
        }
        data.append(field(l, 5));
      }
    }

    private static String field(String l, int from) {
      return l.length() > from && l.charAt(from) == ' ' ? l.substring(from + 1) : l.substring(from);
    }
  }
}
