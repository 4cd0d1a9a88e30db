package dev.syncwire.client;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class MemoryOutboxTest extends OutboxContract {

  @Override
  protected Outbox newOutbox() {
    return new MemoryOutbox();
  }

  @Override
  protected Outbox reopened(Outbox outbox) {
    return outbox;
  }

  @Test
  void isNotDurable() {
    assertFalse(open().durable());
  }

  @Test
  void aNewOneStartsEmpty() {
    open().add("c", "k", "{}", 0);
    assertEquals(0, open().entries().size());
  }
}
