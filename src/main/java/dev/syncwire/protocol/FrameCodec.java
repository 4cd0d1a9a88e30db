package dev.syncwire.protocol;

/**
 * One encoding of the protocol, selected by WebSocket subprotocol: {@link JsonCodec} (text frames) or
 * {@link ProtoCodec} (binary frames). Both decode to the same {@link Command}s and encode the same
 * {@link ServerFrame}s.
 */
public interface FrameCodec {

  /** The WebSocket subprotocol that selects this codec. */
  String subprotocol();

  /** Whether frames travel as binary (else text) WebSocket messages. */
  boolean binary();

  /** A small stable index, so that callers can cache one encoding per codec. */
  int slot();

  /**
   * Decodes one inbound message.
   *
   * @throws MalformedFrameException when the message is not a command at all
   * @throws ProtocolException when it is a command, but an invalid one (carries the command id)
   */
  Command decode(byte[] message);

  /** Decodes a text message; binary codecs refuse it. */
  Command decodeText(String message);

  byte[] encode(ServerFrame frame);
}
