package dev.syncwire.session;

import dev.syncwire.protocol.TransportKind;
import dev.syncwire.protocol.CloseCode;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * A {@link Transport} without a socket. Written frames wait until {@link #flush()}, then sit in a
 * simulated send buffer until the peer reads them; a test can stop the peer from reading
 * ({@link #stallPeer()}) so that the buffer fills past its high-water mark and the transport stops being
 * writable, as a socket's would. It records what the peer received (decoded as JSON), the close code,
 * pings and flushes.
 *
 * <p>The session calls it on its event loop, the test reads it from its own thread: every method is
 * synchronized, and the test waits on the futures it completes instead of polling.
 */
final class FakeTransport implements Transport {

  @Override
  public TransportKind kind() {
    return TransportKind.WEBSOCKET;
  }
  private final long highWaterBytes;
  private final boolean http;
  private final List<byte[]> unflushed = new ArrayList<>();
  private final List<byte[]> unread = new ArrayList<>();
  private final List<byte[]> receivedBytes = new ArrayList<>();
  private final List<JsonObject> received = new ArrayList<>();
  private final List<JsonObject> replies = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final CompletableFuture<CloseCode> closed = new CompletableFuture<>();
  private long pendingBytes;
  private boolean peerReading = true;
  private boolean full;
  private boolean terminated;
  private int flushes;
  private int pings;
  private Runnable onWritable = () -> { };

  private record Waiter(boolean ofReplies, Predicate<List<JsonObject>> done,
                        CompletableFuture<List<JsonObject>> future) {
  }

  private FakeTransport(long highWaterBytes, boolean http) {
    this.highWaterBytes = highWaterBytes;
    this.http = http;
  }

  /** Like a WebSocket: replies and pushes share the connection; overflow closes the session. */
  static FakeTransport webSocketLike(long highWaterBytes) {
    return new FakeTransport(highWaterBytes, false);
  }

  /** Like an HTTP session: replies travel apart ({@link #replies(int)}); overflow resets channels. */
  static FakeTransport httpLike(long highWaterBytes) {
    return new FakeTransport(highWaterBytes, true);
  }

  /** What runs when the send buffer drains below its high-water mark after it was full. */
  synchronized void onWritable(Runnable action) {
    this.onWritable = action;
  }

  /** The peer stops reading: flushed frames stay in the send buffer. */
  synchronized void stallPeer() {
    peerReading = false;
  }

  /** The peer reads everything flushed so far, and from now on reads as frames arrive. */
  synchronized void resumePeer() {
    peerReading = true;
    deliverUnread();
  }

  @Override
  public synchronized void write(byte[] frame) {
    unflushed.add(frame);
    pendingBytes += frame.length;
    if (pendingBytes >= highWaterBytes) {
      full = true;
    }
  }

  @Override
  public synchronized void flush() {
    flushes++;
    unread.addAll(unflushed);
    unflushed.clear();
    if (peerReading) {
      deliverUnread();
    }
  }

  private void deliverUnread() {
    for (byte[] frame : unread) {
      pendingBytes -= frame.length;
      receivedBytes.add(frame);
      received.add(new JsonObject(new String(frame, StandardCharsets.UTF_8)));
    }
    unread.clear();
    checkWaiters();
    if (full && pendingBytes < highWaterBytes) {
      // What Netty's writability event does for a real socket that drained.
      full = false;
      onWritable.run();
    }
  }

  @Override
  public synchronized boolean writable() {
    return pendingBytes < highWaterBytes;
  }

  @Override
  public synchronized long pendingBytes() {
    return pendingBytes;
  }

  @Override
  public synchronized void ping() {
    pings++;
  }

  @Override
  public synchronized void close(CloseCode code, String reason) {
    // As a WebSocket's close frame does, the close flushes what was written before it.
    flush();
    closed.complete(code);
  }

  @Override
  public synchronized void terminate() {
    terminated = true;
    closed.complete(null);
  }

  @Override
  public boolean separatesReplies() {
    return http;
  }

  @Override
  public synchronized void reply(Long id, byte[] frame) {
    replies.add(new JsonObject(new String(frame, StandardCharsets.UTF_8)));
    checkWaiters();
  }

  @Override
  public boolean usesHeartbeat() {
    return !http;
  }

  @Override
  public boolean resetsOnOverflow() {
    return http;
  }

  // ---- for the test thread ----

  /** Completes with the first {@code count} frames the peer received, once it has received that many. */
  synchronized CompletableFuture<List<JsonObject>> received(int count) {
    return await(false, list -> list.size() >= count).thenApply(all -> all.subList(0, count));
  }

  /** Completes with everything received up to the moment a frame that matches {@code last} arrived. */
  synchronized CompletableFuture<List<JsonObject>> receivedUntil(Predicate<JsonObject> last) {
    return await(false, list -> list.stream().anyMatch(last));
  }

  /** Completes with the first {@code count} replies sent apart, by an HTTP-like transport. */
  synchronized CompletableFuture<List<JsonObject>> replies(int count) {
    return await(true, list -> list.size() >= count).thenApply(all -> all.subList(0, count));
  }

  private CompletableFuture<List<JsonObject>> await(boolean ofReplies, Predicate<List<JsonObject>> done) {
    CompletableFuture<List<JsonObject>> future = new CompletableFuture<>();
    waiters.add(new Waiter(ofReplies, done, future));
    checkWaiters();
    return future;
  }

  private void checkWaiters() {
    waiters.removeIf(w -> {
      List<JsonObject> frames = List.copyOf(w.ofReplies ? replies : received);
      if (w.done.test(frames)) {
        w.future.complete(frames);
        return true;
      }
      return false;
    });
  }

  /** Completes when the session closes this transport (with its code) or terminates it (with null). */
  CompletableFuture<CloseCode> closed() {
    return closed;
  }

  synchronized List<JsonObject> receivedNow() {
    return List.copyOf(received);
  }

  /** The frames received, as the very arrays written: shared frames are the same instance everywhere. */
  synchronized List<byte[]> receivedBytes() {
    return List.copyOf(receivedBytes);
  }

  synchronized int flushes() {
    return flushes;
  }

  synchronized int pings() {
    return pings;
  }

  synchronized boolean terminated() {
    return terminated;
  }
}
