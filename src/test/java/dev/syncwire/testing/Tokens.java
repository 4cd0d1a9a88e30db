package dev.syncwire.testing;

import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/**
 * Signs JWTs for tests with the JDK alone, independently of the library the server verifies with.
 */
public final class Tokens {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private Tokens() {
  }

  public static JsonObject claims(String tenant, String sub) {
    JsonObject c = new JsonObject().put("tenant", tenant);
    if (sub != null) {
      c.put("sub", sub);
    }
    return c.put("exp", System.currentTimeMillis() / 1000 + 3600);
  }

  /** Claims without {@code exp}: refused unless the tenant sets {@code allowNoExp}. */
  public static JsonObject claimsWithoutExp(String tenant, String sub) {
    JsonObject c = claims(tenant, sub);
    c.remove("exp");
    return c;
  }

  public static String hs256(String secret, JsonObject claims) {
    try {
      String signingInput = signingInput("HS256", claims);
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return signingInput + "." + B64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static String rs256(PrivateKey key, JsonObject claims) {
    try {
      String signingInput = signingInput("RS256", claims);
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(key);
      s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + B64.encodeToString(s.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** ES256: the JWS signature is the raw 64-byte r||s, not the DER the JDK produces. */
  public static String es256(PrivateKey key, JsonObject claims) {
    try {
      String signingInput = signingInput("ES256", claims);
      Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
      s.initSign(key);
      s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + B64.encodeToString(s.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** An unsigned token ({@code alg:none}), which the server must refuse. */
  public static String unsigned(JsonObject claims) {
    return signingInput("none", claims) + ".";
  }

  public static KeyPair rsaKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static KeyPair ecKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(key.getEncoded()) + "\n-----END PUBLIC KEY-----";
  }

  private static String signingInput(String alg, JsonObject claims) {
    String header = new JsonObject().put("alg", alg).put("typ", "JWT").encode();
    return B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
        + B64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
  }
}
