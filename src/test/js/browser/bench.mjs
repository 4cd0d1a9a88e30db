// The browser client's own costs in real Chromium, against the packaged node (scripts/bench.sh --workloads
// browser runs it):
//  - main-thread CPU per applied publication (DevTools' TaskDuration) while one subscriber applies 1,000
//    and 10,000 publications/s of 100 B, published over WebSocket by this process;
//  - the time from back online to an empty outbox for 1,000 publications queued offline.
// Prints a Markdown table. Without "run" as its argument it does nothing, so that test runners that
// collect every file under test/ skip it.
import fs from "node:fs";
import { chromium } from "playwright-core";
import WebSocket from "ws";
import { startNode, startProxy, until } from "../support/harness.js";

if (process.argv[2] !== "run") {
  console.log("usage: node bench.mjs run [--quick]");
  process.exit(0);
}
const quick = process.argv.includes("--quick");
const SECONDS = quick ? 3 : 10;
// Pages served by Playwright's routing have no network address, and Chromium's Local Network Access
// checks then refuse their WebSockets to 127.0.0.1; a page loaded from a server is not affected.
const LAUNCH_ARGS = ["--no-sandbox", "--disable-features=LocalNetworkAccessChecks"];
const EXECUTABLE = process.env.CHROMIUM
  || ["/usr/bin/chromium", "/usr/bin/chromium-headless-shell"].find((f) => fs.existsSync(f));
const BLANK = `<!doctype html><meta charset="utf-8">
<script type="module">import * as S from "/client/syncwire.js"; window.S = S; window.ready = true;</script>`;
const PAYLOAD = "x".repeat(60);

const node = await startNode({ "limits.commandRate": 0, "limits.outboundBufferBytes": 16777216 });
const gate = await startProxy(node.port);
const browser = await chromium.launch({ executablePath: EXECUTABLE, headless: true, args: LAUNCH_ARGS });
const rows = [];
try {
  for (const rate of [1000, 10000]) rows.push(await applyRate(rate));
  rows.push(await drainOutbox(1000));
} finally {
  await browser.close();
  await gate.stop();
  await node.stop();
}
console.log("| measurement | figure |\n|---|---:|");
for (const [what, figure] of rows) console.log(`| ${what} | ${figure} |`);
console.log(`\n- Chromium ${browser.version()} (${EXECUTABLE}), headless; one node on loopback; ${SECONDS} s windows.`);

async function openPage(origin) {
  const context = await browser.newContext();
  await context.route(origin + "/t/**", (route) => route.fulfill({ contentType: "text/html", body: BLANK }));
  const page = await context.newPage();
  await page.goto(origin + "/t/page.html");
  await page.waitForFunction(() => window.ready === true);
  return { context, page };
}

/** A WebSocket publisher in this process: connect, then `rate` publishes/s in 10 ms ticks. */
async function publisher(channel) {
  const ws = new WebSocket(node.url.replace("http", "ws") + "/ws");
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  let id = 1;
  const acked = { n: 0 };
  ws.on("message", (m) => {
    if (String(m).startsWith('{"id"') && String(m).includes('"type":"ack"')) acked.n++;
  });
  const connected = new Promise((resolve) => ws.on("message", (m) => {
    if (String(m).includes('"type":"connected"')) resolve();
  }));
  ws.send(JSON.stringify({ id: id++, type: "connect", tenant: "demo" }));
  await connected; // a publish before `connected` would close the session (docs/protocol.md §5.1)
  return {
    acked,
    async run(rate, seconds) {
      // Owed from the clock, not from the tick count: timers fire late, the rate must not drop.
      let sent = 0;
      const start = Date.now();
      const end = start + seconds * 1000;
      while (Date.now() < end) {
        const owed = Math.floor(((Date.now() - start) / 1000) * rate) - sent;
        for (let i = 0; i < owed; i++) {
          ws.send(`{"id":${id++},"type":"publish","channel":"${channel}","data":{"n":${++sent},"p":"${PAYLOAD}"}}`);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      return sent;
    },
    close: () => ws.close(),
  };
}

async function applyRate(rate) {
  const { context, page } = await openPage(node.url);
  const channel = "bench-" + rate;
  await page.evaluate((channel) => {
    const c = new S.Syncwire(location.origin, { tenant: "demo", sharedConnection: false, offline: false });
    window.applied = 0;
    c.connect();
    return c.subscribe(channel, { onPublication: () => window.applied++ }).ready;
  }, channel);
  const cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable");
  const pub = await publisher(channel);
  const warm = await pub.run(rate, 1); // warm-up
  await until(async () => (await page.evaluate(() => window.applied)) >= warm, "warm-up applied", 20000);
  const before = await metrics(cdp);
  const applied0 = await page.evaluate(() => window.applied);
  const sent = await pub.run(rate, SECONDS);
  await until(async () => (await page.evaluate(() => window.applied)) - applied0 >= sent, "all applied", 60000);
  const after = await metrics(cdp);
  const applied = (await page.evaluate(() => window.applied)) - applied0;
  pub.close();
  await context.close();
  const taskSeconds = after.TaskDuration - before.TaskDuration;
  const scriptSeconds = after.ScriptDuration - before.ScriptDuration;
  return [`${rate.toLocaleString("en")} publications/s: main-thread CPU per applied publication (µs; script only)`,
    `${(taskSeconds * 1e6 / applied).toFixed(1)} (${(scriptSeconds * 1e6 / applied).toFixed(1)}), ` +
      `${(100 * taskSeconds / SECONDS).toFixed(0)} % of a core`];
}

async function metrics(cdp) {
  const { metrics } = await cdp.send("Performance.getMetrics");
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}

async function drainOutbox(count) {
  const { context, page } = await openPage(gate.url);
  await page.evaluate(() => {
    const c = new S.Syncwire(location.origin, {
      tenant: "demo", scope: "bench-" + Date.now(), baseDelayMs: 100, jitterMs: 0, maxDelayMs: 200, maxAttempts: 0,
      sharedConnection: false,
    });
    window.c = c;
    c.connect();
  });
  await until(() => page.evaluate(() => window.c.state === "connected"), "connected");
  await context.setOffline(true);
  gate.block();
  gate.cut();
  await until(() => page.evaluate(() => window.c.state !== "connected"), "offline");
  await page.evaluate((count) => {
    for (let n = 1; n <= count; n++) window.c.publish("bench-outbox", { n }).catch(() => {});
  }, count);
  await until(async () => (await page.evaluate(() => window.c.pending())) === count, count + " queued", 60000);
  const start = Date.now();
  await context.setOffline(false);
  gate.unblock();
  await until(async () => (await page.evaluate(() => window.c.pending())) === 0, "outbox drained", 120000);
  const ms = Date.now() - start;
  await context.close();
  return [`back online to an empty outbox, ${count.toLocaleString("en")} publications queued offline (ms)`, String(ms)];
}
