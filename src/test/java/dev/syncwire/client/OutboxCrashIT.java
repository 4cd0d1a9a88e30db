package dev.syncwire.client;

import dev.syncwire.testing.Await;
import dev.syncwire.testing.NodeGroup;
import dev.syncwire.testing.NodeProcess;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client process with a durable outbox is killed with SIGKILL; the next client of the same outbox (same
 * file, server and user) delivers what it left: every publication handed over is applied once, in the order
 * it was handed over, and reported through {@code onOutbox}. The node and the crashed client each run in a
 * JVM of their own.
 */
class OutboxCrashIT {
  private static final int COUNT = 500;

  private static NodeGroup group;
  private static NodeProcess node;
  @TempDir
  Path dir;
  private final List<SyncwireClient> clients = new ArrayList<>();
  private Child child;

  @BeforeAll
  static void startNode() {
    // A session may send 100 commands a second (a burst of 10): the outbox drains over seconds, so the test
    // kills the child mid-stream, never after it is done.
    group = NodeGroup.alone(NodeProcess.Options.forTests(), "outbox",
        Map.of("limits.commandRate", "100", "limits.commandBurst", "10"));
    node = group.nodes().get(0);
  }

  @AfterAll
  static void stopNode() {
    if (group != null) {
      group.close();
    }
  }

  @AfterEach
  void stopClients() {
    if (child != null) {
      child.close();
    }
    if (node.alive()) {
      node.resume(); // a test that failed while the node was frozen
    }
    clients.forEach(c -> Await.result(c.close()));
  }

  @Test
  void publicationsHandedOverOfflineBeforeACrashAreAppliedOnceInOrderByTheNextClient() throws IOException {
    String channel = "offline";
    // The node is frozen: the child's connects get no answer, so everything it is handed waits in its outbox.
    node.pause();
    child = Child.start(dir.resolve("outbox.mv"), channel);
    child.await("STORED", Duration.ofSeconds(60));
    assertEquals(List.of(Integer.toString(COUNT)), child.keysAfter("STORED"), "pending when stored");
    assertEquals(keys(0, COUNT), child.keysAfter("PUBLISHED"), "the keys in the order they were handed over");
    child.kill();
    node.resume();

    List<OutboxEvent> events = deliverTheRest(channel, null);
    assertEquals(keys(0, COUNT), events.stream().map(OutboxEvent::key).toList(), "every one reported, in order");
    for (int n = 0; n < COUNT; n++) {
      assertEquals(new OutboxEvent(OutboxCrashChild.key(n), channel, "acked", n + 1L, null), events.get(n));
    }
  }

  @Test
  void aCrashWhileSendingLeavesTheRestToTheNextClientWhichAppliesEachOnce() throws IOException {
    String channel = "sending";
    child = Child.start(dir.resolve("outbox.mv"), channel);
    child.await("STORED", Duration.ofSeconds(60));
    Await.until(Duration.ofSeconds(60), "the child to have 20 publications acknowledged",
        () -> child.keysAfter("ACKED").size() >= 20, child::toString);
    child.kill();
    List<String> ackedBeforeCrash = child.keysAfter("ACKED");
    assertEquals(keys(0, ackedBeforeCrash.size()), ackedBeforeCrash, "acknowledged in order");
    assertTrue(ackedBeforeCrash.size() < COUNT, "killed while sending: " + ackedBeforeCrash.size() + " acknowledged");

    // What the server applied before the crash: those of the rest come back as duplicates at their positions.
    JsonObject before = new JsonObject(node.admin("/api/v1/channels/demo/" + channel));
    long applied = before.getLong("seq");
    assertTrue(applied >= ackedBeforeCrash.size() && applied < COUNT, "applied before the crash: " + applied);
    List<OutboxEvent> events = deliverTheRest(channel, new Position(before.getString("epoch"), 0));
    // Entries acknowledged before the crash may still be in the file (their removal had not been written yet);
    // every one the server had not applied must be.
    int first = COUNT - events.size();
    assertTrue(first <= applied, "every publication not applied before the crash was sent again; the next client "
        + "reported from " + (events.isEmpty() ? "none" : events.get(0).key()));
    // Sent again, the applied ones are duplicates; the publish in flight at the crash may have been applied
    // after the position was read.
    int duplicates = (int) events.stream().takeWhile(e -> e.status().equals("duplicate")).count();
    int firstNew = first + duplicates;
    assertTrue(firstNew == applied || firstNew == applied + 1, "applied before the crash: " + applied
        + ", reported as duplicates up to " + firstNew);
    for (int i = 0; i < events.size(); i++) {
      int n = first + i;
      String status = n < firstNew ? "duplicate" : "acked";
      assertEquals(new OutboxEvent(OutboxCrashChild.key(n), channel, status, n + 1L, null), events.get(i));
    }
  }

