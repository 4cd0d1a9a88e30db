package dev.syncwire.transport;

import dev.syncwire.config.ConfigException;
import dev.syncwire.config.SyncwireConfig;
import dev.syncwire.config.TlsConfig;
import dev.syncwire.testing.Await;
import dev.syncwire.testing.SelfSignedCertificate;
import dev.syncwire.testing.TestNode;
import dev.syncwire.testing.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node with TLS on both ports ({@code http.tls.*}, {@code admin.tls.*}), reached by real clients that
 * trust its self-signed certificate; and the configurations that must stop a node at start.
 */
class TlsTest {
  private static final int HANDSHAKE_RECORD = 22;
  private static final int ALERT_RECORD = 21;
  private static final int TLS_1_1 = 0x0302;
  private static final int TLS_1_2 = 0x0303;

  @TempDir
  static Path dir;

  private static SelfSignedCertificate certificate;
  private static TestNode node;
  private static HttpClient https;

  @BeforeAll
  static void start() {
    certificate = SelfSignedCertificate.create(dir, "node");
    node = TestNode.startWith(new JsonObject()
        .put("http", new JsonObject().put("tls", certificate.tlsConfig()))
        .put("admin", new JsonObject().put("tls", certificate.tlsConfig())));
    https = TestNode.clientVertx().createHttpClient(new HttpClientOptions().setSsl(true).setTrustOptions(trust())
        .setKeepAlive(false));
  }

  @AfterAll
  static void stop() {
    if (https != null) {
      https.close();
    }
    if (node != null) {
      node.close();
    }
  }

  private static PemTrustOptions trust() {
    return new PemTrustOptions().addCertPath(certificate.certPath().toString());
  }

