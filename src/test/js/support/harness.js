// Test support: the real Syncwire node (the packaged jar), a TCP proxy that can cut the network, and
// waiting for conditions instead of sleeping.
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, "../../../..");
export const JAR = process.env.SYNCWIRE_JAR || path.join(REPO, "target", "syncwire.jar");
export const ADMIN_KEY = "test-admin-key";
export const ACME_SECRET = "acme-test-secret-0123456789abcdef";

/**
 * Waits until `cond()` returns something truthy (awaited), checking every 10 ms; fails after
 * `timeoutMs` with `what` in the message.
 */
export async function until(cond, what = "condition", timeoutMs = 15000) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await cond();
    } catch (e) {
      last = undefined;
      if (Date.now() > end) throw e;
    }
    if (last) return last;
    if (Date.now() > end) throw new Error("timed out waiting for " + what);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves with the first `event` of `emitter` whose payload passes `pred`. */
export function nextEvent(emitter, event, pred = () => true, timeoutMs = 15000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error("timed out waiting for event " + event));
    }, timeoutMs);
    const off = emitter.on(event, (e, ...rest) => {
      if (pred(e, ...rest)) {
        clearTimeout(timer);
        off();
        resolve(e);
      }
    });
  });
}

/** An HS256 JWT for tenant acme of the test configuration. */
export function acmeToken(claims) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const head = b64({ alg: "HS256", typ: "JWT" });
  const body = b64({ tenant: "acme", ...claims });
  const sig = crypto.createHmac("sha256", ACME_SECRET).update(head + "." + body).digest("base64url");
  return head + "." + body + "." + sig;
}

/**
 * Starts the packaged node on free ports (port 0; the node prints the ports it took) with a test
 * configuration: tenant `demo` (anonymous, may publish) and `acme` (HS256). With `cluster`, it joins the
 * cluster its settings name (`cluster.name`, `cluster.port`, `cluster.members`).
 */
export async function startNode(settings = {}, { cluster = false } = {}) {
  if (!fs.existsSync(JAR)) {
    throw new Error(JAR + " is missing: build it with `mvn -B -q -o package -DskipTests` in " + REPO);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "syncwire-js-"));
  const conf = path.join(dir, "node.json");
  fs.writeFileSync(conf, JSON.stringify({
    http: { host: "127.0.0.1", port: 0 },
    admin: { host: "127.0.0.1", port: 0, key: ADMIN_KEY },
    tenants: [
      { id: "demo", anonymous: true, clientPublish: true },
      { id: "acme", anonymous: false, clientPublish: true, keys: [{ alg: "HS256", secret: ACME_SECRET }] },
    ],
  }));
  const args = ["-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dsyncwire.node.eventLoops=1"];
  for (const [k, v] of Object.entries(settings)) args.push(`-Dsyncwire.${k}=${v}`);
  args.push("-jar", JAR, "-conf", conf);
  if (cluster) args.push("-cluster");
  // BENCH_NODE_CPUS pins the node (the benchmark); not SYNCWIRE_*, which the node reads as configuration.
  const java = process.env.JAVA || "java";
  const cpus = process.env.BENCH_NODE_CPUS;
  const proc = cpus
    ? spawn("taskset", ["-c", cpus, java, ...args], { stdio: ["ignore", "pipe", "pipe"] })
    : spawn(java, args, { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const ports = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("node did not start within 90 s:\n" + log)), 90000);
    const onData = (d) => {
      log += d.toString();
      const m = /serving clients on [^:]+:(\d+), admin on [^:]+:(\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), adminPort: Number(m[2]) });
      }
    };
    proc.stdout.on("data", onData);
    proc.stderr.on("data", onData);
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error("node exited with " + code + ":\n" + log));
    });
  });
  const base = "http://127.0.0.1:" + ports.port;
  await until(async () => (await fetch(base + "/ready")).status === 200, "node ready", 60000);
  const admin = "http://127.0.0.1:" + ports.adminPort;
  return {
    ...ports,
    id: settings["node.id"] ?? null,
    url: base,
    log: () => log,
    /** kill -9: no drain, no goodbye to the cluster. */
    kill() {
      proc.kill("SIGKILL");
    },
    get alive() {
      return proc.exitCode === null && proc.signalCode === null;
    },
    async info() {
      return (await fetch(base + "/info")).json();
    },
    async nodes() {
      const r = await fetch(admin + "/api/v1/nodes", { headers: { Authorization: "Bearer " + ADMIN_KEY } });
      return r.json();
    },
    /** POST /api/v1/publish on the admin port (§12.2). */
    async publish(tenant, channel, body) {
      const r = await fetch(admin + "/api/v1/publish", {
        method: "POST",
        headers: { Authorization: "Bearer " + ADMIN_KEY, "Content-Type": "application/json" },
        body: JSON.stringify({ tenant, channel, ...body }),
      });
      const json = await r.json();
      if (r.status !== 200) throw new Error("admin publish " + r.status + " " + JSON.stringify(json));
      return json;
    },
    async channel(tenant, channel) {
      const r = await fetch(admin + "/api/v1/channels/" + tenant + "/" + encodeURIComponent(channel), {
        headers: { Authorization: "Bearer " + ADMIN_KEY },
      });
      return r.status === 200 ? r.json() : null;
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        fs.rmSync(dir, { recursive: true, force: true });
        return;
      }
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 10000);
      await exited;
      clearTimeout(timer);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A TCP proxy in front of the node: `cut()` kills every connection through it (the network drops,
 * no close frames), `block()` refuses new ones until `unblock()`.
 */
