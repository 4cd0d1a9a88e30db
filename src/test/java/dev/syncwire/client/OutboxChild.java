package dev.syncwire.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A process for {@link MvStoreOutboxTest}: {@code add FILE SCOPE} adds entries until killed and prints each
 * id once its add returned, adding and removing another entry before each, so that the store keeps freeing and
 * reusing space meanwhile; {@code hold FILE SCOPE} adds one entry, prints "open" and keeps the outbox open
 * until its input ends; {@code probe FILE SCOPE} tries to open the outbox and prints what happened. Whatever
 * the mode, the end of its input ends it, so that it never outlives the test.
 */
final class OutboxChild {
  private static final int MAX_ADDS = 1_000_000;

  private OutboxChild() {
  }

  /** The body of the {@code n}-th entry (from 0) that {@code add} writes. */
  static String body(int n) {
    return "{\"data\":{\"n\":" + n + ",\"text\":\"ü \\\"q\\\"\\n🎉\"}}";
  }

  public static void main(String[] args) throws IOException {
    Path file = Path.of(args[1]);
    String scope = args[2];
    switch (args[0]) {
      case "add" -> add(file, scope);
      case "hold" -> hold(file, scope);
      case "probe" -> probe(file, scope);
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
  }

  private static void add(Path file, String scope) {
    Thread guard = new Thread(OutboxChild::exitAtEndOfInput, "input-guard");
    guard.setDaemon(true);
    guard.start();
    try (MvStoreOutbox outbox = MvStoreOutbox.open(file, scope)) {
      for (int n = 0; n < MAX_ADDS; n++) {
        outbox.remove(outbox.add("transient", "t" + n, body(n), n).id());
        System.out.println(outbox.add("crash", "k" + n, body(n), n).id());
        System.out.flush();
      }
    }
  }

  private static void hold(Path file, String scope) throws IOException {
    try (MvStoreOutbox outbox = MvStoreOutbox.open(file, scope)) {
      outbox.add("held", "k", body(0), 0);
      System.out.println("open");
      System.out.flush();
      drainInput();
    }
  }

  private static void probe(Path file, String scope) {
    try (MvStoreOutbox outbox = MvStoreOutbox.open(file, scope)) {
      System.out.println("opened " + outbox.entries().size());
    } catch (IllegalStateException e) {
      System.out.println("refused: " + e.getMessage());
    }
    System.out.flush();
  }

  private static void exitAtEndOfInput() {
    try {
      drainInput();
    } catch (IOException e) {
      // The parent is gone all the same.
    }
    System.exit(0);
  }

  private static void drainInput() throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    while (in.readLine() != null) {
      // Only its end matters.
    }
  }
}
