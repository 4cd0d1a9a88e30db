package dev.syncwire;

import com.hazelcast.config.Config;
import com.hazelcast.config.XmlConfigBuilder;
import com.hazelcast.shaded.org.snakeyaml.engine.v2.api.Load;
import com.hazelcast.shaded.org.snakeyaml.engine.v2.api.LoadSettings;
import dev.syncwire.config.ConfigKey;
import dev.syncwire.config.SyncwireConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The deployment of {@code docker/}: {@code scripts/deploy-check.sh} runs its HAProxy, nginx and Prometheus
 * files for real in front of three clustered nodes (no Docker needed), and the files that cannot run here
 * (the Dockerfile, compose.yaml, the Kubernetes manifests) are read for what they must say.
 */
class DeployCheckIT {
  private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(5);
  private static final List<String> TOOLS = List.of("haproxy", "nginx", "redis-server", "redis-cli", "prometheus",
      "promtool", "node");
  private static final Path DOCKER = Path.of("docker");

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES) // past the script's own limit, so that its output is reported
  void theDockerFolderRunsWithoutDocker() throws Exception {
    String missing = missingTools();
    // CI installs every tool (.ci/run): there a missing one fails rather than skips.
    if (!"true".equals(System.getenv("CI"))) {
      assumeTrue(missing.isEmpty(), "not installed: " + missing + " (.ci/run installs them)");
    }
    assertEquals("", missing, "tools scripts/deploy-check.sh needs");

    Path log = Files.createTempFile("deploy-check", ".log");
    ProcessBuilder pb = new ProcessBuilder("bash", "scripts/deploy-check.sh").redirectErrorStream(true)
        .redirectOutput(log.toFile());
    // The nodes run on the JDK under test.
    pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":"
        + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
    Process p = pb.start();
    try {
      boolean ended = p.waitFor(SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      if (!ended) {
        stop(p);
      }
      String output = Files.readString(log);
      System.out.println(output);
      assertTrue(ended, "scripts/deploy-check.sh did not end within " + SCRIPT_TIMEOUT + ":\n" + output);
      assertEquals(0, p.exitValue(), "scripts/deploy-check.sh failed:\n" + output);
    } finally {
      if (p.isAlive()) {
        stop(p);
      }
      Files.deleteIfExists(log);
    }
  }

  @Test
  void theDockerfileBuildsANonRootImageThatChecksItsHealth() throws IOException {
    String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
    assertContains(dockerfile, "Dockerfile", "FROM maven:3.9-eclipse-temurin-17 AS build", "mvn -B -DskipTests -Dcds.skip package",
        "FROM eclipse-temurin:17-jre", "COPY --from=build /src/target/syncwire.jar", "COPY conf/ /app/conf/",
        "EXPOSE 8080 8081 5701", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar /app/syncwire.jar",
        "CMD [\"-conf\", \"/app/conf/node.json\"]", "SYNCWIRE_ADMIN_HOST=0.0.0.0", "SYNCWIRE_ADMIN_KEY",
        "-XX:ArchiveClassesAtExit=/app/syncwire.jsa", "--exit-when-ready", "-XX:SharedArchiveFile=/app/syncwire.jsa");
    Matcher user = Pattern.compile("(?m)^USER (\\S+)").matcher(dockerfile);
    assertTrue(user.find(), "the Dockerfile sets a USER");
    assertFalse(user.group(1).matches("root|0(:.*)?"), "the image runs as a user other than root: " + user.group(1));
    Matcher health = Pattern.compile("(?m)^HEALTHCHECK .*\\n\\s+CMD curl .*http://127\\.0\\.0\\.1:\\$\\{SYNCWIRE_HTTP_PORT:-8080}/health")
        .matcher(dockerfile);
    assertTrue(health.find(), "HEALTHCHECK asks /health with curl");
    assertTrue(dockerfile.contains("apt-get install -y --no-install-recommends curl"), "the image installs curl");
  }

  @Test
  void composeRunsThreeClusteredNodesBehindBothProxies() throws IOException {
    Map<String, Object> compose = map(yaml("compose.yaml").get(0));
    Map<String, Object> services = map(compose.get("services"));
    assertEquals(List.of("node1", "node2", "node3", "haproxy", "nginx", "redis", "prometheus"),
        List.copyOf(services.keySet()));
    Map<String, Object> nodeEnv = map(at(compose, "x-node", "environment"));
    assertEquals("node1,node2,node3", nodeEnv.get("SYNCWIRE_CLUSTER_MEMBERS"));
    assertEquals("0.0.0.0", nodeEnv.get("SYNCWIRE_ADMIN_HOST"));
    assertTrue(String.valueOf(nodeEnv.get("NODE_ARGS")).contains("-cluster"), "nodes run with -cluster");
    JsonObject nodeJson = new JsonObject(Files.readString(Path.of("conf/node.json")));
    for (String name : List.of("node1", "node2", "node3")) {
      Map<String, Object> env = new LinkedHashMap<>(nodeEnv);
      map(at(services, name, "environment")).forEach((k, v) -> {
        if (!k.equals("<<")) {
          env.put(k, v);
        }
      });
      assertEquals(name, env.get("SYNCWIRE_NODE_ID"));
      assertValidOverrides(nodeJson, env, "compose.yaml " + name);
    }
    assertContains(String.valueOf(at(services, "haproxy", "volumes")), "haproxy", "./haproxy.cfg:");
    assertContains(String.valueOf(at(services, "nginx", "volumes")), "nginx", "./nginx.conf:/etc/nginx/nginx.conf");
    assertContains(String.valueOf(at(services, "prometheus", "volumes")), "prometheus", "./prometheus.yml:");
  }

  @Test
  void theProxiesBalancePerRequestAndKeepStreamsOpen() throws IOException {
    long longPollMs = SyncwireConfig.LONGPOLL_TIMEOUT_MS.defaultValue();
    long keepaliveMs = SyncwireConfig.SSE_KEEPALIVE_MS.defaultValue();
    long heartbeatMs = SyncwireConfig.HEARTBEAT_INTERVAL_MS.defaultValue();

    String haproxy = Files.readString(DOCKER.resolve("haproxy.cfg"));
    assertContains(haproxy, "haproxy.cfg", "balance roundrobin", "option http-no-delay", "option httpchk GET /ready",
        "timeout tunnel 1h");
    assertNoStickiness(haproxy, "haproxy.cfg", "(?m)^\\s*(stick|cookie|balance (source|uri|hdr|url_param))");
    assertTrue(millis(haproxy, "timeout server\\s+(\\S+)") > longPollMs, "HAProxy's timeout server outlasts a long-poll");
    assertTrue(millis(haproxy, "timeout client\\s+(\\S+)") > longPollMs, "HAProxy's timeout client outlasts a long-poll");

    String nginx = Files.readString(DOCKER.resolve("nginx.conf"));
    assertContains(nginx, "nginx.conf", "proxy_http_version 1.1;", "X-Forwarded-For $proxy_add_x_forwarded_for");
    assertNoStickiness(nginx, "nginx.conf", "(?m)^\\s*(ip_hash|hash|sticky)\\b");
    String ws = location(nginx, "/ws");
    assertContains(ws, "nginx /ws", "proxy_set_header Upgrade $http_upgrade;", "proxy_set_header Connection $connection_upgrade;",
        "X-Forwarded-For");
    assertTrue(millis(ws, "proxy_read_timeout\\s+(\\S+);") > heartbeatMs, "nginx keeps an idle WebSocket open");
    String sse = location(nginx, "/sse");
    assertContains(sse, "nginx /sse", "proxy_buffering off;", "proxy_cache off;");
    assertTrue(millis(sse, "proxy_read_timeout\\s+(\\S+);") > keepaliveMs, "nginx keeps an SSE stream open");
    assertTrue(millis(location(nginx, "/poll"), "proxy_read_timeout\\s+(\\S+);") > longPollMs,
        "nginx waits for a long-poll's answer");
  }

  @Test
  void prometheusScrapesTheNodesAndKeepsTheThreeSeries() throws IOException {
    String prometheus = Files.readString(DOCKER.resolve("prometheus.yml"));
    assertContains(prometheus, "prometheus.yml", """
        scrape_configs:
          - job_name: 'syncwire'
            scrape_interval: 5s
            metrics_path: /metrics
            static_configs:
              - targets: ['node1:8081', 'node2:8081', 'node3:8081']
            metric_relabel_configs:
              - source_labels: [__name__]
                regex: 'ws_active_connections|ws_dropped_frames|ws_reconnect_rate'
                action: keep
        """);
    assertEquals(1, yaml("prometheus.yml").size());
  }

  @Test
  void kubernetesRunsThreeNodesThatDrainBeforeTheyAreKilled() throws IOException {
    Map<String, Map<String, Object>> objects = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(DOCKER.resolve("k8s"))) {
      for (Path file : files.sorted().toList()) {
        for (Object doc : yaml("k8s/" + file.getFileName())) {
          Map<String, Object> o = map(doc);
          objects.put(o.get("kind") + "/" + at(o, "metadata", "name"), o);
        }
      }
    }
    Map<String, Object> deployment = objects.get("Deployment/syncwire");
    assertNotNull(deployment, "a Deployment syncwire in " + objects.keySet());
    assertEquals(3, at(deployment, "spec", "replicas"));
    Map<String, Object> pod = map(at(deployment, "spec", "template", "spec"));
    Map<String, Object> container = map(at(pod, "containers", 0));
    assertEquals("/ready", at(container, "readinessProbe", "httpGet", "path"));
    assertEquals("/health", at(container, "livenessProbe", "httpGet", "path"));
    List<Object> ports = list(container.get("ports"));
    assertEquals(List.of(8080, 8081, 5701), ports.stream().map(port -> map(port).get("containerPort")).toList());
    assertEquals("http", at(container, "readinessProbe", "httpGet", "port"));
    assertEquals("http", at(ports, 0, "name"));

    // preStop, then SIGTERM: the drain spreads reconnects over drain.periodMs and may take drain.graceMs more.
    List<Object> preStop = list(at(container, "lifecycle", "preStop", "exec", "command"));
    assertEquals("sleep", preStop.get(0));
    long preStopMs = Long.parseLong(String.valueOf(preStop.get(1))) * 1000;
    long drainMs = defaultOf("drain.periodMs") + defaultOf("drain.graceMs");
    long graceMs = ((Number) pod.get("terminationGracePeriodSeconds")).longValue() * 1000;
    assertTrue(graceMs > preStopMs + drainMs, "terminationGracePeriodSeconds (" + graceMs + " ms) outlasts preStop ("
        + preStopMs + " ms) and the drain (" + drainMs + " ms)");

    // The ConfigMap's node.json is a configuration this build accepts, with the Deployment's overrides.
    Map<String, Object> configMap = objects.get("ConfigMap/syncwire-config");
    assertNotNull(configMap, "a ConfigMap syncwire-config in " + objects.keySet());
    JsonObject nodeJson = new JsonObject(String.valueOf(at(configMap, "data", "node.json")));
    Map<String, Object> env = new LinkedHashMap<>();
    for (Object e : list(container.get("env"))) {
      Map<String, Object> entry = map(e);
      env.put(String.valueOf(entry.get("name")), entry.containsKey("value") ? entry.get("value") : "from-" + entry.get("valueFrom"));
    }
    assertTrue(String.valueOf(env.get("NODE_ARGS")).startsWith("-cluster -cluster-host $(POD_IP)"), "pods run with -cluster");
    assertEquals("0.0.0.0", env.get("SYNCWIRE_ADMIN_HOST"));
    assertValidOverrides(nodeJson, env, "deployment.yaml");
    String mountPath = String.valueOf(at(container, "volumeMounts", 0, "mountPath"));
    assertEquals(mountPath + "/node.json", at(container, "args", 1));
    assertEquals(mountPath + "/cluster.xml", nodeJson.getJsonObject("cluster").getString("config"));

    // cluster.xml: Kubernetes discovery through the headless Service; otherwise the repository's settings.
    Config k8s = hazelcast(String.valueOf(at(configMap, "data", "cluster.xml")).getBytes(StandardCharsets.UTF_8));
    Config repository = hazelcast(Files.readAllBytes(Path.of("cluster.xml")));
    assertTrue(k8s.getNetworkConfig().getJoin().getKubernetesConfig().isEnabled(), "Kubernetes discovery");
    assertFalse(k8s.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled(), "no TCP-IP join");
    assertFalse(k8s.getNetworkConfig().getInterfaces().isEnabled(), "pods listen on their own address");
    assertEquals(repository.getProperties(), k8s.getProperties());
    assertEquals(repository.getMapConfigs(), k8s.getMapConfigs());
    assertEquals(repository.getMultiMapConfigs(), k8s.getMultiMapConfigs());
    String hazelcastService = k8s.getNetworkConfig().getJoin().getKubernetesConfig().getProperty("service-name");
    Map<String, Object> headless = objects.get("Service/" + hazelcastService);
    assertNotNull(headless, "cluster.xml's service " + hazelcastService + " in " + objects.keySet());
    assertEquals("None", at(headless, "spec", "clusterIP"));
    assertEquals(5701, at(headless, "spec", "ports", 0, "port"));
    Object podLabels = at(deployment, "spec", "template", "metadata", "labels");
    assertEquals(podLabels, at(headless, "spec", "selector"));

    Map<String, Object> ingress = objects.get("Ingress/syncwire");
    assertNotNull(ingress, "an Ingress syncwire in " + objects.keySet());
    Map<String, Object> annotations = map(at(ingress, "metadata", "annotations"));
    assertEquals("off", annotations.get("nginx.ingress.kubernetes.io/proxy-buffering"));
    for (String timeout : List.of("proxy-read-timeout", "proxy-send-timeout")) {
      long seconds = Long.parseLong(String.valueOf(annotations.get("nginx.ingress.kubernetes.io/" + timeout)));
      assertTrue(seconds * 1000 > SyncwireConfig.HEARTBEAT_INTERVAL_MS.defaultValue(), timeout + " outlasts a heartbeat");
    }
    String clientService = String.valueOf(at(ingress, "spec", "rules", 0, "http", "paths", 0, "backend", "service", "name"));
    Map<String, Object> service = objects.get("Service/" + clientService);
    assertNotNull(service, "the Ingress's service " + clientService + " in " + objects.keySet());
    assertEquals(podLabels, at(service, "spec", "selector"));
    assertEquals(8080, at(service, "spec", "ports", 0, "port"));

    assertEquals(pod.get("serviceAccountName"), at(objects.get("RoleBinding/syncwire-discovery"), "subjects", 0, "name"));
    String rules = String.valueOf(at(objects.get("Role/syncwire-discovery"), "rules"));
    assertContains(rules, "the discovery Role", "endpoints", "pods", "services", "get", "list");
  }

  /** Runs the overrides through the configuration as the node does: every SYNCWIRE_* variable names a key. */
  private static void assertValidOverrides(JsonObject json, Map<String, Object> env, String where) {
    Map<String, String> overrides = new LinkedHashMap<>();
    env.forEach((k, v) -> {
      if (k.startsWith("SYNCWIRE_")) {
        // A Compose default (${VAR:-default}) stands for its default.
        overrides.put(k, String.valueOf(v).replaceAll("\\$\\{[A-Z_]+:-([^}]*)}", "$1"));
      }
    });
    try {
      SyncwireConfig.applyOverrides(json, Map.of(), overrides);
    } catch (RuntimeException e) {
      fail(where + ": the node would refuse its configuration: " + e.getMessage());
    }
  }

  private static long defaultOf(String path) {
    return SyncwireConfig.KEYS.stream().filter(k -> k.path().equals(path)).map(ConfigKey::defaultValue)
        .map(v -> ((Number) v).longValue()).findFirst().orElse(0L);
  }

  private static String location(String nginx, String path) {
    Matcher m = Pattern.compile("location = " + Pattern.quote(path) + " \\{([^}]*)}").matcher(nginx);
    assertTrue(m.find(), "nginx.conf has a location = " + path);
    return m.group(1);
  }

  private static long millis(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertTrue(m.find(), "no " + regex);
    Matcher v = Pattern.compile("(\\d+)(ms|s|m|h)?").matcher(m.group(1));
    assertTrue(v.matches(), "a duration: " + m.group(1));
    long n = Long.parseLong(v.group(1));
    return switch (v.group(2) == null ? "ms" : v.group(2)) {
      case "s" -> n * 1000;
      case "m" -> n * 60_000;
      case "h" -> n * 3_600_000;
      default -> n;
    };
  }

  private static void assertNoStickiness(String text, String file, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    if (m.find()) {
      fail(file + " makes clients sticky: " + m.group().trim());
    }
  }

  private static void assertContains(String text, String where, String... parts) {
    for (String part : parts) {
      assertTrue(text.contains(part), where + " should contain: " + part);
    }
  }

  private static List<Object> yaml(String file) throws IOException {
    // Hazelcast ships a YAML 1.2 parser (it reads hazelcast.yaml); Compose's merge keys stay plain "<<" keys.
    List<Object> docs = new ArrayList<>();
    new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(DOCKER.resolve(file))).forEach(docs::add);
    return docs;
  }

  private static Config hazelcast(byte[] xml) {
    try (InputStream in = new ByteArrayInputStream(xml)) {
      return new XmlConfigBuilder(in).build();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** The value at a path of map keys and list indexes. */
  private static Object at(Object root, Object... path) {
    Object o = root;
    for (Object step : path) {
      o = step instanceof Integer i ? list(o).get(i) : map(o).get(step);
      assertNotNull(o, "nothing at " + List.of(path));
    }
    return o;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    assertTrue(o instanceof Map, "a mapping: " + o);
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    assertTrue(o instanceof List, "a list: " + o);
    return (List<Object>) o;
  }

  /** Which tools are not on PATH (with /usr/sbin, where Debian puts nginx and haproxy), and the ws package. */
  private static String missingTools() throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("bash", "-c", "export PATH=\"$PATH:/usr/sbin\"; for t in \"$@\"; do "
        + "command -v \"$t\" >/dev/null 2>&1 || printf '%s ' \"$t\"; done", "bash"));
    cmd.addAll(TOOLS);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    p.waitFor(10, TimeUnit.SECONDS);
    if (!Files.isDirectory(Path.of("src/test/js/node_modules/ws"))) {
      out = (out + " ws (npm ci in src/test/js)").trim();
    }
    return out;
  }

  /** SIGTERM first (the script's trap stops what it started), then whatever is left of it. */
  private static void stop(Process p) throws InterruptedException {
    List<ProcessHandle> descendants = p.descendants().toList();
    p.destroy();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }
}
