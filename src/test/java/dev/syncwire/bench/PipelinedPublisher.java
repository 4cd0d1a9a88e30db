package dev.syncwire.bench;

import dev.syncwire.testing.LoadSocket;
import dev.syncwire.testing.SyncwireProtocol;
import dev.syncwire.testing.WireProtocol;

import java.util.List;

/**
 * Publishes as fast as the server acknowledges (closed loop): keeps {@code inFlight} publishes outstanding on one
 * socket and sends the next as soon as an ack comes back, to {@code channels} in turn. It never waits on a timer,
 * so its ack rate is what the server sustains for one pipelined client. Each publish carries the protocol's key
 * (a key of its own with a keyed {@link SyncwireProtocol}) and a {@link Payload} of 100 bytes. An error reply
 * frees no slot: the socket's events count it, and it voids the figure anyway. Lives on the load generator's loop.
 */
final class PipelinedPublisher {
  /** Above the ids of the protocol's own commands (connect, subscribe). */
  private static final long FIRST_COMMAND_ID = 1000;

  private final LoadSocket socket;
  private final WireProtocol protocol;
  private final List<String> channels;
  private final int inFlight;
  private long nextCommandId = FIRST_COMMAND_ID;
  private int nextChannel;
  private boolean stopped;
  long sent;
  long acked;

  PipelinedPublisher(LoadSocket socket, WireProtocol protocol, List<String> channels, int inFlight) {
    this.socket = socket;
    this.protocol = protocol;
    this.channels = List.copyOf(channels);
    this.inFlight = inFlight;
    socket.ackListener(id -> onAck());
  }

  void start() {
    for (int i = 0; i < inFlight; i++) {
      sendOne();
    }
  }

  /** Sends nothing more; the publishes in flight still get their acks. */
  void stop() {
    stopped = true;
  }

  long outstanding() {
    return sent - acked;
  }

  private void onAck() {
    acked++;
    if (!stopped) {
      sendOne();
    }
  }

  private void sendOne() {
    String channel = channels.get(nextChannel);
    nextChannel = (nextChannel + 1) % channels.size();
    long commandId = nextCommandId++;
    socket.send(protocol.publishFrame(commandId, channel, Payload.encode(commandId, System.nanoTime())));
    sent++;
  }
}
