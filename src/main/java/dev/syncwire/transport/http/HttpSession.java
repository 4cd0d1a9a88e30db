package dev.syncwire.transport.http;

import dev.syncwire.protocol.CloseCode;
import dev.syncwire.protocol.Command;
import dev.syncwire.protocol.ErrorCode;
import dev.syncwire.protocol.JsonCodec;
import dev.syncwire.protocol.MalformedFrameException;
import dev.syncwire.protocol.ProtocolException;
import dev.syncwire.protocol.ServerFrame;
import dev.syncwire.session.Session;
import dev.syncwire.session.Transport;
import dev.syncwire.protocol.TransportKind;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The home side of one HTTP session: the {@link Transport} under its {@link Session}. Replies go back in
 * the response of the {@code /send} that carried the command; pushes are numbered into a
 * {@link CursorBuffer} and go to the current downstream, of which there is at most one: a new one ends
 * the previous one. Without a downstream, pushes wait in the session's outbound buffer (where patches
 * conflate). Everything here runs on the session's event loop.
 */
final class HttpSession implements Transport {
  /** How long a {@code /send} waits for the replies of its commands. */
  static final long REPLY_TIMEOUT_MS = 30_000;

  /** A poll's answer: the last cursor and the pushes after the poll's cursor. */
  record PollResult(long cursor, List<CursorBuffer.Entry> pushes) {
  }

  private final Vertx vertx;
  private final Context context;
  private final SessionDirectory directory;
  private final CursorBuffer pushes;
  private final long lingerMs;
  private final String clientIp;
  private final List<CursorBuffer.Entry> unflushed = new ArrayList<>();
  private final Map<Long, ReplySlot> awaitingReplies = new HashMap<>();
  private Session session;
  private Downstream downstream;
  /** Polls until a stream attaches: a session that only sends commands is counted as long-polling. */
  private TransportKind kind = TransportKind.LONGPOLL;
  private long lingerTimer = -1;
  private boolean closed;
  private CloseCode closeCode;

  HttpSession(Vertx vertx, Context context, SessionDirectory directory, long bufferBytes, long lingerMs,
              String clientIp) {
    this.vertx = vertx;
    this.context = context;
    this.directory = directory;
    this.pushes = new CursorBuffer(bufferBytes);
    this.lingerMs = lingerMs;
    this.clientIp = clientIp;
  }

  @Override
  public TransportKind kind() {
    return kind;
  }

  void bind(Session session) {
    this.session = session;
    armLinger();
  }

  Session session() {
    return session;
  }

  Context context() {
    return context;
  }

  /** Why the session ended (null while open). */
  CloseCode closeCode() {
    return closeCode;
  }

  boolean closed() {
    return closed;
  }

  // ---- requests ----

  /** Runs a batch of commands; completes with their replies, in the order of the commands. */
  void send(JsonArray commands, Promise<JsonArray> done) {
    touch();
    ReplyBatch batch = new ReplyBatch(commands.size(), done);
    for (int i = 0; i < commands.size(); i++) {
      Object raw = commands.getValue(i);
      Command command;
      try {
        if (!(raw instanceof JsonObject)) {
          throw new MalformedFrameException("each command must be a JSON object");
        }
        command = JsonCodec.decode((JsonObject) raw);
      } catch (MalformedFrameException e) {
        batch.fill(i, ServerFrame.Error.of(null, ErrorCode.BAD_REQUEST, e.getMessage()));
        continue;
      } catch (ProtocolException e) {
        batch.fill(i, e.toFrame());
        continue;
      }
      if (closed) {
        batch.fill(i, ServerFrame.Error.of(command.id(), ErrorCode.UNAUTHORIZED, "session ended"));
        continue;
      }
      if (awaitingReplies.containsKey(command.id())) {
        batch.fill(i, ServerFrame.Error.of(command.id(), ErrorCode.BAD_REQUEST, "a command with this id is in flight"));
        continue;
      }
      awaitingReplies.put(command.id(), new ReplySlot(batch, i));
      session.onCommand(command);
    }
    vertx.setTimer(REPLY_TIMEOUT_MS, t -> batch.expire());
  }

  /**
   * A poll: acknowledges everything up to {@code cursor}; answers at once with pushes after it that were
   * already handed out (a lost response is repeated), else waits for new ones up to {@code timeoutMs}.
   * Completes with null when pushes after {@code cursor} are no longer held.
   */
  void poll(long cursor, long timeoutMs, Promise<PollResult> done) {
    touch();
    pushes.acknowledge(cursor);
    List<CursorBuffer.Entry> held = pushes.after(cursor);
    if (held == null) {
      done.complete(null);
      return;
    }
    if (!held.isEmpty() || closed) {
      done.complete(new PollResult(pushes.lastCursor(), held));
      return;
    }
    PollDownstream poll = new PollDownstream(cursor, done);
    attach(poll);
    long timer = vertx.setTimer(timeoutMs, t -> {
      if (downstream == poll) {
        detach(poll);
      }
      poll.end();
    });
    done.future().onComplete(ar -> vertx.cancelTimer(timer));
  }

  /**
   * Attaches a streaming downstream that has everything up to {@code cursor}: it first gets the pushes
   * after that, then everything new. Returns false when pushes after {@code cursor} are no longer held.
   */
  boolean stream(long cursor, Downstream stream) {
    touch();
    pushes.acknowledge(cursor);
    List<CursorBuffer.Entry> held = pushes.after(cursor);
    if (held == null || closed) {
      return false;
    }
    if (cursor > 0) {
      session.resumed();
    }
    if (!held.isEmpty()) {
      stream.deliver(held);
    }
    attach(stream);
    return true;
  }

