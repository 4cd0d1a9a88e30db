// The browser client in real Chromium (Debian's `chromium`, driven by playwright-core), against the
// packaged node: one node, three behind HAProxy, a proxy that refuses WebSockets, the network cut with
// the DevTools protocol, the service worker's Background Sync. Pages are served on the origin under
// test (the node, HAProxy or a proxy) by Playwright's routing; the client module comes from the node
// itself (/client/syncwire.js), as an application would load it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { chromium } from "playwright-core";
import { WebSocketServer } from "ws";
import {
  REPO, startNode, startCluster, startHaproxy, startHttpProxy, startProxy, until, acmeToken,
} from "../support/harness.js";

// Pages served by Playwright's routing have no network address, and Chromium's Local Network Access
// checks then refuse their WebSockets to 127.0.0.1; a page loaded from a server is not affected.
const LAUNCH_ARGS = ["--no-sandbox", "--disable-features=LocalNetworkAccessChecks"];
const EXECUTABLE = process.env.CHROMIUM
  || ["/usr/bin/chromium", "/usr/bin/chromium-headless-shell"].find((f) => fs.existsSync(f));
const SCREENSHOTS = path.join(REPO, "target", "browser-screenshots");
// Loads the client and marks the page ready; the tests drive it with page.evaluate.
const BLANK = `<!doctype html><meta charset="utf-8"><title>test</title>
<script type="module">import * as S from "/client/syncwire.js"; window.S = S; window.ready = true;
// What the IndexedDB outbox holds for a scope, read with a store of its own (the tests' diagnostics).
window.outboxState = async (scope) => {
  const store = new S.IndexedDbOutboxStore();
  await store.open();
  try {
    const entries = scope ? (await store.list(scope)).map((e) => ({ key: e.key, owner: e.owner })) : [];
    const receipts = scope ? await store.takeReceipts(scope) : [];
    const locks = await navigator.locks.query();
    return { entries, receipts: receipts.map((r) => ({ key: r.key, status: r.status })),
      credentials: (await store.credentials()).length, locks: (locks.held || []).map((l) => l.name) };
  } finally {
    store.close();
  }
};
</script>`;

let browser;

before(async () => {
  assert.ok(EXECUTABLE, "no Chromium: apt-get install chromium (or set CHROMIUM to its binary)");
  browser = await chromium.launch({ executablePath: EXECUTABLE, headless: true, args: LAUNCH_ARGS });
});

after(async () => {
  await browser?.close();
});

/**
 * A fresh context (its own storage) with a page at `origin` that has loaded the client. With `shell`, the
 * client module is answered from the repository's files too, as an application's cached shell would be, so
 * that the page loads while the browser is offline.
 */
async function openPage(origin, { context, shell = false } = {}) {
  const ctx = context ?? (await browser.newContext());
  await ctx.route(origin + "/t/**", (route) => route.fulfill({ contentType: "text/html", body: BLANK }));
  if (shell) {
    await ctx.route(origin + "/client/*.js", (route) => route.fulfill({
      contentType: "text/javascript",
      body: fs.readFileSync(path.join(REPO, "src", "main", "js", path.basename(new URL(route.request().url()).pathname))),
    }));
  }
  const page = await ctx.newPage();
  page.on("pageerror", (e) => console.error("page error:", e));
  await page.goto(origin + "/t/page.html");
  await page.waitForFunction(() => window.ready === true);
  return { context: ctx, page };
}

