package dev.syncwire.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/** A real HTTP client of the SSE and long-poll transports: {@code /send}, {@code /poll}, {@code /sse}. */
public final class HttpSessionClient implements AutoCloseable {
  /** An HTTP answer. */
  public record Response(int status, Map<String, String> headers, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    public JsonArray array() {
      return new JsonArray(body);
    }
  }

  private final HttpClient http;
  private final String host;
  private final int port;
  private final AtomicLong ids = new AtomicLong();
  public String session;
  public String key;

  public HttpSessionClient(Vertx vertx, int port) {
    this(vertx, "127.0.0.1", port);
  }

  public HttpSessionClient(Vertx vertx, String host, int port) {
    this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    this.host = host;
    this.port = port;
  }

  public long nextId() {
    return ids.incrementAndGet();
  }

  /** Connects anonymously to {@code tenant}; keeps the session id and key. */
  public JsonObject connect(String tenant) {
    Response r = send(null, new JsonArray().add(new JsonObject().put("id", nextId()).put("type", "connect").put("tenant", tenant)));
    JsonObject connected = r.array().getJsonObject(0);
    session = connected.getString("session");
    key = connected.getString("key");
    return connected;
  }

  /** One command in this session; its reply. */
  public JsonObject command(JsonObject command) {
    Response r = send(session, new JsonArray().add(command.put("id", nextId())));
    if (r.status() != 200) {
      throw new AssertionError("send failed: " + r);
    }
    return r.array().getJsonObject(0);
  }

  public Response send(String session, JsonArray commands) {
    return post("/send" + (session == null ? "" : "?session=" + session), commands.encode(), key);
  }

  public Response post(String uri, String body, String key) {
    return call(HttpMethod.POST, uri, body, key == null ? Map.of() : Map.of("X-Syncwire-Key", key));
  }

  public Response poll(long cursor) {
    return call(HttpMethod.GET, "/poll?session=" + session + "&key=" + key + "&cursor=" + cursor, null, Map.of());
  }

  public Response call(HttpMethod method, String uri, String body, Map<String, String> headers) {
    return Await.result(http.request(new RequestOptions().setMethod(method).setHost(host).setPort(port).setURI(uri))
        .compose(req -> {
          headers.forEach(req::putHeader);
          return (body == null ? req.send() : req.send(Buffer.buffer(body)))
              .compose(res -> res.body().map(b -> new Response(res.statusCode(), headersOf(res), b.toString())));
        }));
  }

  private static Map<String, String> headersOf(HttpClientResponse res) {
    Map<String, String> out = new java.util.HashMap<>();
    res.headers().forEach(e -> out.put(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue()));
    return out;
  }

  /** Opens an SSE stream of this session after {@code cursor} (sent as Last-Event-ID when {@code asHeader}). */
  public SseReader sse(long cursor, boolean asHeader) {
    String uri = "/sse?session=" + session + "&key=" + key + (asHeader ? "" : "&cursor=" + cursor);
    SseReader reader = new SseReader();
    Await.result(http.request(new RequestOptions().setMethod(HttpMethod.GET).setHost(host).setPort(port).setURI(uri))
        .compose(req -> {
          if (asHeader) {
            req.putHeader("Last-Event-ID", String.valueOf(cursor));
          }
          return req.send();
        }).map(res -> {
          reader.start(res);
          return res;
        }));
    return reader;
  }

  @Override
  public void close() {
    http.close();
  }

  /** Reads an event stream: events (id + data), comments and the end of the response. */
  public static final class SseReader {
    /** One event. */
    public record Event(long id, JsonObject data) {
    }

    private final List<Event> events = new ArrayList<>();
    private final List<String> comments = new ArrayList<>();
    private final StringBuilder pending = new StringBuilder();
    private volatile boolean ended;
    public volatile int status;
    public volatile Map<String, String> headers;
    public volatile Long retry;
    private HttpClientResponse response;

    void start(HttpClientResponse res) {
      this.response = res;
      status = res.statusCode();
      headers = headersOf(res);
      res.handler(this::onData);
      res.endHandler(v -> ended = true);
      res.exceptionHandler(e -> ended = true);
    }

    private synchronized void onData(Buffer b) {
      pending.append(b.toString());
      int end;
      while ((end = pending.indexOf("\n\n")) >= 0) {
        String block = pending.substring(0, end);
        pending.delete(0, end + 2);
        Long id = null;
        StringBuilder data = new StringBuilder();
        for (String line : block.split("\n")) {
          if (line.startsWith(":")) {
            comments.add(line.substring(1).trim());
          } else if (line.startsWith("id: ")) {
            id = Long.parseLong(line.substring(4));
          } else if (line.startsWith("data: ")) {
            data.append(line.substring(6));
          } else if (line.startsWith("retry: ")) {
            retry = Long.parseLong(line.substring(7));
          }
        }
        if (id != null) {
          events.add(new Event(id, new JsonObject(data.toString())));
        }
      }
      notifyAll();
    }

    /** Waits until {@code n} events arrived; returns them all. */
    public synchronized List<Event> await(int n) {
      long deadline = System.currentTimeMillis() + 15_000;
      while (events.size() < n && System.currentTimeMillis() < deadline) {
        try {
          wait(100);
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
      }
      if (events.size() < n) {
        throw new AssertionError("only " + events.size() + " of " + n + " events: " + events);
      }
      return new ArrayList<>(events);
    }

    public synchronized List<Event> events() {
      return new ArrayList<>(events);
    }

    public synchronized List<String> comments() {
      return new ArrayList<>(comments);
    }

    public synchronized boolean awaitComment(Predicate<String> match) {
      long deadline = System.currentTimeMillis() + 10_000;
      while (comments.stream().noneMatch(match) && System.currentTimeMillis() < deadline) {
        try {
          wait(50);
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
      }
      return comments.stream().anyMatch(match);
    }

    public boolean ended() {
      return ended;
    }

    public void close() {
      if (response != null) {
        response.request().connection().close();
      }
    }
  }
}
