// The admin port's dashboard in real Chromium (Debian's `chromium`, driven by playwright-core), against the
// packaged node: refused without the admin key, and with it (HTTP Basic, the key as password) a live page
// whose numbers follow WebSocket clients and their publishes (screenshot in target/browser-screenshots).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import WebSocket from "ws";
import { REPO, ADMIN_KEY, startNode } from "../support/harness.js";

const LAUNCH_ARGS = ["--no-sandbox", "--disable-features=LocalNetworkAccessChecks"];
const EXECUTABLE = process.env.CHROMIUM
  || ["/usr/bin/chromium", "/usr/bin/chromium-headless-shell"].find((f) => fs.existsSync(f));
const SCREENSHOTS = path.join(REPO, "target", "browser-screenshots");

let browser;
let node;
let admin;

before(async () => {
  assert.ok(EXECUTABLE, "no Chromium: apt-get install chromium (or set CHROMIUM to its binary)");
  browser = await chromium.launch({ executablePath: EXECUTABLE, headless: true, args: LAUNCH_ARGS });
  node = await startNode();
  admin = "http://127.0.0.1:" + node.adminPort;
});

after(async () => {
  await browser?.close();
  await node?.stop();
});

/** A WebSocket client of tenant demo subscribed to `channel`, resolved once the subscribe is answered. */
async function demoClient(channel) {
  const ws = new WebSocket(node.url.replace("http", "ws") + "/ws", "syncwire.v1.json");
  const subscribed = new Promise((resolve, reject) => {
    ws.on("message", (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === "subscribed") resolve();
      if (frame.type === "error") reject(new Error(JSON.stringify(frame)));
    });
    ws.on("error", reject);
  });
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  ws.send(JSON.stringify({ id: 1, type: "connect", tenant: "demo" }));
  ws.send(JSON.stringify({ id: 2, type: "subscribe", channel }));
  await subscribed;
  return ws;
}

test("the dashboard without the admin key: 401 with a Basic challenge, for the page and its stream", { timeout: 60000 }, async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const answered = new Promise((resolve) => page.on("response", (r) => r.url() === admin + "/" && resolve(r)));
    // Headless Chromium has no login prompt: the challenged navigation fails once the 401 has arrived.
    await assert.rejects(page.goto(admin + "/"), /ERR_INVALID_AUTH_CREDENTIALS/);
    const response = await answered;
    assert.equal(response.status(), 401);
    assert.equal((await response.allHeaders())["www-authenticate"], 'Basic realm="syncwire admin"');
    const wrong = await browser.newContext({ httpCredentials: { username: "admin", password: "wrong-key" } });
    try {
      assert.equal((await (await wrong.newPage()).goto(admin + "/")).status(), 401);
    } finally {
      await wrong.close();
    }
    assert.equal((await fetch(admin + "/dashboard/events")).status, 401);
  } finally {
    await context.close();
  }
});

test("the dashboard with the admin key: node row, WebSocket connections and rates move live (screenshot)", { timeout: 60000 }, async () => {
  const context = await browser.newContext({
    viewport: { width: 1100, height: 760 },
    httpCredentials: { username: "admin", password: ADMIN_KEY },
  });
  const channel = "dashboard-" + Date.now();
  const clients = [];
  let publishing;
  try {
    const page = await context.newPage();
    page.on("pageerror", (e) => console.error("page error:", e));
    const response = await page.goto(admin + "/");
    assert.equal(response.status(), 200);
    clients.push(await demoClient(channel), await demoClient(channel));
    let n = 0;
    publishing = setInterval(() => {
      n++;
      clients[n % 2].send(JSON.stringify({ id: 100 + n, type: "publish", channel, data: { n } }));
    }, 50);

    await page.waitForFunction(() => Number(document.getElementById("conn-websocket").textContent) >= 2,
      null, { timeout: 20000 });
    await page.waitForFunction(() => document.querySelectorAll("#nodes tr[data-node]").length >= 1);
    await page.waitForFunction(() => Number(document.getElementById("publish-rate").textContent) > 0);
    await page.waitForFunction((channel) => [...document.querySelectorAll("#channels tr")]
      .some((tr) => tr.textContent.includes(channel)), channel);
    assert.equal(await page.textContent("#stream"), "live");
    assert.equal(await page.getAttribute("#nodes tr[data-node]", "data-node"), (await node.info()).node);
    assert.match(await page.textContent("#nodes tr[data-node]"), /ready/);

    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    const file = path.join(SCREENSHOTS, "dashboard.png");
    await page.screenshot({ path: file, fullPage: true });
    assert.ok(fs.statSync(file).size > 10000);
  } finally {
    clearInterval(publishing);
    for (const ws of clients) ws.close();
    await context.close();
  }
});