/** Publishes `data` through `node`'s admin API with `key`, again with the same key until it is acknowledged. */
async function publishOnce(node, channel, key, data) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await node.publish("demo", channel, { key, data });
    } catch (e) {
      if (attempt >= 200) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test("WebSocket through HAProxy: kill -9 of the page's node mid-stream, the page moves to another and misses nothing", { timeout: 120000 }, async () => {
  const cluster = await startCluster(3);
  const lb = await startHaproxy(cluster.nodes);
  const { context, page } = await openPage(lb.url);
  try {
    const channel = "chaos-" + Date.now();
    await page.evaluate((channel) => {
      const c = new S.Syncwire(location.origin, {
        tenant: "demo", transports: ["websocket"], baseDelayMs: 100, jitterMs: 200, maxAttempts: 0,
        sharedConnection: false, offline: false,
      });
      Object.assign(window, { c, got: [], resets: 0, nodes: [] });
      c.on("connected", (e) => window.nodes.push(e.node));
      c.connect();
      return c.subscribe(channel, {
        onPublication: (p) => window.got.push(p.data.n),
        onReset: () => window.resets++,
      }).ready;
    }, channel);
    const first = await page.evaluate(() => window.nodes[0]);
    const victim = cluster.nodes.find((n) => n.id === first);
    assert.ok(victim, "the page's node " + first + " is one of the cluster's");
    const survivor = cluster.nodes.find((n) => n !== victim);
    const N = 300;
    for (let n = 1; n <= N; n++) {
      if (n === 100) victim.kill();
      await publishOnce(survivor, channel, "chaos-" + n, { n });
      await new Promise((r) => setTimeout(r, 5));
    }
    await until(() => page.evaluate((N) => window.got.length >= N, N), "all " + N + " publications in the page", 30000);
    const { got, resets, nodes } = await page.evaluate(() => ({ got: window.got, resets: window.resets, nodes: window.nodes }));
    assert.deepEqual(got, range(1, N), "every publication once, in order");
    assert.equal(resets, 0);
    assert.ok(nodes.length >= 2 && nodes.at(-1) !== first, "reconnected to another node: " + nodes.join(" → "));
  } finally {
    await context.close();
    await lb.stop();
    await cluster.stop();
  }
});

test("fallback: WebSocket refused by a proxy → SSE; SSE refused too → long-polling; both allowed again → back to WebSocket, one ordered stream", { timeout: 120000 }, async () => {
  const node = await startNode();
  const proxy = await startHttpProxy(node.port);
  proxy.refuseWebSocket = true;
  const { context, page } = await openPage(proxy.url);
  const channel = "fallback-" + Date.now();
  let n = 0;
  const publish = async (count) => {
    for (let i = 0; i < count; i++) {
      n++;
      await publishOnce(node, channel, "fb-" + n, { n });
    }
  };
  const transport = () => page.evaluate(() => window.c.state === "connected" && window.c.transport);
  try {
    await page.evaluate((channel) => {
      const c = new S.Syncwire(location.origin, {
        tenant: "demo", baseDelayMs: 100, jitterMs: 100, maxAttempts: 0, upgradeRetryMs: 3000,
        sharedConnection: false, offline: false,
      });
      Object.assign(window, { c, got: [], transports: [] });
      c.on("connected", (e) => window.transports.push(e.transport));
      c.connect();
      return c.subscribe(channel, { onPublication: (p) => window.got.push(p.data.n) }).ready;
    }, channel);
    assert.equal(await transport(), "sse", "WebSocket refused: SSE");
    assert.ok(proxy.refusedUpgrades > 0, "upgrades " + proxy.upgrades + ", refused " + proxy.refusedUpgrades + ", transports " + await page.evaluate(() => window.transports));
    await publish(20);
    await until(() => page.evaluate(() => window.got.length >= 20), "20 over SSE");

    proxy.refuseSse = true;
    proxy.cutHttp();
    await until(async () => (await transport()) === "longpoll", "long-polling", 20000);
    await publish(20);
    await until(() => page.evaluate(() => window.got.length >= 40), "40 over long-polling");

    proxy.refuseWebSocket = false;
    proxy.refuseSse = false;
    // Publications go on while the client moves back up.
    const moving = until(async () => (await transport()) === "websocket", "back on WebSocket", 30000);
    while ((await transport()) !== "websocket") {
      await publish(1);
      await new Promise((r) => setTimeout(r, 50));
    }
    await moving;
    await publish(10);
    await until(() => page.evaluate((n) => window.got.length >= n, n), "all " + n);
    const { got, transports } = await page.evaluate(() => ({ got: window.got, transports: window.transports }));
    assert.deepEqual(got, range(1, n), "one ordered stream across three transports, nothing twice");
    assert.deepEqual(transports.filter((t, i) => t !== transports[i - 1]), ["sse", "longpoll", "websocket"]);
  } finally {
    await context.close();
    await proxy.stop();
    await node.stop();
  }
});

test("offline: 100 publishes while the browser is offline, the page reloaded offline, back online: all applied once, in order; an expired one reported, not sent", { timeout: 120000 }, async () => {
  const node = await startNode();
  const gate = await startProxy(node.port);
  const channel = "offline-" + Date.now();
  // An observer in its own context, always online, straight to the node.
  const observer = await openPage(node.url);
  const { context, page } = await openPage(gate.url, { shell: true });
  const start = (scope) => page.evaluate(([channel, scope]) => {
    const c = new S.Syncwire(location.origin, {
      tenant: "demo", scope, baseDelayMs: 100, jitterMs: 100, maxDelayMs: 500, maxAttempts: 0, sharedConnection: false,
    });
    Object.assign(window, { c, fates: [], queued: 0 });
    c.on("outbox", (e) => window.fates.push({ key: e.key, status: e.status }));
    c.on("queued", (e) => { if (e.durable) window.queued++; });
    c.connect();
  }, [channel, scope]);
  try {
    await observer.page.evaluate((channel) => {
      const c = new S.Syncwire(location.origin, { tenant: "demo", sharedConnection: false, offline: false });
      window.seen = [];
      c.connect();
      return c.subscribe(channel, { onPublication: (p) => window.seen.push(p.data.n) }).ready;
    }, channel);
    const scope = "offline-" + Date.now();
    await start(scope);
    await until(() => page.evaluate(() => window.c.state === "connected"), "connected");
    assert.equal(await page.evaluate(() => window.c.durable), true, "IndexedDB outbox");

    await context.setOffline(true);
    gate.block();
    gate.cut();
    await until(() => page.evaluate(() => window.c.state !== "connected"), "the client noticed");
    await page.evaluate((channel) => {
      for (let n = 1; n <= 100; n++) window.c.publish(channel, { n }, { key: "off-" + n }).catch(() => {});
      window.c.publish(channel, { n: 0 }, { key: "off-expired", ttlMs: 2000 }).catch(() => {});
    }, channel);
    const expiresAt = Date.now() + 2000;
    // Reloading is safe once each entry's transaction has committed: `queued` says so.
    await until(() => page.evaluate(() => window.queued === 101), "101 stored in IndexedDB");

    await page.reload();
    await page.waitForFunction(() => window.ready === true);
    await start(scope);
    assert.equal(await page.evaluate(() => window.c.state === "connected"), false, "still offline");
    // The short-lived entry expires while the browser is still offline.
    await until(() => Date.now() > expiresAt + 500, "the short-lived entry's expiry", 10000);
    await context.setOffline(false);
    gate.unblock();

    await until(() => page.evaluate(() => window.fates.length >= 101), "101 receipts", 30000).catch(async (e) => {
      const seen = await page.evaluate(async () => ({ state: window.c.state, transport: window.c.transport,
        pending: await window.c.pending(), fates: window.fates.length, last: window.fates.slice(-3) }));
      throw new Error(e.message + ": " + JSON.stringify(seen));
    });
    await until(() => observer.page.evaluate(() => window.seen.length >= 100), "100 applied", 30000);
    const fates = await page.evaluate(() => window.fates);
    assert.deepEqual(fates.filter((f) => f.status === "expired").map((f) => f.key), ["off-expired"]);
    assert.equal(fates.filter((f) => f.status === "acked").length, 100, JSON.stringify(fates.slice(0, 5)));
    assert.deepEqual(await observer.page.evaluate(() => window.seen), range(1, 100), "each once, in order");
    assert.equal(await page.evaluate(() => window.c.pending()), 0);
  } finally {
    await context.close();
    await observer.context.close();
    await gate.stop();
    await node.stop();
  }
});

test("service worker: publishes queued, the page closed, `sync` fired: the server received them", { timeout: 120000 }, async () => {
  const node = await startNode();
  const { context, page } = await openPage(node.url);
  const channel = "sw-" + Date.now();
  try {
    const scope = await page.evaluate(async (channel) => {
      const sw = await import("/client/syncwire-sw.js");
      await navigator.serviceWorker.register("/client/syncwire-sw.js", { type: "module", scope: "/" });
      const registration = await navigator.serviceWorker.ready;
      const scope = "sw-" + Date.now();
      // A page without any transport: its publications can only wait in IndexedDB.
      const c = new S.Syncwire(location.origin, { tenant: "demo", scope, transports: [], maxAttempts: 0, sharedConnection: false });
      // Only this test fires `sync`: the page's own requests go to a registration that ignores them.
      sw.registerSync(c, { registration: { sync: { register: async () => {} } } });
      c.connect();
      window.queued = 0;
      c.on("queued", (e) => { if (e.durable) window.queued++; });
      for (let n = 1; n <= 3; n++) c.publish(channel, { n }, { key: scope + "-" + n }).catch(() => {});
      window.c = c;
      window.registration = registration;
      return scope;
    }, channel);
    // What the worker will read: the 3 entries on disk (`queued` says so) and the credentials.
    await until(() => page.evaluate(() => window.queued === 3), "3 queued in IndexedDB");
    await until(() => page.evaluate(() => outboxState().then((s) => s.credentials === 1)), "credentials saved");
    const cdp = await context.newCDPSession(page);
    const registrations = [];
    cdp.on("ServiceWorker.workerRegistrationUpdated", (e) => registrations.push(...e.registrations));
    await cdp.send("ServiceWorker.enable");
    await until(() => registrations.find((r) => r.scopeURL === node.url + "/"), "the worker's registration");
    const registrationId = registrations.find((r) => r.scopeURL === node.url + "/").registrationId;
    await page.evaluate(() => window.c.close());
    const other = await context.newPage(); // keeps the context (and the worker) alive with the page gone
    await page.close();
    await cdp.send("ServiceWorker.dispatchSyncEvent", {
      origin: node.url, registrationId, tag: "syncwire-outbox", lastChance: false,
    }).catch(async () => {
      // The page's session is gone with it: dispatch through the remaining page's.
      const cdp2 = await context.newCDPSession(other);
      await cdp2.send("ServiceWorker.enable");
      await cdp2.send("ServiceWorker.dispatchSyncEvent", { origin: node.url, registrationId, tag: "syncwire-outbox", lastChance: false });
    });
    await until(async () => (await node.channel("demo", channel))?.seq === 3, "3 publications on the server", 20000)
      .catch(async (e) => {
        // Which step stopped: the entries (and their owners), the worker's receipts, the locks held.
        await other.goto(node.url + "/t/state.html");
        await other.waitForFunction(() => window.ready === true);
        const state = await other.evaluate((scope) => outboxState(scope), scope).catch((err) => err.message);
        throw new Error(e.message + "; outbox: " + JSON.stringify(state) + "; node log:\n" + node.log().slice(-4000));
      });
    assert.ok(scope.startsWith("sw-"));
  } finally {
    await context.close();
    await node.stop();
  }
});

test("a client closed before its outbox store opened keeps what it was given: the next client sends each once", { timeout: 120000 }, async () => {
  const node = await startNode();
  const { context, page } = await openPage(node.url);
  const channel = "early-" + Date.now();
  try {
    const scope = await page.evaluate((channel) => {
      const scope = "early-" + Date.now();
      const c = new S.Syncwire(location.origin, { tenant: "demo", scope, transports: [], sharedConnection: false });
      c.connect();
      for (let n = 1; n <= 3; n++) c.publish(channel, { n }, { key: scope + "-" + n }).catch(() => {});
      c.close(); // in the same turn: the store opens only later
      return scope;
    }, channel);
    // Written once the store opened, then released by the closed client (a later transaction).
    const stored = await until(() => page.evaluate((scope) => outboxState(scope).then((s) =>
      (s.entries.length === 3 && s.entries.every((e) => e.owner === null) ? s.entries : null)), scope),
    "3 entries in IndexedDB, released by the closed client", 10000);
    assert.deepEqual(stored.map((e) => e.key), [1, 2, 3].map((n) => scope + "-" + n));
    await page.evaluate((scope) => {
      window.fates = [];
      const c = new S.Syncwire(location.origin, { tenant: "demo", scope, sharedConnection: false });
      c.on("outbox", (e) => window.fates.push(e.key + " " + e.status + " " + e.seq));
      c.connect();
    }, scope);
    await until(() => page.evaluate(() => window.fates.length === 3), "3 receipts");
    assert.deepEqual(await page.evaluate(() => window.fates), [1, 2, 3].map((n) => scope + "-" + n + " acked " + n));
    assert.equal((await node.channel("demo", channel)).seq, 3);
  } finally {
    await context.close();
    await node.stop();
  }
});

test("ordering: pushes reordered and one dropped on the way, the application still sees the exact sequence", { timeout: 120000 }, async () => {
  const node = await startNode();
  const { context, page } = await openPage(node.url);
  const channel = "order-" + Date.now();
  try {
    await page.evaluate((channel) => {
      const held = [];
      let dropped = false;
      window.subscribes = 0;
      const c = new S.Syncwire(location.origin, {
        tenant: "demo", gapTimeoutMs: 300, sharedConnection: false, offline: false,
        // Swaps each pair of pushes of the channel and drops seq 7 once: a gap that never closes.
        _transportFilter: (frame, deliver) => {
          if (frame.type === "subscribed") window.subscribes++;
          if (frame.type !== "pub" || frame.channel !== channel) return deliver();
          if (frame.seq === 7 && !dropped) {
            dropped = true;
            return;
          }
          held.push(frame);
          if (held.length === 2) {
            deliver(held[1]);
            deliver(held[0]);
            held.length = 0;
          }
        },
      });
      Object.assign(window, { c, got: [] });
      c.connect();
      return c.subscribe(channel, { onPublication: (p) => window.got.push(p.seq) }).ready;
    }, channel);
    for (let n = 1; n <= 20; n++) await publishOnce(node, channel, "o-" + n, { n });
    await until(() => page.evaluate(() => window.got.length >= 20), "20 applied", 15000);
    assert.deepEqual(await page.evaluate(() => window.got), range(1, 20));
    assert.ok(await page.evaluate(() => window.subscribes) >= 2, "the gap was closed by a resubscribe with since");
  } finally {
    await context.close();
    await node.stop();
  }
});

test("backoff: against a refusing server the delays grow with jitter and stop after maxAttempts", { timeout: 120000 }, async () => {
  const dead = http.createServer();
  await new Promise((r) => dead.listen(0, "127.0.0.1", r));
  const deadUrl = "http://127.0.0.1:" + dead.address().port;
  await new Promise((r) => dead.close(r)); // nothing listens there now: every connection is refused
  const node = await startNode();
  const { context, page } = await openPage(node.url);
  try {
    const runs = await page.evaluate(async (deadUrl) => {
      const one = () => new Promise((resolve) => {
        const c = new S.Syncwire(deadUrl, {
          tenant: "demo", baseDelayMs: 100, jitterMs: 100, maxDelayMs: 5000, maxAttempts: 5,
          sharedConnection: false, offline: false,
        });
        const delays = [];
        c.on("reconnecting", (e) => delays.push(e.delayMs));
        c.on("state", (e) => {
          if (e.state === "disconnected") resolve({ delays, reason: e.reason });
        });
        c.connect();
      });
      return Promise.all([one(), one(), one(), one(), one()]);
    }, deadUrl);
    for (const run of runs) {
      assert.equal(run.reason, "gave_up");
      assert.equal(run.delays.length, 4, "4 waits between 5 attempts: " + run.delays);
      run.delays.forEach((d, k) => assert.ok(d >= 100 * 2 ** k && d <= 100 * 2 ** k + 100, `wait ${k}: ${d} ms`));
    }
    const jitters = runs.map((r) => r.delays[0] - 100);
    assert.ok(new Set(jitters).size >= 3, "the jitter spreads the clients: " + jitters);
  } finally {
    await context.close();
    await node.stop();
  }
});

test("a `reconnect` push and close 1012: the client waits the delay it was given, then connects again", { timeout: 120000 }, async () => {
  // A stand-in for a draining node: it greets, asks the client to come back in 1,500 ms and closes 1012.
  const connections = [];
  const server = http.createServer((req, res) => {
    const cors = { "Access-Control-Allow-Origin": "*", "Content-Type": "application/json" };
    if (req.url.startsWith("/info")) {
      res.writeHead(200, cors).end(JSON.stringify({ version: 1, transports: ["websocket"], heartbeatMs: 30000, node: "fake", members: ["fake"] }));
    } else {
      res.writeHead(404, cors).end("{}");
    }
  });
  const wss = new WebSocketServer({ server, path: "/ws" });
  wss.on("connection", (ws) => {
    connections.push(Date.now());
    ws.on("message", (raw) => {
      const cmd = JSON.parse(String(raw));
      if (cmd.type === "connect") {
        ws.send(JSON.stringify({ id: cmd.id, type: "connected", session: "s" + connections.length, key: "k", user: "anon", tenant: "demo", node: "fake", heartbeatMs: 30000 }));
        if (connections.length === 1) {
          ws.send(JSON.stringify({ type: "reconnect", delayMs: 1500, reason: "shutdown" }));
          ws.close(1012, "restarting");
        }
      }
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const url = "http://127.0.0.1:" + server.address().port;
  const node = await startNode();
  const { context, page } = await openPage(node.url);
  try {
    await page.evaluate((url) => {
      const c = new S.Syncwire(url, { tenant: "demo", baseDelayMs: 50, jitterMs: 0, sharedConnection: false, offline: false });
      window.connected = [];
      c.on("connected", () => window.connected.push(Date.now()));
      c.connect();
    }, url);
    await until(() => connections.length >= 2, "a second connection", 15000);
    const gap = connections[1] - connections[0];
    assert.ok(gap >= 1450, "waited the pushed 1,500 ms, not the 50 ms backoff: " + gap + " ms");
    await until(() => page.evaluate(() => window.connected.length >= 2), "connected again");
  } finally {
    await context.close();
    wss.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await node.stop();
  }
});

test("token refresh: tokens of 20 s renewed through getToken keep one session alive past 60 s", { timeout: 120000 }, async () => {
  const node = await startNode();
  const { context, page } = await openPage(node.url);
  await page.exposeFunction("mintToken", () => acmeToken({ sub: "alice", exp: Math.floor(Date.now() / 1000) + 20 }));
  try {
    await page.evaluate(() => {
      const c = new S.Syncwire(location.origin, {
        getToken: () => window.mintToken(), refreshBeforeMs: 8000, sharedConnection: false, offline: false,
      });
      Object.assign(window, { c, sessions: [], tokens: 0, drops: 0 });
      c.on("connected", (e) => window.sessions.push(e.session));
      c.on("token", () => window.tokens++);
      c.on("reconnecting", () => window.drops++);
      c.connect();
    });
    await until(() => page.evaluate(() => window.sessions.length === 1), "connected");
    const started = Date.now();
    await until(() => Date.now() - started > 62000, "62 s", 70000);
    const r = await page.evaluate(() => ({ state: window.c.state, sessions: window.sessions, tokens: window.tokens, drops: window.drops }));
    assert.equal(r.state, "connected");
    assert.equal(r.sessions.length, 1, "one session all along: " + r.sessions);
    assert.equal(r.drops, 0);
    assert.ok(r.tokens >= 4, "the token was renewed " + r.tokens + " times");
  } finally {
    await context.close();
    await node.stop();
  }
});

test("the demo page: two tabs edit one table through state patches (screenshots in target/browser-screenshots)", { timeout: 120000 }, async () => {
  const node = await startNode({ "demo.enabled": true });
  const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
  try {
    const a = await context.newPage();
    const b = await context.newPage();
    for (const p of [a, b]) {
      await p.goto(node.url + "/demo");
      await p.waitForFunction(() => document.getElementById("state").textContent === "connected");
    }
    assert.equal(await a.textContent("#transport"), "websocket");
    await a.fill('input[data-row="r1"][data-field="name"]', "Ada");
    await a.press('input[data-row="r1"][data-field="name"]', "Tab");
    await b.waitForFunction(() => document.querySelector('input[data-row="r1"][data-field="name"]').value === "Ada");
    await b.fill('input[data-row="r2"][data-field="qty"]', "42");
    await b.press('input[data-row="r2"][data-field="qty"]', "Tab");
    await a.waitForFunction(() => document.querySelector('input[data-row="r2"][data-field="qty"]').value === "42");
    await a.fill("#text", "hello from tab A");
    await a.press("#text", "Enter");
    await b.waitForFunction(() => document.getElementById("feed").textContent.includes("hello from tab A"));
    assert.equal(await a.textContent("#queue"), "0");
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await a.screenshot({ path: path.join(SCREENSHOTS, "demo-tab-a.png") });
    await b.screenshot({ path: path.join(SCREENSHOTS, "demo-tab-b.png") });
    assert.ok(fs.statSync(path.join(SCREENSHOTS, "demo-tab-b.png")).size > 10000);
  } finally {
    await context.close();
    await node.stop();
  }
});
