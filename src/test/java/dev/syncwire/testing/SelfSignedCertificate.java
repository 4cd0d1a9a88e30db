package dev.syncwire.testing;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for {@code localhost} and {@code 127.0.0.1}, made at test time by the JDK's
 * {@code keytool} and written as the PEM files a node's {@code *.tls.certPath} and {@code *.tls.keyPath} name:
 * the certificate, and its private key in PKCS#8.
 *
 * @param certPath the certificate, also what clients trust
 * @param keyPath the private key
 */
public record SelfSignedCertificate(Path certPath, Path keyPath) {
  private static final char[] PASSWORD = "changeit".toCharArray();

  /** Makes one in {@code dir}, as files named after {@code name}. */
  public static SelfSignedCertificate create(Path dir, String name) {
    try {
      Path store = dir.resolve(name + ".p12");
      Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
          "-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
          "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
          "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", new String(PASSWORD),
          "-keypass", new String(PASSWORD)).redirectErrorStream(true).start();
      String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
        throw new IllegalStateException("keytool failed: " + output);
      }
      KeyStore keyStore = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(store)) {
        keyStore.load(in, PASSWORD);
      }
      PrivateKey key = (PrivateKey) keyStore.getKey(name, PASSWORD);
      Certificate certificate = keyStore.getCertificate(name);
      Path certPath = dir.resolve(name + "-cert.pem");
      Path keyPath = dir.resolve(name + "-key.pem");
      Files.writeString(certPath, pem("CERTIFICATE", certificate.getEncoded()));
      Files.writeString(keyPath, pem("PRIVATE KEY", key.getEncoded()));
      return new SelfSignedCertificate(certPath, keyPath);
    } catch (IOException | java.security.GeneralSecurityException e) {
      throw new IllegalStateException("cannot make a certificate: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** DER bytes as a PEM block of {@code type}. */
  public static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  /** The {@code tls} object of a port's configuration ({@code {"http":{"tls":...}}}) with this certificate. */
  public JsonObject tlsConfig() {
    return new JsonObject().put("certPath", certPath.toString()).put("keyPath", keyPath.toString());
  }
}
