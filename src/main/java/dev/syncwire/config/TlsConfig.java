package dev.syncwire.config;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TLS of one port ({@code http.tls.*} or {@code admin.tls.*}): a PEM certificate chain and its PEM private
 * key. Both files are read and checked when the configuration is, so that a missing, unreadable or
 * mismatched file stops the node at start rather than failing the first handshake; the servers then use
 * the bytes read here.
 *
 * @param certPath the certificate chain's file, empty when the port speaks plain HTTP
 * @param keyPath the private key's file
 * @param certPem the chain as read, empty when off
 * @param keyPem the key as read, empty when off
 */
public record TlsConfig(String certPath, String keyPath, String certPem, String keyPem) {
  /** Plain HTTP. */
  public static final TlsConfig OFF = new TlsConfig("", "", "", "");
  /** Older versions have known weaknesses; every client of this decade speaks one of these. */
  public static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  private static final Pattern PEM_BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

  static TlsConfig from(ConfigValues v, ConfigKey<String> certKey, ConfigKey<String> keyKey) {
    String certPath = v.get(certKey).trim();
    String keyPath = v.get(keyKey).trim();
    if (certPath.isEmpty() && keyPath.isEmpty()) {
      return OFF;
    }
    if (keyPath.isEmpty()) {
      throw new ConfigException(keyKey.path(), "must be set when " + certKey.path() + " is", null);
    }
    if (certPath.isEmpty()) {
      throw new ConfigException(certKey.path(), "must be set when " + keyKey.path() + " is", null);
    }
    String certPem = read(certKey, certPath);
    String keyPem = read(keyKey, keyPath);
    List<X509Certificate> chain = certificates(certKey, certPath, certPem);
    PrivateKey key = privateKey(keyKey, keyPath, keyPem);
    if (!signsFor(key, chain.get(0))) {
      throw new ConfigException(keyKey.path(), "is not the private key of the first certificate in "
          + certKey.path(), keyPath);
    }
    return new TlsConfig(certPath, keyPath, certPem, keyPem);
  }

  public boolean enabled() {
    return !certPath.isEmpty();
  }

  /**
   * Turns TLS on in {@code options} when this port has it: the checked key and chain, TLS 1.2 and 1.3
   * only. Without ALPN (Vert.x's default) the port speaks HTTP/1.1 alone, as it does in clear.
   */
  public HttpServerOptions applyTo(HttpServerOptions options) {
    if (enabled()) {
      options.setSsl(true)
          .setKeyCertOptions(new PemKeyCertOptions().setCertValue(bytes(certPem)).setKeyValue(bytes(keyPem)))
          .setEnabledSecureTransportProtocols(PROTOCOLS);
    }
    return options;
  }

  private static Buffer bytes(String pem) {
    return Buffer.buffer(pem.getBytes(StandardCharsets.ISO_8859_1));
  }

  // The key is a secret: keep it out of logs.
  @Override
  public String toString() {
    return "TlsConfig[certPath=" + certPath + ", keyPath=" + keyPath + "]";
  }

  private static String read(ConfigKey<String> key, String path) {
    try {
      // Latin-1 decodes any bytes: text around the PEM blocks (comments, bag attributes) may be anything.
      return Files.readString(Path.of(path), StandardCharsets.ISO_8859_1);
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(key.path(), "names a file that cannot be read (" + e.getClass().getSimpleName() + ")",
          path);
    }
  }

  private static List<X509Certificate> certificates(ConfigKey<String> key, String path, String pem) {
    List<X509Certificate> chain = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (byte[] der : blocks(pem, "CERTIFICATE")) {
        chain.add((X509Certificate) factory.generateCertificate(new java.io.ByteArrayInputStream(der)));
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      chain.clear();
    }
    if (chain.isEmpty()) {
      throw new ConfigException(key.path(), "must name a PEM file of X.509 certificates (-----BEGIN CERTIFICATE-----)",
          path);
    }
    return chain;
  }

  // PKCS#8 holds RSA and EC keys alike; the servers accept both.
  private static PrivateKey privateKey(ConfigKey<String> key, String path, String pem) {
    List<byte[]> keys;
    try {
      keys = blocks(pem, "PRIVATE KEY");
    } catch (IllegalArgumentException e) {
      keys = List.of();
    }
    if (keys.size() == 1) {
      for (String algorithm : List.of("RSA", "EC")) {
        try {
          return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(keys.get(0)));
        } catch (GeneralSecurityException | RuntimeException e) {
          // not this algorithm
        }
      }
    }
    throw new ConfigException(key.path(), "must name a PEM file of one unencrypted PKCS#8 RSA or EC private key"
        + " (-----BEGIN PRIVATE KEY-----; openssl pkcs8 -topk8 -nocrypt converts others)", path);
  }

  private static List<byte[]> blocks(String pem, String type) {
    List<byte[]> out = new ArrayList<>();
    Matcher m = PEM_BLOCK.matcher(pem);
    while (m.find()) {
      if (m.group(1).equals(type)) {
        out.add(Base64.getMimeDecoder().decode(m.group(2)));
      }
    }
    return out;
  }

  // A signature the certificate's public key verifies: the cheapest proof that the two belong together.
  private static boolean signsFor(PrivateKey key, X509Certificate certificate) {
    String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    byte[] probe = "syncwire".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }
}
