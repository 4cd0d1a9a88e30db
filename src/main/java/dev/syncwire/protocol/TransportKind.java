package dev.syncwire.protocol;

/** The transports a session can use, as metrics and logs name them. */
public enum TransportKind {
  WEBSOCKET("websocket"),
  SSE("sse"),
  LONGPOLL("longpoll");

  private final String label;

  TransportKind(String label) {
    this.label = label;
  }

  /** The name used in metric tags and {@code /info}. */
  public String label() {
    return label;
  }
}
