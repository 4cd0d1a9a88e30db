package dev.syncwire.bench;

/** A server under test: where it listens, its process (for /proc and jcmd) and the adapter that speaks to it. */
record Target(String host, int port, JvmProcess process, WireProtocol protocol) {

  String name() {
    return protocol.name();
  }
}
