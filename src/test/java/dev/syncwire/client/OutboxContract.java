package dev.syncwire.client;

import dev.syncwire.client.Outbox.Entry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@link Outbox} contract; each implementation's test extends this class. */
public abstract class OutboxContract {
  private final List<Outbox> opened = new ArrayList<>();

  /** A new outbox; for a durable kind, on the same file and scope every time. */
  protected abstract Outbox newOutbox();

  /** The outbox as the next process would find it: the same one if it does not outlive the process. */
  protected abstract Outbox reopened(Outbox outbox);

  protected final Outbox open() {
    return closedAfter(newOutbox());
  }

  /** {@code outbox}, closed after the test whatever happens. */
  protected final <T extends Outbox> T closedAfter(T outbox) {
    opened.add(outbox);
    return outbox;
  }

  protected final Outbox reopen(Outbox outbox) {
    return closedAfter(reopened(outbox));
  }

  @AfterEach
  void closeAll() {
    opened.forEach(Outbox::close);
  }

  @Test
  void keepsTheOrderOfAdding() {
    Outbox outbox = open();
    List<Entry> added = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      added.add(outbox.add(i % 3 == 0 ? "a" : "b", "k" + i, "{\"data\":" + i + "}", 1000 + i));
    }
    assertEquals(added, outbox.entries());
    assertEquals(added, reopen(outbox).entries());
  }

  @Test
  void idsGrowAndAreNeverReused() {
    Outbox outbox = open();
    Entry a = outbox.add("c", "a", "{\"data\":1}", 0);
    Entry b = outbox.add("c", "b", "{\"data\":2}", 0);
    Entry c = outbox.add("c", "c", "{\"data\":3}", 0);
    assertTrue(a.id() < b.id() && b.id() < c.id(), "ids grow");
    outbox.remove(c.id());
    outbox.remove(b.id());
    outbox = reopen(outbox);
    Entry d = outbox.add("c", "d", "{\"data\":4}", 0);
    assertTrue(d.id() > c.id(), "the newest id removed is not handed out again: " + d.id());
    outbox.remove(a.id());
    outbox.remove(d.id());
    outbox = reopen(outbox);
    assertEquals(List.of(), outbox.entries());
    Entry e = outbox.add("c", "e", "{\"data\":5}", 0);
    assertTrue(e.id() > d.id(), "nor once the outbox was empty: " + e.id());
    assertEquals(List.of(e), outbox.entries());
  }

  @Test
  void removingAGoneIdDoesNothing() {
    Outbox outbox = open();
    outbox.remove(42);
    Entry a = outbox.add("c", "a", "{\"data\":1}", 0);
    Entry b = outbox.add("c", "b", "{\"data\":2}", 0);
    outbox.remove(a.id());
    outbox.remove(a.id());
    outbox.remove(b.id() + 1);
    outbox.remove(-1);
    assertEquals(List.of(b), outbox.entries());
    assertEquals(List.of(b), reopen(outbox).entries());
  }

  @Test
  void entriesIsASnapshot() {
    Outbox outbox = open();
    Entry a = outbox.add("c", "a", "{\"data\":1}", 0);
    List<Entry> before = outbox.entries();
    outbox.add("c", "b", "{\"data\":2}", 0);
    outbox.remove(a.id());
    assertEquals(List.of(a), before);
  }

  @Test
  void keepsTextAsWritten() {
    Outbox outbox = open();
    String body = "{\"data\":{\"text\":\"line 1\\nline 2\\t\\\"quoted\\\" \\\\ back\",\"raw\":\"é ü ß 中文 🎉 \u0000 \r\n\"}}";
    String big = "{\"data\":\"" + "x€".repeat(50_000) + "\"}";
    Entry a = outbox.add("chat:ü/🎉 room", "key \"with\" quotes\nand a newline", body, 0);
    Entry b = outbox.add("", "", big, 0);
    Entry c = outbox.add("c", "lone surrogate \ud800", "{}", 0);
    assertEquals(List.of(a, b, c), outbox.entries());
    assertEquals(List.of(a, b, c), reopen(outbox).entries());
  }

  @Test
  void keepsTheExpiry() {
    Outbox outbox = open();
    List<Entry> added = List.of(outbox.add("c", "a", "1", 1_767_225_600_123L), outbox.add("c", "b", "2", 0),
        outbox.add("c", "c", "3", Long.MAX_VALUE), outbox.add("c", "d", "4", -1));
    assertEquals(added, reopen(outbox).entries());
  }

  @Test
  void refusesMissingFields() {
    Outbox outbox = open();
    assertThrows(NullPointerException.class, () -> outbox.add(null, "k", "{}", 0));
    assertThrows(NullPointerException.class, () -> outbox.add("c", null, "{}", 0));
    assertThrows(NullPointerException.class, () -> outbox.add("c", "k", null, 0));
    assertEquals(List.of(), outbox.entries());
  }
}
