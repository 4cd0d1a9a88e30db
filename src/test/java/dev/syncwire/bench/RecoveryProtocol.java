package dev.syncwire.bench;

import dev.syncwire.testing.LoadSocket;
import dev.syncwire.testing.SyncwireProtocol;
import dev.syncwire.testing.WireProtocol;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Syncwire's protocol for the recovery storm: each client connects and subscribes; the first time it
 * records the position it got ({@code epoch}, {@code seq}), after a reconnect it subscribes with
 * {@code since} that position and its reply is checked: {@code recovered:true} and every missed
 * publication in {@code pubs}, consecutive seqs, payloads in publishing order. The replay is one large
 * frame; it is scanned for those fields rather than parsed, so that the client's cost stays small.
 */
final class RecoveryProtocol implements WireProtocol {
  private static final String PUBS_FIELD = ",\"pubs\":[";
  private static final String PUB_START = "{\"type\":\"pub\"";
  private static final String SEQ_FIELD = "\"seq\":";

  /** What one client's resubscribe brought. */
  record Outcome(boolean recovered, int pubs, boolean inOrder, String problem) {
    boolean complete(int expected) {
      return recovered && inOrder && pubs == expected;
    }
  }

  private final SyncwireProtocol plain;
  private final String tenant;
  private final String[] epochs;
  private final long[] seqs;
  private final Outcome[] outcomes;
  private boolean resuming;

  RecoveryProtocol(String tenant, int clients) {
    this.plain = new SyncwireProtocol(tenant);
    this.tenant = tenant;
    this.epochs = new String[clients];
    this.seqs = new long[clients];
    this.outcomes = new Outcome[clients];
  }

  /** From now on, joins resubscribe with {@code since} their recorded position. */
  void resume() {
    resuming = true;
  }

  Outcome outcome(int client) {
    return outcomes[client];
  }

  @Override
  public String name() {
    return "Syncwire";
  }

  @Override
  public Future<Void> join(LoadSocket socket, String channel) {
    int i = socket.index();
    String since = resuming
        ? ",\"since\":{\"epoch\":\"" + epochs[i] + "\",\"seq\":" + seqs[i] + "}" : "";
    return socket.request(1, "connected", "{\"id\":1,\"type\":\"connect\",\"tenant\":\"" + tenant + "\"}")
        .compose(c -> socket.request(2, "subscribed",
            "{\"id\":2,\"type\":\"subscribe\",\"channel\":\"" + channel + "\"" + since + "}"))
        .map(reply -> {
          if (!resuming) {
            epochs[i] = reply.getString("epoch");
            seqs[i] = reply.getLong("seq");
          } else if (outcomes[i] == null) {
            outcomes[i] = new Outcome(reply.getBoolean("recovered", false), 0, true,
                "subscribed without pubs: " + reply.encode());
          }
          return null;
        });
  }

  @Override
  public String publishFrame(long commandId, String channel, String payload) {
    return plain.publishFrame(commandId, channel, payload);
  }

  @Override
  public boolean acksPublishes() {
    return true;
  }

  @Override
  public boolean isPublication(String frame) {
    return plain.isPublication(frame);
  }

  @Override
  public void onControlFrame(LoadSocket socket, String frame) {
    int pubs = frame.indexOf(PUBS_FIELD);
    if (pubs < 0) {
      plain.onControlFrame(socket, frame);
      return;
    }
    JsonObject header = new JsonObject(frame.substring(0, pubs) + "}");
    int i = socket.index();
    outcomes[i] = check(frame, pubs + PUBS_FIELD.length(), header, seqs[i]);
    if (!socket.completeRequest(header.getLong("id", -1L), header)) {
      socket.events().unexpectedFrames++;
    }
  }

  /** Scans the replayed pubs: seqs must follow {@code since} one by one, payload numbers likewise. */
  private static Outcome check(String frame, int from, JsonObject header, long since) {
    Payload payload = new Payload();
    int count = 0;
    long lastN = -1;
    String problem = null;
    int at = frame.indexOf(PUB_START, from);
    while (at >= 0) {
      int seqAt = frame.indexOf(SEQ_FIELD, at);
      long seq = Payload.parseLong(frame, seqAt + SEQ_FIELD.length());
      if (problem == null && seq != since + count + 1) {
        problem = "pub " + count + " has seq " + seq + ", expected " + (since + count + 1);
      }
      if (!payload.read(frame, seqAt)) {
        problem = problem == null ? "pub " + count + " without a payload" : problem;
      } else {
        if (problem == null && lastN >= 0 && payload.seq != lastN + 1) {
          problem = "payload " + payload.seq + " after " + lastN;
        }
        lastN = payload.seq;
      }
      count++;
      at = frame.indexOf(PUB_START, seqAt);
    }
    return new Outcome(header.getBoolean("recovered", false), count, problem == null, problem);
  }
}
