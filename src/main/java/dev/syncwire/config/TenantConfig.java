package dev.syncwire.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * One tenant: its id, the keys that verify its users' tokens, whether anonymous users may connect,
 * whether clients may publish when their token does not say, and whether a token may omit {@code exp}.
 */
public record TenantConfig(String id, List<KeyConfig> keys, boolean anonymous, boolean clientPublish,
                           boolean allowNoExp, Integer historySize, Long historyTtlMs, Long historyMaxBytes) {

  private static final Set<String> FIELDS = Set.of("id", "keys", "anonymous", "clientPublish", "allowNoExp",
      "history");
  private static final Set<String> HISTORY_FIELDS = Set.of("size", "ttlMs", "maxBytes");

  /** A token-verification key: an HMAC secret (HS256/384/512) or a PEM public key (RS256, ES256, ...). */
  public record KeyConfig(String alg, String secret, String publicKey) {
    private static final Set<String> FIELDS = Set.of("alg", "secret", "publicKey");
    private static final Set<String> HMAC = Set.of("HS256", "HS384", "HS512");
    private static final Set<String> RSA = Set.of("RS256", "RS384", "RS512");
    private static final Set<String> EC = Set.of("ES256", "ES384", "ES512");

    public boolean isHmac() {
      return HMAC.contains(alg);
    }

    // The secret signs tokens: keep it out of logs.
    @Override
    public String toString() {
      return "KeyConfig[alg=" + alg + (secret == null ? "" : ", secret=***")
          + (publicKey == null ? "" : ", publicKey=" + publicKey) + "]";
    }

    static KeyConfig parse(String path, Object raw) {
      if (!(raw instanceof JsonObject)) {
        throw new ConfigException(path, "must be an object {\"alg\", \"secret\" | \"publicKey\"}", raw);
      }
      JsonObject json = (JsonObject) raw;
      unknownFields(path, json, FIELDS);
      String alg = requiredString(path + ".alg", json.getValue("alg"));
      if (HMAC.contains(alg)) {
        String secret = requiredString(path + ".secret", json.getValue("secret"));
        if (secret.length() < 16) {
          throw new ConfigException(path + ".secret", "must be at least 16 characters", null);
        }
        return new KeyConfig(alg, secret, null);
      }
      if (RSA.contains(alg) || EC.contains(alg)) {
        String pem = requiredString(path + ".publicKey", json.getValue("publicKey"));
        checkPublicKey(path + ".publicKey", pem, RSA.contains(alg) ? "RSA" : "EC");
        return new KeyConfig(alg, null, pem);
      }
      throw new ConfigException(path + ".alg", "must be one of HS256, HS384, HS512, RS256, RS384, RS512, ES256, ES384, ES512", alg);
    }

    private static void checkPublicKey(String path, String pem, String algorithm) {
      try {
        String body = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
      } catch (Exception e) {
        throw new ConfigException(path, "must be a PEM-encoded " + algorithm + " public key (-----BEGIN PUBLIC KEY-----)", null);
      }
    }
  }

  static List<TenantConfig> parseAll(String path, JsonArray array) {
    List<TenantConfig> tenants = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < array.size(); i++) {
      TenantConfig t = parse(path + "[" + i + "]", array.getValue(i));
      if (!seen.add(t.id())) {
        throw new ConfigException(path + "[" + i + "].id", "must be unique", t.id());
      }
      tenants.add(t);
    }
    return List.copyOf(tenants);
  }

  static TenantConfig parse(String path, Object raw) {
    if (!(raw instanceof JsonObject)) {
      throw new ConfigException(path, "must be a tenant object", raw);
    }
    JsonObject json = (JsonObject) raw;
    unknownFields(path, json, FIELDS);
    String id = requiredString(path + ".id", json.getValue("id"));
    if (!id.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new ConfigException(path + ".id", "must be 1-64 characters of A-Z a-z 0-9 _ . -", id);
    }
    boolean anonymous = bool(path + ".anonymous", json.getValue("anonymous"));
    boolean clientPublish = bool(path + ".clientPublish", json.getValue("clientPublish"));
    boolean allowNoExp = bool(path + ".allowNoExp", json.getValue("allowNoExp"));
    Object rawKeys = json.getValue("keys", new JsonArray());
    if (!(rawKeys instanceof JsonArray)) {
      throw new ConfigException(path + ".keys", "must be an array of key objects", rawKeys);
    }
    List<KeyConfig> keys = new ArrayList<>();
    JsonArray keyArray = (JsonArray) rawKeys;
    for (int i = 0; i < keyArray.size(); i++) {
      keys.add(KeyConfig.parse(path + ".keys[" + i + "]", keyArray.getValue(i)));
    }
    if (keys.isEmpty() && !anonymous) {
      throw new ConfigException(path + ".keys", "must hold at least one key unless the tenant allows anonymous users", null);
    }
    Integer historySize = null;
    Long historyTtlMs = null;
    Long historyMaxBytes = null;
    Object history = json.getValue("history");
    if (history != null) {
      if (!(history instanceof JsonObject)) {
        throw new ConfigException(path + ".history", "must be an object {\"size\", \"ttlMs\", \"maxBytes\"}", history);
      }
      JsonObject h = (JsonObject) history;
      unknownFields(path + ".history", h, HISTORY_FIELDS);
      if (h.containsKey("size")) {
        historySize = (int) nonNegative(path + ".history.size", h.getValue("size"), SyncwireConfig.HISTORY_SIZE.max());
      }
      if (h.containsKey("ttlMs")) {
        historyTtlMs = nonNegative(path + ".history.ttlMs", h.getValue("ttlMs"), SyncwireConfig.HISTORY_TTL_MS.max());
      }
      if (h.containsKey("maxBytes")) {
        historyMaxBytes = nonNegative(path + ".history.maxBytes", h.getValue("maxBytes"),
            SyncwireConfig.HISTORY_MAX_BYTES.max());
      }
    }
    return new TenantConfig(id, List.copyOf(keys), anonymous, clientPublish, allowNoExp, historySize, historyTtlMs,
        historyMaxBytes);
  }

  private static long nonNegative(String path, Object value, long max) {
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < 0
        || ((Number) value).longValue() > max) {
      throw new ConfigException(path, "must be an integer from 0 to " + max, value);
    }
    return ((Number) value).longValue();
  }

  private static void unknownFields(String path, JsonObject json, Set<String> known) {
    for (String field : json.fieldNames()) {
      if (!known.contains(field)) {
        throw new ConfigException(path + "." + field, "is not a known key (known: " + String.join(", ", new java.util.TreeSet<>(known)) + ")", null);
      }
    }
  }

  private static String requiredString(String path, Object value) {
    if (!(value instanceof String) || ((String) value).isEmpty()) {
      throw new ConfigException(path, "must be a non-empty string", value);
    }
    return (String) value;
  }

  private static boolean bool(String path, Object value) {
    if (value == null) {
      return false;
    }
    if (!(value instanceof Boolean)) {
      throw new ConfigException(path, "must be true or false", value);
    }
    return (Boolean) value;
  }
}
