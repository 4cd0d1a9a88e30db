package dev.syncwire.transport.websocket;

import dev.syncwire.testing.LogCapture;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.Tokens;
import dev.syncwire.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.util.List;
import java.util.logging.Level;

import static dev.syncwire.transport.websocket.WebSocketProtocolTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Who may connect, and what a token lets a session do. */
class AuthenticationTest {
  private static final KeyPair RSA = Tokens.rsaKeyPair();
  private static final KeyPair EC = Tokens.ecKeyPair();
  private static final String LOOSE_SECRET = "loose-test-secret-0123456789abcdef";
  private static TestNode node;

  @BeforeAll
  static void start() {
    JsonObject config = TestNode.baseConfig();
    config.getJsonArray("tenants")
        .add(new JsonObject().put("id", "rsa").put("keys", new JsonArray()
            .add(new JsonObject().put("alg", "RS256").put("publicKey", Tokens.pem(RSA.getPublic())))))
        .add(new JsonObject().put("id", "ec").put("keys", new JsonArray()
            .add(new JsonObject().put("alg", "ES256").put("publicKey", Tokens.pem(EC.getPublic())))))
        .add(new JsonObject().put("id", "loose").put("allowNoExp", true).put("keys", new JsonArray()
            .add(new JsonObject().put("alg", "HS256").put("secret", LOOSE_SECRET))));
    config.put("limits", new JsonObject().put("connectTimeoutMs", 400));
    node = TestNode.start(config);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void hs256TokenConnectsAsItsSubjectInItsTenant() {
    try (WsClient c = node.client()) {
      JsonObject r = c.connectToken(Tokens.hs256(TestNode.ACME_SECRET, Tokens.claims("acme", "alice")));
      assertEquals("connected", r.getString("type"), r.encode());
      assertEquals("alice", r.getString("user"));
      assertEquals("acme", r.getString("tenant"));
    }
  }

  @Test
  void rs256TokenVerifiesWithTheTenantsPublicKey() {
    try (WsClient c = node.client()) {
      JsonObject r = c.connectToken(Tokens.rs256(RSA.getPrivate(), Tokens.claims("rsa", "bob")));
      assertEquals("connected", r.getString("type"), r.encode());
      assertEquals("rsa", r.getString("tenant"));
    }
  }

  @Test
  void es256TokenVerifiesWithTheTenantsPublicKey() {
    try (WsClient c = node.client()) {
      JsonObject r = c.connectToken(Tokens.es256(EC.getPrivate(), Tokens.claims("ec", "carol")));
      assertEquals("connected", r.getString("type"), r.encode());
      assertEquals("carol", r.getString("user"));
    }
  }

  @Test
  void unsignedTokenIsRefused() {
    assertRefused(Tokens.unsigned(Tokens.claims("acme", "mallory")));
  }

  @Test
  void wrongSignatureIsRefused() {
    assertRefused(Tokens.hs256("not-the-acme-secret-0123456789", Tokens.claims("acme", "mallory")));
  }

  @Test
  void anotherTenantsKeyIsRefused() {
    // Signed with tenant "other"'s valid key, but claiming tenant "acme".
    assertRefused(Tokens.hs256(TestNode.OTHER_SECRET, Tokens.claims("acme", "mallory")));
  }

  @Test
  void rsaKeyOfAnotherPairIsRefused() {
    assertRefused(Tokens.rs256(Tokens.rsaKeyPair().getPrivate(), Tokens.claims("rsa", "mallory")));
  }

  @Test
  void missingSubIsRefused() {
    assertRefused(Tokens.hs256(TestNode.ACME_SECRET, Tokens.claims("acme", null)));
  }

  @Test
  void expiredTokenIsRefused() {
    assertRefused(Tokens.hs256(TestNode.ACME_SECRET, Tokens.claims("acme", "alice")
        .put("exp", System.currentTimeMillis() / 1000 - 120)));
  }

  @Test
  void timeClaimsOfTheWrongTypeAreRefusedInOurOwnWordsWithoutAStackTrace() {
    try (LogCapture logs = LogCapture.start()) {
      for (String claim : List.of("exp", "nbf", "iat")) {
        for (Object wrong : List.of(String.valueOf(System.currentTimeMillis() / 1000 + 3600),
            new JsonObject().put("seconds", 1))) {
          JsonObject error = refusal(Tokens.hs256(TestNode.ACME_SECRET, Tokens.claims("acme", "alice").put(claim, wrong)));
          assertEquals("token claim " + claim + " must be a number", error.getString("message"));
        }
      }
      assertEquals(List.of(), logs.atOrAbove(Level.WARNING), LogCapture.describe(logs.atOrAbove(Level.WARNING)));
      assertEquals(6, logs.containing("must be a number").size(), "each refusal is logged once, at FINE");
    }
  }

  @Test
  void tokenWithoutExpIsRefusedUnlessItsTenantAllowsIt() {
    assertEquals("token claim exp is required",
        refusal(Tokens.hs256(TestNode.ACME_SECRET, Tokens.claimsWithoutExp("acme", "alice"))).getString("message"));
    try (WsClient c = node.client()) {
      JsonObject r = c.connectToken(Tokens.hs256(LOOSE_SECRET, Tokens.claimsWithoutExp("loose", "alice")));
      assertEquals("connected", r.getString("type"), r.encode());
    }
  }

  @Test
  void iatOrNbfInTheFutureIsRefusedBeyondTheLeeway() {
    long now = System.currentTimeMillis() / 1000;
    assertEquals("token issued in the future (iat)", refusal(Tokens.hs256(TestNode.ACME_SECRET,
        Tokens.claims("acme", "alice").put("iat", now + 120))).getString("message"));
    assertEquals("token not valid yet (nbf is in the future)", refusal(Tokens.hs256(TestNode.ACME_SECRET,
        Tokens.claims("acme", "alice").put("nbf", now + 120))).getString("message"));
    // A clock a few seconds ahead of the node's is within the leeway.
    try (WsClient c = node.client()) {
      JsonObject r = c.connectToken(Tokens.hs256(TestNode.ACME_SECRET, Tokens.claims("acme", "alice")
          .put("iat", now + 10).put("nbf", now + 10)));
      assertEquals("connected", r.getString("type"), r.encode());
    }
  }

  @Test
  void refusalsNeverQuoteTheTokenLibrary() {
    assertEquals("token signature or format is not valid",
        refusal(Tokens.hs256("not-the-acme-secret-0123456789", Tokens.claims("acme", "mallory"))).getString("message"));
    assertEquals("token expired", refusal(Tokens.hs256(TestNode.ACME_SECRET, Tokens.claims("acme", "alice")
        .put("exp", System.currentTimeMillis() / 1000 - 1))).getString("message"));
  }

  @Test
  void unknownTenantAndGarbageAreRefused() {
    assertRefused(Tokens.hs256(TestNode.ACME_SECRET, Tokens.claims("nobody", "alice")));
    assertRefused("not.a.jwt");
    assertRefused("garbage");
  }

  @Test
  void anonymousConnectToATenantThatRequiresTokensIsRefused() {
    try (WsClient c = node.client()) {
      JsonObject r = c.request(new JsonObject().put("type", "connect").put("tenant", "acme"));
      assertError(r, "unauthorized");
      assertEquals((short) 4001, c.awaitClose());
    }
  }

  @Test
  void anyCommandBeforeConnectIsUnauthorizedAndCloses4001() {
    try (WsClient c = node.client()) {
      JsonObject r = c.request(new JsonObject().put("type", "subscribe").put("channel", "x"));
      assertError(r, "unauthorized");
      assertEquals((short) 4001, c.awaitClose());
    }
  }

  @Test
  void noConnectWithinTheTimeoutCloses4001() {
    try (WsClient c = node.client()) {
      long start = System.currentTimeMillis();
      assertEquals((short) 4001, c.awaitClose());
      long took = System.currentTimeMillis() - start;
      assertTrue(took >= 300 && took < 5000, "closed after " + took + " ms with a 400 ms timeout");
    }
  }

  @Test
  void tokenThatExpiresWhileConnectedCloses4001() {
    try (WsClient c = node.client()) {
      long exp = System.currentTimeMillis() / 1000 + 2;
      JsonObject r = c.connectToken(Tokens.hs256(TestNode.ACME_SECRET, Tokens.claims("acme", "alice").put("exp", exp)));
      assertEquals("connected", r.getString("type"));
      assertEquals((short) 4001, c.awaitClose());
      assertTrue(System.currentTimeMillis() >= exp * 1000 - 50, "closed before expiry");
    }
  }

  @Test
  void subscribeAndPublishClaimsNarrowWhatTheUserMayDo() {
    JsonObject claims = Tokens.claims("acme", "dave")
        .put("subscribe", new JsonArray().add("orders:*").add("news"))
        .put("publish", new JsonArray().add("orders:dave-*"));
    try (WsClient c = node.client()) {
      assertEquals("connected", c.connectToken(Tokens.hs256(TestNode.ACME_SECRET, claims)).getString("type"));
      c.subscribe("orders:eu");
      c.subscribe("news");
      assertError(c.request(new JsonObject().put("type", "subscribe").put("channel", "newsletter")), "forbidden");
      assertError(c.request(new JsonObject().put("type", "subscribe").put("channel", "admin")), "forbidden");
      assertEquals("ack", c.publish("orders:dave-1", 1).getString("type"));
      assertError(c.publish("orders:eve-1", 1), "forbidden");
    }
  }

  @Test
  void tokenTenantIsTheOnlyTenantASessionReaches() {
    try (WsClient acme = node.client(); WsClient other = node.client()) {
      acme.connectToken(Tokens.hs256(TestNode.ACME_SECRET, Tokens.claims("acme", "a")));
      other.connectToken(Tokens.hs256(TestNode.OTHER_SECRET, Tokens.claims("other", "o")));
      other.subscribe("secrets");
      acme.subscribe("secrets");
      // A frame cannot name a tenant: the extra field is ignored and the publish stays in acme.
      acme.request(new JsonObject().put("type", "publish").put("channel", "secrets").put("tenant", "other")
          .put("data", "acme's"));
      assertEquals("acme's", acme.pubs("secrets", 1).get(0).getString("data"));
      other.send(new JsonObject().put("id", 9).put("type", "ping"));
      assertEquals("pong", other.next().getString("type"));
    }
  }

  private static void assertRefused(String token) {
    refusal(token);
  }

  /** Connects with {@code token}, checks that it is refused (error, then close 4001); the error. */
  private static JsonObject refusal(String token) {
    try (WsClient c = node.client()) {
      JsonObject r = c.connectToken(token);
      assertError(r, "unauthorized");
      assertEquals((short) 4001, c.awaitClose());
      return r;
    }
  }

  /** Commands sent right behind a token connect wait for its verification, then run in order. */
  @Test
  void commandsPipelinedBehindATokenConnectRunOnceItIsVerified() {
    try (WsClient c = node.client()) {
      c.send(new JsonObject().put("id", 1).put("type", "connect")
          .put("token", Tokens.hs256(TestNode.ACME_SECRET, Tokens.claims("acme", "alice"))));
      c.send(new JsonObject().put("id", 2).put("type", "subscribe").put("channel", "pipelined"));
      c.send(new JsonObject().put("id", 3).put("type", "subscribe").put("channel", "not a channel!"));
      c.send(new JsonObject().put("id", 4).put("type", "publish").put("channel", "pipelined").put("data", 1));
      List<String> replies = new java.util.ArrayList<>();
      for (int i = 0; i < 4; i++) {
        JsonObject f = c.awaitFrame(x -> x.containsKey("id"));
        replies.add(f.getLong("id") + ":" + f.getString("type"));
      }
      // connected first; the others as they complete (docs/protocol.md §3.5).
      assertEquals("1:connected", replies.get(0));
      assertEquals(java.util.Set.of("2:subscribed", "3:error", "4:ack"), java.util.Set.copyOf(replies.subList(1, 4)));
      assertEquals(1L, c.pubs("pipelined", 1).get(0).getLong("seq"));
    }
  }

  /** If the connect is refused, what was sent behind it gets no reply: the session ends with 4001. */
  @Test
  void commandsPipelinedBehindARefusedConnectEndWithIt() {
    try (WsClient c = node.client()) {
      // Both written before either write completes: pipelined, as a client that does not wait would send
      // them. Awaiting the first write would let a fast refusal close the socket before the second one.
      String connect = new JsonObject().put("id", 1).put("type", "connect")
          .put("token", Tokens.hs256("wrong-secret-0123456789abcdef", Tokens.claims("acme", "alice"))).encode();
      String subscribe = new JsonObject().put("id", 2).put("type", "subscribe").put("channel", "pipelined").encode();
      c.socket().writeTextMessage(connect);
      c.socket().writeTextMessage(subscribe);
      assertEquals((short) 4001, c.awaitClose());
      List<JsonObject> frames = c.drain();
      assertTrue(frames.stream().noneMatch(f -> Long.valueOf(2).equals(f.getLong("id"))), frames.toString());
    }
  }
}
