package dev.syncwire.bench;

import dev.syncwire.testing.PublicationListener;
import dev.syncwire.testing.SocketEvents;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Subscribers over the HTTP transports (docs/protocol.md §11). Each creates its session with one
 * {@code POST /send} carrying {@code connect} and {@code subscribe}, then holds its downstream: one
 * {@code GET /sse} stream, or a {@code GET /poll} loop that asks again as soon as an answer arrives (with
 * the answer's cursor, which acknowledges it). A stream that ends is reopened after its last cursor, as a
 * browser would, and counted as a problem. Clients spread over the source addresses like WebSockets do.
 */
final class HttpSubscribers implements SubscriberTransport {
  private static final String PUB_PREFIX = "{\"type\":\"pub\"";
  /** A failed poll is asked again after this pause (the server or the proxy may be briefly unreachable). */
  private static final long RETRY_MILLIS = 100;

  enum Mode { SSE, LONG_POLL }

  private final Vertx vertx;
  private final List<String> sources;
  private final String tenant;
  private final Mode mode;

  HttpSubscribers(Vertx vertx, List<String> sources, String tenant, Mode mode) {
    this.vertx = vertx;
    this.sources = sources;
    this.tenant = tenant;
    this.mode = mode;
  }

  @Override
  public String name() {
    return mode == Mode.SSE ? "SSE" : "long-poll";
  }

  @Override
  public Future<Subscribers> open(Target target, int count, int window, String channel, SocketEvents events,
                                  PublicationListener listener) {
    return new Group(target, channel, events, listener).open(count, window);
  }

  /** The subscribers of one run: their HTTP clients (one per source address) and counters. */
  private final class Group implements Subscribers {
    private final Target target;
    private final String channel;
    private final SocketEvents events;
    private final PublicationListener listener;
    private final List<HttpClientAgent> clients = new ArrayList<>();
    private final List<Subscriber> all = new ArrayList<>();
    private final Promise<Subscribers> opened = Promise.promise();
    private int count;
    private int started;
    private int finished;
    private long requests;
    private int failures;
    private String firstFailure;
    private boolean closing;

    Group(Target target, String channel, SocketEvents events, PublicationListener listener) {
      this.target = target;
      this.channel = channel;
      this.events = events;
      this.listener = listener;
      for (String source : sources) {
        clients.add(vertx.createHttpClient(new HttpClientOptions()
            .setLocalAddress(source)
            .setKeepAlive(true)
            .setTcpNoDelay(true)
            .setConnectTimeout(30_000), new PoolOptions().setHttp1MaxSize(10_000)));
      }
    }

    /** Joins {@code count} subscribers, {@code window} at a time; completes when every one joined or failed. */
    Future<Subscribers> open(int count, int window) {
      this.count = count;
      if (count == 0) {
        opened.complete(this);
      }
      for (int i = 0; i < Math.min(window, count); i++) {
        launch();
      }
      return opened.future();
    }

    private void launch() {
      int index = started++;
      Subscriber s = new Subscriber(index, clients.get(index % clients.size()));
      all.add(s);
      s.join().onComplete(ar -> {
        if (ar.failed()) {
          failures++;
          if (firstFailure == null) {
            firstFailure = String.valueOf(ar.cause());
          }
        }
        finished++;
        if (started < count) {
          launch();
        } else if (finished == count) {
          opened.complete(this);
        }
      });
    }

    @Override
    public int failures() {
      return failures;
    }

    @Override
    public String firstFailure() {
      return firstFailure;
    }

    @Override
    public long requests() {
      return requests;
    }

    @Override
    public Future<Void> close() {
      closing = true;
      all.forEach(Subscriber::close);
      List<Future<Void>> closes = new ArrayList<>();
      for (HttpClientAgent client : clients) {
        closes.add(client.close());
      }
      return Future.join(closes).mapEmpty();
    }

    private void problem(String what, boolean closed) {
      if (closed) {
        events.unexpectedCloses++;
      } else {
        events.errors++;
      }
      events.lastProblem = what;
    }

    /** One HTTP session and its downstream. */
    private final class Subscriber {
      private final int index;
      private final HttpClientAgent client;
      private String session;
      private String key;
      private long cursor;
      private HttpClientResponse stream;
      /** Unparsed tail of the event stream. */
      private final StringBuilder pending = new StringBuilder();

      Subscriber(int index, HttpClientAgent client) {
        this.index = index;
        this.client = client;
      }

      Future<Void> join() {
        String body = new JsonArray()
            .add(new JsonObject().put("id", 1).put("type", "connect").put("tenant", tenant))
            .add(new JsonObject().put("id", 2).put("type", "subscribe").put("channel", channel)).encode();
        return request(HttpMethod.POST, "/send")
            .compose(req -> req.putHeader("Content-Type", "application/json").send(body)
            .compose(res -> res.body().map(b -> {
              if (res.statusCode() != 200) {
                throw new IllegalStateException("/send answered " + res.statusCode() + ": " + b);
              }
              JsonArray replies = new JsonArray(b.toString(StandardCharsets.UTF_8));
              JsonObject connected = replies.getJsonObject(0);
              JsonObject subscribed = replies.getJsonObject(1);
              if (!"connected".equals(connected.getString("type")) || !"subscribed".equals(subscribed.getString("type"))) {
                throw new IllegalStateException("/send replies: " + b);
              }
              session = connected.getString("session");
              key = connected.getString("key");
              return null;
            })))
            .compose(v -> mode == Mode.SSE ? openStream() : startPolling());
      }

      private Future<io.vertx.core.http.HttpClientRequest> request(HttpMethod method, String uri) {
        return client.request(new RequestOptions().setMethod(method).setHost(target.host())
            .setPort(target.portOf(index)).setURI(uri));
      }

      private String downstreamUri(String path) {
        return path + "?session=" + session + "&key=" + key + "&cursor=" + cursor;
      }

      // ---- SSE ----

      private Future<Void> openStream() {
        requests++;
        return request(HttpMethod.GET, downstreamUri("/sse")).compose(req -> req.send().map(res -> {
          if (res.statusCode() != 200) {
            throw new IllegalStateException("/sse answered " + res.statusCode());
          }
          stream = res;
          pending.setLength(0);
          res.handler(this::onChunk);
          res.exceptionHandler(e -> onStreamEnd("stream failed: " + e));
          res.endHandler(v -> onStreamEnd("stream ended by the server"));
          return null;
        }));
      }

      private void onChunk(Buffer chunk) {
        pending.append(chunk.toString(StandardCharsets.UTF_8));
        int end = pending.lastIndexOf("\n\n");
        if (end < 0) {
          return;
        }
        String complete = pending.substring(0, end + 2);
        pending.delete(0, end + 2);
        onEvents(complete);
      }

      /**
       * Complete events: "id: N" and "data: frame" lines, a blank line after each; comments (": hb") and
       * "retry:" carry nothing here.
       */
      private void onEvents(String text) {
        int line = 0;
        while (line < text.length()) {
          int eol = text.indexOf('\n', line);
          if (text.startsWith("id: ", line)) {
            cursor = Payload.parseLong(text, line + 4);
          } else if (text.startsWith("data: ", line)) {
            dispatch(text.substring(line + 6, eol));
          }
          line = eol + 1;
        }
      }

      private void onStreamEnd(String why) {
        if (closing || stream == null) {
          return;
        }
        stream = null;
        problem(why + " (subscriber " + index + ", reopened after cursor " + cursor + ")", true);
        openStream().onFailure(e -> problem("cannot reopen the stream: " + e, true));
      }

      // ---- long-polling ----

      private Future<Void> startPolling() {
        poll();
        return Future.succeededFuture();
      }

      private void poll() {
        if (closing) {
          return;
        }
        requests++;
        request(HttpMethod.GET, downstreamUri("/poll")).compose(req -> req.send()
            .compose(res -> res.body().map(b -> {
              if (res.statusCode() != 200) {
                throw new IllegalStateException("/poll answered " + res.statusCode() + ": " + b);
              }
              return b.toString(StandardCharsets.UTF_8);
            })))
            .onComplete(ar -> {
              if (closing) {
                return;
              }
              if (ar.failed()) {
                problem("poll failed: " + ar.cause(), false);
                vertx.setTimer(RETRY_MILLIS, t -> poll());
                return;
              }
              onPollAnswer(ar.result());
              poll();
            });
      }

      /** {@code {"cursor":N,"messages":[frame, ...]}}: the frames are split without parsing them. */
      private void onPollAnswer(String body) {
        int c = body.indexOf("\"cursor\":");
        if (c >= 0) {
          cursor = Payload.parseLong(body, c + 9);
        }
        int m = body.indexOf("\"messages\":[");
        if (m < 0) {
          problem("poll answer without messages: " + body, false);
          return;
        }
        JsonFrames.eachObject(body, m + 12, this::dispatch);
      }

      // ---- both ----

      private void dispatch(String frame) {
        if (frame.startsWith(PUB_PREFIX)) {
          listener.onPublication(index, frame);
          return;
        }
        JsonObject json = new JsonObject(frame);
        String type = json.getString("type", "");
        if (type.equals("reset")) {
          events.resets++;
        } else if (type.equals("error")) {
          events.errors++;
        } else {
          events.unexpectedFrames++;
        }
        events.lastProblem = frame;
      }

      void close() {
        if (stream != null) {
          HttpClientResponse s = stream;
          stream = null;
          s.request().connection().close();
        }
      }
    }
  }
}
