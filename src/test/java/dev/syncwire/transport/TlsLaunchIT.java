package dev.syncwire.transport;

import dev.syncwire.Syncwire;
import dev.syncwire.testing.NodeProcess;
import dev.syncwire.testing.SelfSignedCertificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged node checks its TLS files before it starts anything, like any other configuration. */
class TlsLaunchIT {
  @TempDir
  Path dir;

  @Test
  void aGarbageCertificateStopsTheNodeWithExitStatus78AndOneLineNamingTheKey() throws Exception {
    SelfSignedCertificate certificate = SelfSignedCertificate.create(dir, "launch");
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n"
        + "-----END CERTIFICATE-----\n");
    NodeProcess node = NodeProcess.alone(NodeProcess.Options.forTests(), "tls-refused",
        Map.of("admin.tls.certPath", garbage.toString(), "admin.tls.keyPath", certificate.keyPath().toString()));
    try (node) {
      NodeProcess.ExitedDuringStartup exited = assertThrows(NodeProcess.ExitedDuringStartup.class, node::awaitReady);
      assertEquals(Syncwire.EXIT_BAD_CONFIG, exited.exitValue);
    }
    List<String> lines = node.logText().lines().filter(l -> !l.isBlank()).toList();
    assertEquals(1, lines.size(), node.logText());
    assertTrue(lines.get(0).startsWith("syncwire: config key 'admin.tls.certPath' must name a PEM file of X.509"),
        lines.get(0));
  }
}
