package dev.syncwire.auth;

import dev.syncwire.config.TenantConfig;
import dev.syncwire.protocol.ErrorCode;
import dev.syncwire.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@code connect} into a {@link Principal}. The token's unverified {@code tenant} claim only
 * picks which tenant's keys to try; the token is then verified with exactly those keys, so a token
 * signed with another tenant's key, with {@code alg:none} or with a wrong signature is refused.
 */
public final class Authenticator {
  private final Map<String, TenantConfig> tenants = new HashMap<>();
  private final Map<String, JWTAuth> verifiers = new HashMap<>();

  public Authenticator(Vertx vertx, List<TenantConfig> tenantConfigs) {
    for (TenantConfig tenant : tenantConfigs) {
      tenants.put(tenant.id(), tenant);
      if (!tenant.keys().isEmpty()) {
        JWTAuthOptions options = new JWTAuthOptions();
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
    String claimedTenant = unverifiedTenant(token);
    JWTAuth verifier = claimedTenant == null ? null : verifiers.get(claimedTenant);
    if (verifier == null) {
      return Future.failedFuture(unauthorized("unknown tenant or malformed token"));
    }
    TenantConfig tenant = tenants.get(claimedTenant);
    return verifier.authenticate(new TokenCredentials(token))
        .recover(e -> Future.failedFuture(unauthorized("invalid token: " + e.getMessage())))
        .compose(user -> principal(tenant, user));
  }

  /** A principal for an anonymous {@code connect}, when the tenant allows it. */
  public Principal anonymous(String tenantId, String user) {
    TenantConfig tenant = tenantId == null ? null : tenants.get(tenantId);
    if (tenant == null || !tenant.anonymous()) {
      throw unauthorized("tenant does not allow anonymous users");
    }
    return new Principal(tenant.id(), user, true, null, null, tenant.clientPublish(), 0);
  }

  private Future<Principal> principal(TenantConfig tenant, User user) {
    JsonObject claims = user.attributes().getJsonObject("accessToken");
    Object sub = claims.getValue("sub");
    if (!(sub instanceof String) || ((String) sub).isEmpty()) {
      return Future.failedFuture(unauthorized("token has no \"sub\""));
    }
    if (!tenant.id().equals(claims.getValue("tenant"))) {
      return Future.failedFuture(unauthorized("token tenant mismatch"));
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
    long expiresAtMs = exp instanceof Number ? ((Number) exp).longValue() * 1000 : 0;
    return Future.succeededFuture(new Principal(tenant.id(), (String) sub, false, subscribe, publish,
        tenant.clientPublish(), expiresAtMs));
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

  private static String unverifiedTenant(String token) {
    if (token == null) {
      return null;
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      return null;
    }
    try {
      JsonObject payload = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
      Object tenant = payload.getValue("tenant");
      return tenant instanceof String ? (String) tenant : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static ProtocolException unauthorized(String message) {
    return new ProtocolException(ErrorCode.UNAUTHORIZED, message);
  }
}
