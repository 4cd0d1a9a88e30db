package dev.syncwire.transport.websocket;

import dev.syncwire.testing.Await;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.Tokens;
import dev.syncwire.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.syncwire.transport.websocket.WebSocketProtocolTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code refresh} (docs/protocol.md §5.4): a later token keeps the session, anything else does not. */
class TokenRefreshTest {
  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static String token(String tenant, String user, long expSeconds) {
    return Tokens.hs256(TestNode.ACME_SECRET, Tokens.claims(tenant, user).put("exp", expSeconds));
  }

  private static JsonObject refresh(WsClient c, String token) {
    return c.request(new JsonObject().put("type", "refresh").put("token", token));
  }

  @Test
  void aLaterTokenOfTheSameUserKeepsTheSessionAndItsSubscriptionsPastTheOldExpiry() {
    long oldExp = System.currentTimeMillis() / 1000 + 2;
    long newExp = oldExp + 600;
    try (WsClient alice = node.client(); WsClient bob = node.client()) {
      assertEquals("connected", alice.connectToken(token("acme", "alice", oldExp)).getString("type"));
      alice.subscribe("news");
      JsonObject refreshed = refresh(alice, token("acme", "alice", newExp));
      assertEquals("refreshed", refreshed.getString("type"), refreshed.encode());
      assertEquals(newExp * 1000, refreshed.getLong("expiresAt"));

      // The old token's expiry passes: the session stays, and so does its subscription.
      Await.until(Duration.ofSeconds(10), "the first token's expiry passed",
          () -> System.currentTimeMillis() > oldExp * 1000 + 500);
      assertEquals("pong", alice.request(new JsonObject().put("type", "ping")).getString("type"));
      assertFalse(alice.isClosed());
      assertEquals("connected", bob.connectToken(token("acme", "bob", newExp)).getString("type"));
      assertEquals("ack", bob.publish("news", "after the old expiry").getString("type"));
      assertEquals("after the old expiry", alice.pubs("news", 1).get(0).getString("data"));
    }
  }

  @Test
  void aTokenWithoutExpRefreshesToNoExpiry() {
    try (WsClient c = node.client()) {
      c.connectToken(token("acme", "carol", System.currentTimeMillis() / 1000 + 60));
      JsonObject refreshed = refresh(c, Tokens.hs256(TestNode.ACME_SECRET, Tokens.claimsWithoutExp("acme", "carol")));
      // The test tenant acme requires exp: such a token does not verify, and the old expiry stays.
      assertError(refreshed, "unauthorized");
      assertFalse(c.isClosed());
    }
  }

  @Test
  void aTokenOfAnotherUserIsForbiddenAndCloses4003() {
    long exp = System.currentTimeMillis() / 1000 + 600;
    try (WsClient c = node.client()) {
      c.connectToken(token("acme", "alice", exp));
      JsonObject r = refresh(c, token("acme", "mallory", exp));
      assertError(r, "forbidden");
      assertEquals((short) 4003, c.awaitClose());
    }
  }

  @Test
  void anAnonymousSessionCannotBecomeAUserByRefreshing() {
    try (WsClient c = node.client()) {
      c.connectAnonymous("demo");
      assertError(refresh(c, token("acme", "alice", System.currentTimeMillis() / 1000 + 600)), "forbidden");
      assertEquals((short) 4003, c.awaitClose());
    }
  }

  @Test
  void anInvalidTokenIsUnauthorizedAndTheOldExpiryStillCloses4001() {
    long exp = System.currentTimeMillis() / 1000 + 2;
    try (WsClient c = node.client()) {
      c.connectToken(token("acme", "alice", exp));
      assertError(refresh(c, Tokens.hs256("not-the-acme-secret-0123456789", Tokens.claims("acme", "alice"))),
          "unauthorized");
      assertError(refresh(c, "garbage"), "unauthorized");
      assertEquals("pong", c.request(new JsonObject().put("type", "ping")).getString("type"));
      assertEquals((short) 4001, c.awaitClose());
      assertTrue(System.currentTimeMillis() >= exp * 1000 - 50, "closed before the old expiry");
    }
  }

  @Test
  void aRefreshWithoutATokenIsABadRequest() {
    try (WsClient c = node.client()) {
      c.connectToken(token("acme", "alice", System.currentTimeMillis() / 1000 + 600));
      JsonObject r = c.request(new JsonObject().put("type", "refresh"));
      assertError(r, "bad_request");
      assertEquals("pong", c.request(new JsonObject().put("type", "ping")).getString("type"));
    }
  }

  @Test
  void aRefreshBeforeConnectIsUnauthorizedLikeAnyCommand() {
    try (WsClient c = node.client()) {
      assertError(refresh(c, token("acme", "alice", System.currentTimeMillis() / 1000 + 600)), "unauthorized");
      assertEquals((short) 4001, c.awaitClose());
    }
  }
}
