package dev.syncwire.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw TCP client of the client port for deadline tests: sends a request in pieces or a byte at a time,
 * and records what the server sends and when it closes the connection. A background thread reads (and
 * only reads); tests wait for what it saw.
 */
public final class SlowClient implements AutoCloseable {
  private static final ScheduledExecutorService TRICKLE = Executors.newScheduledThreadPool(1, r -> {
    Thread t = new Thread(r, "slow-client-trickle");
    t.setDaemon(true);
    return t;
  });

  /** The server closed the connection {@code afterMs} after the last {@link #mark()}, having sent {@code received}. */
  public record Closed(long afterMs, String received) {
  }

  private final Socket socket;
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();
  private volatile long markNanos;
  private long closedNanos = -1;
  private ScheduledFuture<?> trickle;

  private SlowClient(Socket socket) {
    this.socket = socket;
    Thread reader = new Thread(this::read, "slow-client-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Connects to the node's client port; times are measured from here until the next {@link #mark()}. */
  public static SlowClient connect(int port) {
    try {
      Socket socket = new Socket();
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      SlowClient client = new SlowClient(socket);
      client.mark();
      return client;
    } catch (IOException e) {
      throw new AssertionError("connect failed", e);
    }
  }

  /** Measures the time to the close from now. */
  public SlowClient mark() {
    markNanos = System.nanoTime();
    return this;
  }

  /** Sends {@code text} at once. */
  public SlowClient send(String text) {
    try {
      socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      return this;
    } catch (IOException e) {
      throw new AssertionError("send failed", e);
    }
  }

  /** Sends {@code text} one byte every {@code intervalMs}, in the background, until it is sent or the connection fails. */
  public SlowClient trickle(String text, long intervalMs) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    AtomicInteger next = new AtomicInteger();
    trickle = TRICKLE.scheduleAtFixedRate(() -> {
      int i = next.getAndIncrement();
      if (i >= bytes.length || closed()) {
        throw new IllegalStateException("done"); // ends the schedule
      }
      try {
        socket.getOutputStream().write(bytes[i]);
        socket.getOutputStream().flush();
      } catch (IOException e) {
        throw new IllegalStateException("connection gone", e);
      }
    }, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    return this;
  }

  /** Waits until what the server sent contains {@code text}. */
  public void awaitReceived(String text, long timeoutMs) {
    Await.until(java.time.Duration.ofMillis(timeoutMs), "\"" + text + "\" from the server", () -> received().contains(text));
  }

  /** Waits for the server to close the connection. */
  public Closed awaitClosed(long timeoutMs) {
    Await.until(java.time.Duration.ofMillis(timeoutMs), "the server to close the connection", this::closed);
    synchronized (this) {
      return new Closed(TimeUnit.NANOSECONDS.toMillis(closedNanos - markNanos), received());
    }
  }

  public synchronized String received() {
    return received.toString(StandardCharsets.US_ASCII);
  }

  public synchronized boolean closed() {
    return closedNanos >= 0;
  }

  private void read() {
    byte[] buf = new byte[4096];
    try {
      InputStream in = socket.getInputStream();
      int n;
      while ((n = in.read(buf)) >= 0) {
        synchronized (this) {
          received.write(buf, 0, n);
        }
      }
    } catch (IOException e) {
      // a reset or our own close: the connection is gone either way
    }
    synchronized (this) {
      closedNanos = System.nanoTime();
    }
  }

  @Override
  public void close() {
    if (trickle != null) {
      trickle.cancel(false);
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
