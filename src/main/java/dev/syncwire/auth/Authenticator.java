package dev.syncwire.auth;

import dev.syncwire.config.TenantConfig;
import dev.syncwire.protocol.ClientJson;
import dev.syncwire.protocol.ErrorCode;
import dev.syncwire.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@code connect} into a {@link Principal}. The token's unverified {@code tenant} claim only
 * picks which tenant's keys to try; the token is then verified with exactly those keys, so a token
 * signed with another tenant's key, with {@code alg:none} or with a wrong signature is refused.
 *
 * <p>The JWT library only checks the signature: this class checks the time claims itself, so that a
 * claim of the wrong type is refused like any bad token (the library would fail on it with an exception)
 * and every refusal says what is wrong in this server's words.
 */
public final class Authenticator {
  /**
   * How far in the future a token's {@code nbf} and {@code iat} may lie: the issuer's clock and the
   * node's may differ a little. {@code exp} gets no leeway, since a session ends at {@code exp} anyway.
   */
  public static final long CLOCK_LEEWAY_SECONDS = 30;
  private static final List<String> TIME_CLAIMS = List.of("exp", "nbf", "iat");

  private final Map<String, TenantConfig> tenants = new HashMap<>();
  private final Map<String, JWTAuth> verifiers = new HashMap<>();

  public Authenticator(Vertx vertx, List<TenantConfig> tenantConfigs) {
    for (TenantConfig tenant : tenantConfigs) {
      tenants.put(tenant.id(), tenant);
      if (!tenant.keys().isEmpty()) {
        JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(new JWTOptions().setIgnoreExpiration(true));
        for (TenantConfig.KeyConfig key : tenant.keys()) {
          options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(key.alg())
              .setBuffer(key.isHmac() ? key.secret() : key.publicKey()));
        }
        verifiers.put(tenant.id(), JWTAuth.create(vertx, options));
      }
    }
  }

  public boolean hasTenant(String tenantId) {
    return tenantId != null && tenants.containsKey(tenantId);
  }

  /** Verifies a token; fails with {@code unauthorized} for any token that cannot be trusted. */
  public Future<Principal> authenticate(String token) {
    JsonObject unverified = unverifiedClaims(token);
    Object claimedTenant = unverified == null ? null : unverified.getValue("tenant");
    JWTAuth verifier = claimedTenant instanceof String ? verifiers.get(claimedTenant) : null;
    if (verifier == null) {
      return Future.failedFuture(unauthorized("unknown tenant or malformed token"));
    }
    // Checked before the library sees the token: it reads these claims as numbers and throws otherwise.
    for (String claim : TIME_CLAIMS) {
      Object value = unverified.getValue(claim);
      if (value != null && !(value instanceof Number)) {
        return Future.failedFuture(unauthorized("token claim " + claim + " must be a number"));
      }
    }
    TenantConfig tenant = tenants.get(claimedTenant);
    Future<User> verified;
    try {
      verified = verifier.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      verified = Future.failedFuture(e);
    }
    return verified
        .recover(e -> Future.failedFuture(unauthorized("token signature or format is not valid")))
        .compose(user -> principal(tenant, user.attributes().getJsonObject("accessToken")));
  }

  /** A principal for an anonymous {@code connect}, when the tenant allows it. */
  public Principal anonymous(String tenantId, String user) {
    TenantConfig tenant = tenantId == null ? null : tenants.get(tenantId);
    if (tenant == null || !tenant.anonymous()) {
      throw unauthorized("tenant does not allow anonymous users");
    }
    return new Principal(tenant.id(), user, true, null, null, tenant.clientPublish(), 0);
  }

  private Future<Principal> principal(TenantConfig tenant, JsonObject claims) {
    Object sub = claims.getValue("sub");
    if (!(sub instanceof String) || ((String) sub).isEmpty()) {
      return Future.failedFuture(unauthorized("token has no \"sub\""));
    }
    if (!tenant.id().equals(claims.getValue("tenant"))) {
      return Future.failedFuture(unauthorized("token tenant mismatch"));
    }
    String timeProblem = timeProblem(tenant, claims, System.currentTimeMillis());
    if (timeProblem != null) {
      return Future.failedFuture(unauthorized(timeProblem));
    }
    List<ChannelPattern> subscribe;
    List<ChannelPattern> publish;
    try {
      subscribe = patterns(claims.getValue("subscribe"));
      publish = patterns(claims.getValue("publish"));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(unauthorized(e.getMessage()));
    }
    Object exp = claims.getValue("exp");
    long expiresAtMs = exp == null ? 0 : (long) Math.min(((Number) exp).doubleValue() * 1000, Long.MAX_VALUE / 2);
    return Future.succeededFuture(new Principal(tenant.id(), (String) sub, false, subscribe, publish,
        tenant.clientPublish(), expiresAtMs));
  }

  /** What is wrong with the token's time claims at {@code nowMs} (already known to be numbers), or null. */
  private static String timeProblem(TenantConfig tenant, JsonObject claims, long nowMs) {
    double now = nowMs / 1000.0;
    Number exp = (Number) claims.getValue("exp");
    Number nbf = (Number) claims.getValue("nbf");
    Number iat = (Number) claims.getValue("iat");
    if (exp == null && !tenant.allowNoExp()) {
      return "token claim exp is required";
    }
    if (exp != null && now >= exp.doubleValue()) {
      return "token expired";
    }
    if (nbf != null && now + CLOCK_LEEWAY_SECONDS < nbf.doubleValue()) {
      return "token not valid yet (nbf is in the future)";
    }
    if (iat != null && now + CLOCK_LEEWAY_SECONDS < iat.doubleValue()) {
      return "token issued in the future (iat)";
    }
    return null;
  }

  private static List<ChannelPattern> patterns(Object claim) {
    if (claim == null) {
      return null;
    }
    if (!(claim instanceof JsonArray)) {
      throw new IllegalArgumentException("\"subscribe\" and \"publish\" claims must be arrays of patterns");
    }
    List<ChannelPattern> out = new ArrayList<>();
    for (Object p : (JsonArray) claim) {
      if (!(p instanceof String)) {
        throw new IllegalArgumentException("channel patterns must be strings");
      }
      out.add(new ChannelPattern((String) p));
    }
    return List.copyOf(out);
  }

  /** The token's payload, not yet verified: only to pick the tenant's keys and to check claim types. */
  private static JsonObject unverifiedClaims(String token) {
    if (token == null) {
      return null;
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      return null;
    }
    try {
      Object claims = ClientJson.parse(Base64.getUrlDecoder().decode(parts[1]));
      return claims instanceof JsonObject ? (JsonObject) claims : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static ProtocolException unauthorized(String message) {
    return new ProtocolException(ErrorCode.UNAUTHORIZED, message);
  }
}