  /**
   * A subscriber of {@code channel} from {@code since} (null: from now), then a client of the crashed child's
   * outbox: once it reported what it sent, every publication was applied once, in order, and the subscriber
   * saw each once. Returns the outbox events, in the order reported.
   */
  private List<OutboxEvent> deliverTheRest(String channel, Position since) {
    String url = "http://127.0.0.1:" + node.port;
    SyncwireClient subscriber = SyncwireClient.builder(url).tenant("demo").build();
    clients.add(subscriber);
    Await.result(subscriber.connect());
    Queue<Publication> got = new ConcurrentLinkedQueue<>();
    Queue<Reset> resets = new ConcurrentLinkedQueue<>();
    Subscription subscription = subscriber.subscribe(channel, since, got::add).onReset(resets::add);
    Await.result(subscription.ready());

    SyncwireClient next = SyncwireClient.builder(url).tenant("demo").offlineStore(dir.resolve("outbox.mv")).build();
    clients.add(next);
    Queue<OutboxEvent> events = new ConcurrentLinkedQueue<>();
    next.onOutbox(events::add);
    Await.result(next.connect());
    Await.until(Duration.ofSeconds(60), "the next client's outbox empty and the subscriber at " + COUNT,
        () -> next.pending() == 0 && subscription.position() != null && subscription.position().seq() >= COUNT,
        () -> next.pending() + " pending, " + events.size() + " reported, subscriber at " + subscription.position());

    assertEquals(COUNT, new JsonObject(node.admin("/api/v1/channels/demo/" + channel)).getLong("seq"),
        "the channel's position: each publication applied once");
    List<Publication> seen = List.copyOf(got);
    assertEquals(List.of(), List.copyOf(resets), "resets");
    assertEquals(keys(0, COUNT), seen.stream().map(Publication::key).toList(), "seen once each, in order");
    for (int n = 0; n < COUNT; n++) {
      assertEquals(n + 1L, seen.get(n).seq());
      assertEquals(OutboxCrashChild.data(n), seen.get(n).data());
    }
    return List.copyOf(events);
  }

  private static List<String> keys(int from, int to) {
    return IntStream.range(from, to).mapToObj(OutboxCrashChild::key).toList();
  }

  /** The client process; a thread only records its output lines, the test reads them. */
  private static final class Child implements AutoCloseable {
    private final Process process;
    private final Queue<String> lines = new ConcurrentLinkedQueue<>();

    private Child(Process process) {
      this.process = process;
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line = in.readLine(); line != null; line = in.readLine()) {
            lines.add(line);
          }
        } catch (IOException e) {
          lines.add("READ FAILED " + e);
        }
      }, "outbox-child-output");
      reader.setDaemon(true);
      reader.start();
    }

    /** Starts the child on the node's URL with its outbox in {@code store}; its errors go to target/client-logs. */
    static Child start(Path store, String channel) throws IOException {
      Path logs = Files.createDirectories(Path.of("target", "client-logs"));
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p = new ProcessBuilder(java, "-Xmx128m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
          OutboxCrashChild.class.getName(), "http://127.0.0.1:" + node.port, store.toString(), channel,
          Integer.toString(COUNT))
          .redirectError(logs.resolve("outbox-child-" + channel + ".log").toFile())
          .start();
      return new Child(p);
    }

    void await(String line, Duration timeout) {
      Await.until(timeout, "the child to print " + line, () -> {
        if (!process.isAlive()) {
          throw new AssertionError("the child exited with " + process.exitValue() + ": " + this);
        }
        return lines.stream().anyMatch(l -> l.startsWith(line));
      }, this::toString);
    }

    /** What follows {@code word} on the lines that start with it (keys, counts), in order. */
    List<String> keysAfter(String word) {
      return lines.stream().filter(l -> l.startsWith(word + " ")).map(l -> l.split(" ")[1]).toList();
    }

    /** SIGKILL: no shutdown hook, no close of the outbox. */
    void kill() {
      process.destroyForcibly();
      try {
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the child ended");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void close() {
      if (process.isAlive()) {
        kill();
      }
    }

    @Override
    public String toString() {
      List<String> all = List.copyOf(lines);
      return "the child printed " + all.size() + " lines, the last " + all.subList(Math.max(0, all.size() - 3), all.size());
    }
  }
}