  private void attach(Downstream next) {
    Downstream previous = downstream;
    downstream = next;
    TransportKind nextKind = next.oneShot() ? TransportKind.LONGPOLL : TransportKind.SSE;
    if (nextKind != kind) {
      kind = nextKind;
      session.transportKindChanged();
    }
    cancelLinger();
    if (previous != null) {
      previous.end();
    }
    session.onWritable();
  }

  /** The downstream went away (client disconnected, poll answered or timed out). */
  void detach(Downstream gone) {
    if (downstream == gone) {
      downstream = null;
      armLinger();
    }
  }

  /** The node relaying stream {@code relayId} lost its client. */
  void detachRelay(String relayId) {
    if (downstream != null && relayId.equals(downstream.relayId())) {
      detach(downstream);
    }
  }

  /** The downstream relayed as {@code relayId}, if it is still this session's downstream. */
  Downstream relayed(String relayId) {
    return isRelayCurrent(relayId) ? downstream : null;
  }

  /** Whether {@code relayId} is still this session's downstream. */
  boolean isRelayCurrent(String relayId) {
    return downstream != null && relayId.equals(downstream.relayId());
  }

  /** The downstream can take more again. */
  void downstreamWritable() {
    if (downstream != null && downstream.writable()) {
      session.onWritable();
    }
  }

  // ---- Transport ----

  @Override
  public void write(byte[] frame) {
    if (!closed) {
      unflushed.add(pushes.append(frame));
    }
  }

  @Override
  public void flush() {
    if (unflushed.isEmpty()) {
      return;
    }
    List<CursorBuffer.Entry> batch = List.copyOf(unflushed);
    unflushed.clear();
    Downstream d = downstream;
    if (d == null) {
      return; // held in the cursor buffer for the next downstream
    }
    if (d.oneShot()) {
      detach(d);
    }
    d.deliver(batch);
  }

  @Override
  public boolean writable() {
    return downstream != null && downstream.writable();
  }

  @Override
  public long pendingBytes() {
    return 0;
  }

  @Override
  public long retainedBytes() {
    return pushes.bytes();
  }

  @Override
  public void ping() {
  }

  @Override
  public boolean usesHeartbeat() {
    return false;
  }

  @Override
  public boolean separatesReplies() {
    return true;
  }

  @Override
  public boolean resetsOnOverflow() {
    return true;
  }

  @Override
  public void reply(Long id, byte[] frame) {
    ReplySlot slot = id == null ? null : awaitingReplies.remove(id);
    if (slot != null) {
      slot.batch.fill(slot.index, new JsonObject(new String(frame, StandardCharsets.UTF_8)));
    }
  }

  @Override
  public void close(CloseCode code, String reason) {
    end(code);
  }

  @Override
  public void terminate() {
    end(CloseCode.GOING_AWAY);
  }

  private void end(CloseCode code) {
    if (closed) {
      return;
    }
    closed = true;
    closeCode = code;
    cancelLinger();
    Downstream d = downstream;
    downstream = null;
    if (d != null) {
      d.end();
    }
    directory.ended(session.id(), clientIp, session.key(), code);
  }

  // ---- linger ----

  private void touch() {
    if (downstream == null) {
      armLinger();
    }
  }

  private void armLinger() {
    cancelLinger();
    lingerTimer = vertx.setTimer(lingerMs, t -> {
      lingerTimer = -1;
      if (downstream == null && !closed) {
        session.close(CloseCode.GOING_AWAY, "idle for " + lingerMs + " ms");
      }
    });
  }

  private void cancelLinger() {
    if (lingerTimer >= 0) {
      vertx.cancelTimer(lingerTimer);
      lingerTimer = -1;
    }
  }

  // ---- replies of one /send ----

  private record ReplySlot(ReplyBatch batch, int index) {
  }

  /** The replies of one {@code /send}, completed when each command has its reply. */
  private final class ReplyBatch {
    private final Object[] replies;
    private final Promise<JsonArray> done;
    private int missing;

    ReplyBatch(int size, Promise<JsonArray> done) {
      this.replies = new Object[size];
      this.missing = size;
      this.done = done;
      if (size == 0) {
        done.complete(new JsonArray());
      }
    }

    void fill(int index, ServerFrame.Error error) {
      fill(index, new JsonObject(JsonCodec.toJson(error)));
    }

    void fill(int index, JsonObject reply) {
      if (replies[index] == null && missing > 0) {
        replies[index] = reply;
        if (--missing == 0) {
          complete();
        }
      }
    }

    void expire() {
      if (missing == 0) {
        return;
      }
      awaitingReplies.values().removeIf(slot -> slot.batch == this);
      for (int i = 0; i < replies.length; i++) {
        if (replies[i] == null) {
          replies[i] = new JsonObject(JsonCodec.toJson(ServerFrame.Error.of(null, ErrorCode.UNAVAILABLE, "no reply in time")));
        }
      }
      missing = 0;
      complete();
    }

    private void complete() {
      JsonArray out = new JsonArray();
      for (Object r : replies) {
        out.add(r);
      }
      done.tryComplete(out);
    }
  }

  /** A waiting poll: answers with the first pushes, or empty when ended. */
  private final class PollDownstream implements Downstream {
    private final long cursor;
    private final Promise<PollResult> done;

    PollDownstream(long cursor, Promise<PollResult> done) {
      this.cursor = cursor;
      this.done = done;
    }

    @Override
    public void deliver(List<CursorBuffer.Entry> batch) {
      done.tryComplete(new PollResult(pushes.lastCursor(), batch));
    }

    @Override
    public boolean writable() {
      return !done.future().isComplete();
    }

    @Override
    public boolean oneShot() {
      return true;
    }

    @Override
    public void end() {
      done.tryComplete(new PollResult(cursor, List.of()));
    }
  }
}
