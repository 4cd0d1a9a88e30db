package dev.syncwire.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Plain HTTP/1.1 requests for tests, each bounded in time: a node that never answers fails the test instead
 * of hanging it. One shared client (a client per request starts a selector thread each time), and no
 * {@code h2c} upgrade attempt, which the JDK's client makes by default and which is not what is under test.
 */
public final class Http {
  /** What a request may take: longer than any answer a working node gives on a loaded machine. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private Http() {
  }

  /** The shared client, for requests that need their own body handler or error handling. */
  public static HttpClient client() {
    return CLIENT;
  }

  /** A request to {@code http://127.0.0.1:port path}, to be completed by the caller. */
  public static HttpRequest.Builder request(int port, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(REQUEST_TIMEOUT);
  }

  /** Sends {@code request} (bounded by {@link #REQUEST_TIMEOUT} unless it says otherwise) and returns the answer. */
  public static HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(request.build().uri() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The body of a GET, whatever its status. */
  public static String get(int port, String path) {
    return send(request(port, path)).body();
  }

  /** The status of a GET, or -1 when nothing answered within {@code timeout}: for polling a node's state. */
  public static int status(int port, String path, Duration timeout) {
    try {
      return CLIENT.send(request(port, path).timeout(timeout).build(), HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