  @Test
  void aWebSocketClientConnectsSubscribesAndReceivesAPublicationOverTls() {
    WebSocketConnectOptions connect = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.port())
        .setURI("/ws").setSsl(true).setSubProtocols(List.of("syncwire.v1.json"));
    try (WsClient client = WsClient.open(TestNode.clientVertx(), connect,
        new WebSocketClientOptions().setSsl(true).setTrustOptions(trust()))) {
      client.sendText("{\"id\":1,\"type\":\"connect\",\"tenant\":\"demo\"}");
      assertEquals("connected", client.next().getString("type"));
      client.subscribe("tls-ws");
      assertEquals(200, adminPublish("tls-ws", "over tls").status());
      assertEquals("over tls", client.pubs("tls-ws", 1).get(0).getString("data"));
    }
  }

  @Test
  void anSseStreamReceivesAPublicationOverTls() {
    Reply sent = call(node.port(), HttpMethod.POST, "/send", Map.of(), "[{\"id\":1,\"type\":\"connect\",\"tenant\":\"demo\"},"
        + "{\"id\":2,\"type\":\"subscribe\",\"channel\":\"tls-sse\"}]");
    assertEquals(200, sent.status(), sent.body());
    JsonArray replies = new JsonArray(sent.body());
    JsonObject connected = replies.getJsonObject(0);
    assertEquals("subscribed", replies.getJsonObject(1).getString("type"), sent.body());
    StringBuffer stream = new StringBuffer();
    Await.result(https.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(node.port())
            .setURI("/sse?session=" + connected.getString("session") + "&key=" + connected.getString("key") + "&cursor=0"))
        .compose(request -> request.send().map(response -> {
          stream.append(response.statusCode()).append('\n');
          response.handler(chunk -> stream.append(chunk.toString(StandardCharsets.UTF_8)));
          return response;
        })));
    assertEquals(200, adminPublish("tls-sse", "streamed").status());
    Await.until(Duration.ofSeconds(10), "the publication on the stream", () -> stream.toString().lines()
        .filter(line -> line.startsWith("data: "))
        .map(line -> new JsonObject(line.substring("data: ".length())))
        .anyMatch(frame -> "pub".equals(frame.getString("type")) && "streamed".equals(frame.getString("data"))),
        stream::toString);
    assertTrue(stream.toString().startsWith("200\n"), stream.toString());
  }

  @Test
  void theAdminPortAnswersHealthOverTls() {
    Reply health = call(node.adminPort(), HttpMethod.GET, "/health", Map.of(), null);
    assertEquals(200, health.status());
    assertEquals("UP", new JsonObject(health.body()).getString("status"));
  }

  @Test
  void aClientOfferingOnlyTls11GetsNoHandshake() throws IOException {
    for (int port : new int[] {node.port(), node.adminPort()}) {
      int answer = firstRecordType(port, clientHello(TLS_1_1));
      assertTrue(answer == ALERT_RECORD || answer == -1, "port " + port + " answered a TLS 1.1 hello with a "
          + (answer == HANDSHAKE_RECORD ? "handshake" : "record of type " + answer));
    }
  }

  /** The hello of the test above is one a server answers, once it offers TLS 1.2. */
  @Test
  void theSameHelloOfferingTls12IsAnswered() throws IOException {
    for (int port : new int[] {node.port(), node.adminPort()}) {
      assertEquals(HANDSHAKE_RECORD, firstRecordType(port, clientHello(TLS_1_2)), "port " + port);
    }
  }

  @Test
  void plainHttpOnTheTlsPortsIsNotServed() throws IOException {
    for (int port : new int[] {node.port(), node.adminPort()}) {
      String answer = exchange(port, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      assertFalse(answer.startsWith("HTTP/"), "port " + port + " answered plain HTTP: " + answer);
    }
  }

  @Test
  void theServersOfferTls12And13Only() {
    TlsConfig tls = SyncwireConfig.fromJson(new JsonObject().put("http", new JsonObject()
        .put("tls", certificate.tlsConfig()))).http().tls();
    assertEquals(java.util.Set.of("TLSv1.2", "TLSv1.3"),
        tls.applyTo(new io.vertx.core.http.HttpServerOptions()).getEnabledSecureTransportProtocols());
    assertFalse(tls.toString().contains("PRIVATE"), "the key stays out of toString: " + tls);
  }

  @Test
  void aCertificateWithoutItsKeyOrAKeyWithoutItsCertificateStopsTheNode() {
    assertStartFails(tls("http", certificate.certPath(), null), "'http.tls.keyPath' must be set when http.tls.certPath is");
    assertStartFails(tls("admin", null, certificate.keyPath()),
        "'admin.tls.certPath' must be set when admin.tls.keyPath is");
  }

  @Test
  void anUnreadableOrGarbageFileStopsTheNodeNamingItsKey() throws IOException {
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n"
        + "-----END CERTIFICATE-----\n");
    assertStartFails(tls("http", garbage, certificate.keyPath()), "'http.tls.certPath' must name a PEM file of X.509");
    assertStartFails(tls("http", certificate.certPath(), garbage), "'http.tls.keyPath' must name a PEM file");
    assertConfigFails(tls("admin", dir.resolve("missing.pem"), certificate.keyPath()),
        "'admin.tls.certPath' names a file that cannot be read");
    Path truncatedKey = Files.writeString(dir.resolve("truncated-key.pem"),
        SelfSignedCertificate.pem("PRIVATE KEY", new byte[] {0x30, 0x03, 0x02, 0x01, 0x00}));
    assertConfigFails(tls("admin", certificate.certPath(), truncatedKey), "'admin.tls.keyPath' must name a PEM file");
    SelfSignedCertificate other = SelfSignedCertificate.create(dir, "other");
    assertConfigFails(tls("http", certificate.certPath(), other.keyPath()),
        "'http.tls.keyPath' is not the private key of the first certificate in http.tls.certPath");
  }

  private static JsonObject tls(String port, Path cert, Path key) {
    JsonObject tls = new JsonObject();
    if (cert != null) {
      tls.put("certPath", cert.toString());
    }
    if (key != null) {
      tls.put("keyPath", key.toString());
    }
    return new JsonObject().put(port, new JsonObject().put("tls", tls));
  }

  /** A node given {@code overrides} does not start, for a {@link ConfigException} that says {@code expected}. */
  private static void assertStartFails(JsonObject overrides, String expected) {
    IllegalStateException failed = assertThrows(IllegalStateException.class, () -> TestNode.startWith(overrides).close());
    Throwable cause = failed;
    while (cause != null && !(cause instanceof ConfigException)) {
      cause = cause.getCause();
    }
    assertNotNull(cause, "no configuration error: " + failed);
    assertTrue(cause.getMessage().contains(expected), cause.getMessage());
  }

  /** What the launcher reads before it starts anything (and turns into exit status 78) refuses {@code overrides}. */
  private static void assertConfigFails(JsonObject overrides, String expected) {
    ConfigException e = assertThrows(ConfigException.class,
        () -> SyncwireConfig.fromJson(TestNode.baseConfig().mergeIn(overrides, true)));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  private record Reply(int status, String body) {
  }

  private static Reply adminPublish(String channel, String data) {
    return call(node.adminPort(), HttpMethod.POST, "/api/v1/publish", Map.of("Authorization", "Bearer " + TestNode.ADMIN_KEY),
        new JsonObject().put("tenant", "demo").put("channel", channel).put("data", data).encode());
  }

  private static Reply call(int port, HttpMethod method, String uri, Map<String, String> headers, String body) {
    return Await.result(https.request(new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port)
            .setURI(uri))
        .compose(request -> {
          headers.forEach(request::putHeader);
          return body == null ? request.send() : request.send(Buffer.buffer(body));
        })
        .compose(response -> response.body().map(b -> new Reply(response.statusCode(), b.toString()))));
  }

  /** The content type of the first TLS record the server answers {@code hello} with; -1 when it closes first. */
  private static int firstRecordType(int port, byte[] hello) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(hello);
      socket.getOutputStream().flush();
      return socket.getInputStream().read();
    }
  }

  /** What the server sends back to {@code request} until it closes the connection (or stays silent for 10 s). */
  private static String exchange(int port, byte[] request) throws IOException {
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[4096];
      for (int n; (n = in.read(buffer)) > 0; ) {
        answer.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException e) {
      // Silent is not served either.
    }
    return answer.toString(StandardCharsets.ISO_8859_1);
  }

  /**
   * A TLS ClientHello record that offers {@code version} and nothing newer (no supported_versions extension),
   * with ECDHE suites for EC and RSA certificates: written by hand, since the JDK's own client refuses to
   * offer TLS 1.1 at all.
   */
  private static byte[] clientHello(int version) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    u16(body, version);
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    body.writeBytes(random);
    body.write(0); // no session id
    int[] suites = {0xc02b, 0xc02f, 0xc009, 0xc013, 0x002f};
    u16(body, suites.length * 2);
    for (int suite : suites) {
      u16(body, suite);
    }
    body.write(1);
    body.write(0); // compression: none
    ByteArrayOutputStream extensions = new ByteArrayOutputStream();
    u16(extensions, 0x000a); // supported_groups: secp256r1
    u16(extensions, 4);
    u16(extensions, 2);
    u16(extensions, 0x0017);
    u16(extensions, 0x000b); // ec_point_formats: uncompressed
    u16(extensions, 2);
    extensions.write(1);
    extensions.write(0);
    u16(extensions, 0x000d); // signature_algorithms: ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256, rsa_pkcs1_sha256
    u16(extensions, 8);
    u16(extensions, 6);
    u16(extensions, 0x0403);
    u16(extensions, 0x0804);
    u16(extensions, 0x0401);
    u16(body, extensions.size());
    body.writeBytes(extensions.toByteArray());
    ByteArrayOutputStream record = new ByteArrayOutputStream();
    record.write(HANDSHAKE_RECORD);
    u16(record, 0x0301);
    u16(record, body.size() + 4);
    record.write(1); // client_hello
    record.write(body.size() >> 16);
    u16(record, body.size() & 0xffff);
    record.writeBytes(body.toByteArray());
    return record.toByteArray();
  }

  private static void u16(ByteArrayOutputStream out, int value) {
    out.write(value >> 8);
    out.write(value & 0xff);
  }
}
