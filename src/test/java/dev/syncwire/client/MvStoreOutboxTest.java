package dev.syncwire.client;

import dev.syncwire.client.Outbox.Entry;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MvStoreOutboxTest extends OutboxContract {
  private static final String SCOPE = "wss://push.example.com/ws tenant-1 user-1";
  private static final Duration CHILD_WAIT = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  private Path file() {
    return dir.resolve("outbox.mv.db");
  }

  @Override
  protected Outbox newOutbox() {
    return MvStoreOutbox.open(file(), SCOPE);
  }

  @Override
  protected Outbox reopened(Outbox outbox) {
    outbox.close();
    return newOutbox();
  }

  @Test
  void isDurable() {
    assertTrue(open().durable());
  }

  @Test
  void aReopenedOutboxHasItsEntriesAndCarriesOn() {
    Outbox outbox = open();
    Entry a = outbox.add("c", "a", "{\"data\":1}", 10);
    Entry b = outbox.add("c", "b", "{\"patch\":[]}", 20);
    Entry c = outbox.add("c", "c", "{\"data\":3}", 30);
    outbox.remove(b.id());
    outbox = reopen(outbox);
    assertEquals(List.of(a, c), outbox.entries());
    assertEquals(c.id() + 1, outbox.add("c", "d", "{}", 0).id());
  }

  @Test
  void withFsyncItKeepsEntriesAlike() {
    Entry a;
    try (MvStoreOutbox outbox = MvStoreOutbox.open(file(), SCOPE, true)) {
      a = outbox.add("c", "a", "{\"data\":1}", 10);
      outbox.remove(outbox.add("c", "b", "{\"data\":2}", 10).id());
    }
    try (MvStoreOutbox outbox = MvStoreOutbox.open(file(), SCOPE, true)) {
      assertEquals(List.of(a), outbox.entries());
      assertEquals(a.id() + 2, outbox.add("c", "c", "{}", 0).id());
    }
  }

  @Test
  void scopesInOneFileAreSeparate() {
    String other = "wss://push.example.com/ws tenant-1 user-2";
    Outbox one = open();
    Outbox two = closedAfter(MvStoreOutbox.open(file(), other));
    Entry a = one.add("c", "a", "{\"data\":1}", 0);
    Entry b = two.add("c", "b", "{\"data\":2}", 0);
    Entry c = two.add("c", "c", "{\"data\":3}", 0);
    assertEquals(1, a.id());
    assertEquals(1, b.id());
    one.close();
    Entry d = two.add("c", "d", "{\"data\":4}", 0);
    two.close();
    try (MVStore store = new MVStore.Builder().fileName(file().toString()).readOnly().open()) {
      MVMap<String, String> meta = store.openMap("outbox.meta");
      assertTrue(meta.containsValue(SCOPE) && meta.containsValue(other), "the scopes are named in the file");
    }
    assertEquals(List.of(a), open().entries());
    assertEquals(List.of(b, c, d), closedAfter(MvStoreOutbox.open(file(), other)).entries());
  }

  @Test
  void scopesInOneFileCanBeWrittenAtOnce() throws Exception {
    List<String> scopes = List.of(SCOPE, "wss://push.example.com/ws tenant-2 user-1");
    ExecutorService writers = Executors.newFixedThreadPool(scopes.size());
    try {
      List<Future<List<Entry>>> written = new ArrayList<>();
      for (String scope : scopes) {
        Outbox outbox = closedAfter(MvStoreOutbox.open(file(), scope));
        written.add(writers.submit(() -> {
          List<Entry> added = new ArrayList<>();
          for (int i = 0; i < 300; i++) {
            added.add(outbox.add("c", scope + i, "{\"data\":" + i + "}", i));
            if (i % 3 == 0) {
              outbox.remove(added.remove(added.size() - 1).id());
            }
          }
          outbox.close();
          return added;
        }));
      }
      for (int i = 0; i < scopes.size(); i++) {
        List<Entry> added = written.get(i).get(CHILD_WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(added, closedAfter(MvStoreOutbox.open(file(), scopes.get(i))).entries());
      }
    } finally {
      writers.shutdownNow();
    }
  }

  @Test
  void aScopeOpenInThisProcessCannotBeOpenedAgainAndTheFileStaysLocked() throws Exception {
    Outbox outbox = open();
    IllegalStateException e = assertThrows(IllegalStateException.class, this::newOutbox);
    assertTrue(e.getMessage().contains(file().toRealPath().toString()), e.getMessage());
    outbox.add("c", "a", "{}", 0);
    // A failed open in this process must not have released the file to others.
    assertTrue(runProbe().startsWith("refused: "), "another process cannot open it");
    outbox.close();
    assertEquals("opened 1", runProbe());
  }

  @Test
  void aFileOpenInAnotherProcessCannotBeOpened() throws Exception {
    Process child = startChild("hold");
    try {
      BufferedReader out = reader(child);
      assertEquals(List.of("open"), readLines(out, 1), () -> "child output: " + childError());
      Path real = file().toRealPath();
      for (String scope : List.of(SCOPE, "another scope")) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> MvStoreOutbox.open(file(), scope));
        assertEquals("outbox " + real + " is in use by another process", e.getMessage());
      }
      child.getOutputStream().close();
      assertTrue(child.waitFor(CHILD_WAIT.toSeconds(), TimeUnit.SECONDS), "child ends with its input");
      assertEquals(0, child.exitValue(), this::childError);
    } finally {
      child.destroyForcibly();
    }
    assertEquals(1, open().entries().size(), "open once the other process closed it");
  }

  @Test
  void everyAddReportedBeforeAKillIsThere() throws Exception {
    Process child = startChild("add");
    List<String> reported;
    try {
      BufferedReader out = reader(child);
      reported = new ArrayList<>(readLines(out, 300));
      assertEquals(300, reported.size(), this::childError);
      // SIGKILL through the handle: Process.destroyForcibly would also close the output not read yet.
      assertTrue(child.toHandle().destroyForcibly(), "kill sent");
      assertTrue(child.waitFor(CHILD_WAIT.toSeconds(), TimeUnit.SECONDS), "child killed");
      assertEquals(137, child.exitValue(), "killed by SIGKILL");
      // What it printed before it died counts as reported as well.
      reported.addAll(readLines(out, Integer.MAX_VALUE));
    } finally {
      child.destroyForcibly();
    }
    Outbox outbox = open();
    List<Entry> entries = outbox.entries();
    // Besides what it reported, at most the entry of the one call that returned or was under way: a kept one
    // whose id was not printed yet, or a transient one not removed yet.
    assertTrue(entries.size() == reported.size() || entries.size() == reported.size() + 1,
        entries.size() + " entries for " + reported.size() + " reported");
    for (int n = 0; n < reported.size(); n++) {
      assertEquals(new Entry(Long.parseLong(reported.get(n)), "crash", "k" + n, OutboxChild.body(n), n),
          entries.get(n));
    }
    long newest = entries.get(entries.size() - 1).id();
    if (entries.size() > reported.size()) {
      Entry extra = entries.get(reported.size());
      int n = reported.size();
      assertTrue(extra.equals(new Entry(extra.id(), "crash", "k" + n, OutboxChild.body(n), n))
          || extra.equals(new Entry(extra.id(), "transient", "t" + n, OutboxChild.body(n), n)), extra::toString);
      assertTrue(extra.id() > entries.get(n - 1).id(), "in order");
    }
    assertTrue(outbox.add("c", "k", "{}", 0).id() > newest, "ids carry on");
  }

  @Test
  void createsMissingDirectories() {
    Path nested = dir.resolve("a/b/c/outbox.mv.db");
    try (MvStoreOutbox outbox = MvStoreOutbox.open(nested, SCOPE)) {
      outbox.add("c", "k", "{}", 0);
    }
    assertTrue(Files.isRegularFile(nested));
  }

  @Test
  void aFileThatHoldsNoStoreIsRefusedClearly() throws IOException {
    Files.writeString(file(), "not a store\n".repeat(1000));
    IllegalStateException e = assertThrows(IllegalStateException.class, this::newOutbox);
    assertTrue(e.getMessage().startsWith("cannot open outbox " + file().toRealPath() + ": "), e.getMessage());
  }

  @Test
  void aClosedOutboxRefusesCalls() {
    Outbox outbox = open();
    outbox.close();
    outbox.close();
    assertThrows(IllegalStateException.class, () -> outbox.add("c", "k", "{}", 0));
    assertThrows(IllegalStateException.class, outbox::entries);
  }

  private String runProbe() throws Exception {
    Process child = startChild("probe");
    try {
      List<String> lines = readLines(reader(child), 1);
      assertEquals(1, lines.size(), this::childError);
      assertTrue(child.waitFor(CHILD_WAIT.toSeconds(), TimeUnit.SECONDS), "probe ends");
      return lines.get(0);
    } finally {
      child.destroyForcibly();
    }
  }

  private Process startChild(String mode) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
        OutboxChild.class.getName(), mode, file().toString(), SCOPE)
        .redirectError(dir.resolve("child-" + mode + ".err").toFile())
        .start();
  }

  private String childError() {
    try (var files = Files.list(dir)) {
      StringBuilder all = new StringBuilder();
      for (Path p : files.filter(p -> p.getFileName().toString().endsWith(".err")).toList()) {
        all.append(p.getFileName()).append(": ").append(Files.readString(p));
      }
      return all.toString();
    } catch (IOException e) {
      return "(cannot read the child's errors: " + e + ")";
    }
  }

  private static BufferedReader reader(Process child) {
    return new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Up to {@code count} lines, fewer if the output ends first; fails if they take longer than a minute. */
  private static List<String> readLines(BufferedReader out, int count) throws Exception {
    ExecutorService reader = Executors.newSingleThreadExecutor();
    try {
      Future<List<String>> lines = reader.submit(() -> {
        List<String> read = new ArrayList<>();
        String line;
        while (read.size() < count && (line = out.readLine()) != null) {
          read.add(line);
        }
        return read;
      });
      return lines.get(CHILD_WAIT.toSeconds(), TimeUnit.SECONDS);
    } finally {
      // A reader still blocked ends with the child's output, when the caller's finally kills it.
      reader.shutdownNow();
    }
  }
}
