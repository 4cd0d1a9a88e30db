// Test support: the real Syncwire node (the packaged jar), a TCP proxy that can cut the network, and
// waiting for conditions instead of sleeping.
import { spawn } from "node:child_process";
import fs from "node:fs";
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
 * configuration: tenant `demo` (anonymous, may publish) and `acme` (HS256).
 */
export async function startNode(settings = {}) {
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
  const proc = spawn(process.env.JAVA || "java", args, { stdio: ["ignore", "pipe", "pipe"] });
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
    url: base,
    log: () => log,
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
      if (proc.exitCode !== null) return;
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