export async function startProxy(targetPort) {
  const sockets = new Set();
  const pairs = new Set();
  let blocked = false;
  let accepted = 0;
  const server = net.createServer((client) => {
    if (blocked) {
      client.destroy();
      return;
    }
    accepted++;
    const upstream = net.connect(targetPort, "127.0.0.1");
    sockets.add(client);
    sockets.add(upstream);
    const pair = { client, upstream };
    pairs.add(pair);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
      pairs.delete(pair);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const port = server.address().port;
  return {
    port,
    url: "http://127.0.0.1:" + port,
    get accepted() {
      return accepted;
    },
    cut() {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    /** The connections stay open but carry nothing more, either way (a dead NAT mapping, a sleeping laptop). */
    stall() {
      for (const { client, upstream } of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    block() {
      blocked = true;
    },
    unblock() {
      blocked = false;
    },
    async stop() {
      this.cut();
      await new Promise((r) => server.close(r));
    },
  };
}

/** `n` consecutive free TCP ports on 127.0.0.1 (Hazelcast members take a block). */
export async function freePortBlock(n) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = 20000 + Math.floor(Math.random() * 30000);
    const servers = [];
    try {
      for (let i = 0; i < n; i++) {
        const s = net.createServer();
        await new Promise((resolve, reject) => s.once("error", reject).listen(first + i, "127.0.0.1", resolve));
        servers.push(s);
      }
      return first;
    } catch {
      // taken: try another block
    } finally {
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    }
  }
  throw new Error("no block of " + n + " free ports");
}

/**
 * `n` clustered nodes of a cluster of their own (random name, a free block of Hazelcast ports, one backup),
 * resolved once every member sees the others and reports its backups in sync.
 */
export async function startCluster(n, settings = {}) {
  const name = "js-" + crypto.randomBytes(6).toString("hex");
  const base = await freePortBlock(n);
  const members = Array.from({ length: n }, (_, i) => "127.0.0.1:" + (base + i)).join(",");
  const nodes = await Promise.all(Array.from({ length: n }, (_, i) => startNode({
    "node.id": "node" + i, "cluster.name": name, "cluster.port": base + i, "cluster.members": members,
    "cluster.backups": 1, ...settings,
  }, { cluster: true })));
  const group = {
    nodes,
    live: () => nodes.filter((x) => x.alive),
    async awaitBackedUp() {
      await until(async () => {
        const live = group.live();
        for (const x of live) if ((await x.info()).members.length !== live.length) return false;
        const statuses = await live[0].nodes();
        return statuses.length === live.length && statuses.every((s) => s.backedUp);
      }, "every member backed up", 60000);
    },
    async stop() {
      await Promise.all(nodes.map((x) => x.stop()));
    },
  };
  await group.awaitBackedUp();
  return group;
}

/**
 * HAProxy in plain round-robin in front of `nodes`, as a production balancer: no stickiness, WebSockets
 * tunnelled, a node out after one failed `GET /ready` check (every 500 ms).
 */
export async function startHaproxy(nodes) {
  const bin = ["/usr/sbin/haproxy", "/usr/bin/haproxy"].find((f) => fs.existsSync(f));
  if (!bin) throw new Error("HAProxy is not installed (apt-get install haproxy)");
  const port = await freePortBlock(1);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "syncwire-haproxy-"));
  const cfg = path.join(dir, "haproxy.cfg");
  fs.writeFileSync(cfg, [
    "global", "  maxconn 2000",
    "defaults", "  mode http", "  timeout connect 5s", "  timeout client 120s", "  timeout server 120s",
    "  timeout tunnel 1h", "  option http-server-close", "  option redispatch", "  retries 3", "  option http-no-delay",
    "frontend clients", "  bind 127.0.0.1:" + port, "  default_backend nodes",
    "backend nodes", "  balance roundrobin", "  option httpchk GET /ready",
    ...nodes.map((x, i) => `  server n${i} 127.0.0.1:${x.port} check inter 500 fall 1 rise 1`),
    "",
  ].join("\n"));
  const proc = spawn(bin, ["-db", "-f", cfg], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  proc.stdout.on("data", (d) => (log += d));
  proc.stderr.on("data", (d) => (log += d));
  const url = "http://127.0.0.1:" + port;
  await until(async () => {
    if (proc.exitCode !== null) throw new Error("HAProxy exited: " + log);
    return (await fetch(url + "/ready")).status === 200;
  }, "HAProxy ready", 15000);
  return {
    port,
    url,
    log: () => log,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once("exit", r));
        proc.kill("SIGTERM");
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * An HTTP proxy in front of the node that can refuse WebSocket upgrades (`refuseWebSocket = true`), as a
 * corporate proxy does, and fail SSE streams (`refuseSse = true`); everything else passes unchanged.
 */
export async function startHttpProxy(targetPort) {
  const state = { refuseWebSocket: false, refuseSse: false, upgrades: 0, refusedUpgrades: 0 };
  const responses = new Set();
  const server = http.createServer((req, res) => {
    responses.add(res);
    res.on("close", () => responses.delete(res));
    if (state.refuseSse && req.url.startsWith("/sse")) {
      res.writeHead(502, { "Content-Type": "text/plain", "Access-Control-Allow-Origin": "*" });
      res.end("SSE blocked by the proxy");
      return;
    }
    const upstream = http.request({ host: "127.0.0.1", port: targetPort, method: req.method, path: req.url,
      headers: req.headers }, (up) => {
      res.writeHead(up.statusCode, up.headers);
      up.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  });
  const sockets = new Set();
  server.on("upgrade", (req, socket, head) => {
    state.upgrades++;
    if (state.refuseWebSocket) {
      state.refusedUpgrades++;
      socket.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    const upstream = net.connect(targetPort, "127.0.0.1", () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(req.rawHeaders[i] + ": " + req.rawHeaders[i + 1]);
      upstream.write(lines.join("\r\n") + "\r\n\r\n");
      if (head?.length) upstream.write(head);
      socket.pipe(upstream);
      upstream.pipe(socket);
    });
    sockets.add(socket);
    const drop = () => {
      socket.destroy();
      upstream.destroy();
      sockets.delete(socket);
    };
    socket.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const port = server.address().port;
  return Object.assign(state, {
    port,
    url: "http://127.0.0.1:" + port,
    /** Cuts the HTTP requests in flight now (an SSE stream, a waiting poll). */
    cutHttp() {
      for (const r of responses) r.destroy();
    },
    /** Closes the WebSockets that pass through it now (the network drops them). */
    cutWebSockets() {
      for (const s of sockets) s.destroy();
    },
    async stop() {
      this.cutWebSockets();
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
    },
  });
}
