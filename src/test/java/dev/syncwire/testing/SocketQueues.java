package dev.syncwire.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** For a failure's message: the TCP connections to or from a local port, with their queues ({@code ss}). */
public final class SocketQueues {
  private SocketQueues() {
  }

  /** Both ends of every connection on {@code port}: where unread or unsent bytes wait. */
  public static String of(int port) {
    try {
      Process ss = new ProcessBuilder("ss", "-tnoi", "( sport = :" + port + " or dport = :" + port + " )")
          .redirectErrorStream(true).start();
      return new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "ss unavailable: " + e + "\n";
    }
  }
}
