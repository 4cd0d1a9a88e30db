// The Node.js half of scripts/deploy-check.sh: free ports, waits on the nodes, real client traffic
// through a proxy, and Prometheus queries. Every wait is bounded; a failure prints one line naming what
// did not happen and exits 1.
//   node deploy-check.mjs ports <n>
//   node deploy-check.mjs ready <url> <timeoutSeconds> [<pid>...]
//   node deploy-check.mjs members <url> <count> <timeoutSeconds>
//   node deploy-check.mjs traffic <proxy name> <proxy url> <admin url> <admin key>
//   node deploy-check.mjs prometheus <prometheus url> <timeoutSeconds> <metric>...
import net from "node:net";
import crypto from "node:crypto";
import WebSocket from "ws";

const [command, ...args] = process.argv.slice(2);
let label = "";

function fail(message) {
  console.error(`deploy-check: ${label}${message}`);
  process.exit(1);
}

function log(message) {
  console.log(`  ${label}${message}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves with `promise`, or rejects naming `what` after `ms`. */
function within(ms, what, promise) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no ${what} within ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** GET or POST with a bounded wait; the parsed JSON body, or an error naming the status. */
async function request(url, { method = "GET", body, headers = {}, timeoutMs = 10000 } = {}) {
  let res;
  let text;
  try {
    res = await fetch(url, {
      method,
      headers: { "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await res.text();
  } catch (e) {
    throw new Error(`${method} ${url}: ${e.message}`);
  }
  if (res.status !== 200) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

function alive(pid) {
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch {
    return false;
  }
}

// Below Linux's ephemeral range (32768 and up), where an outgoing connection may take a port any time.
async function freePorts(n) {
  const taken = new Set();
  const canBind = (port) => new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolve(true)));
  });
  for (let attempts = 0; taken.size < n; attempts++) {
    if (attempts > 1000) fail(`no ${n} free ports between 10000 and 32000`);
    const port = 10000 + crypto.randomInt(22000);
    if (!taken.has(port) && (await canBind(port))) taken.add(port);
  }
  return [...taken];
}

async function ready(url, seconds, pids) {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const dead = pids.find((p) => !alive(p));
    if (dead) fail(`process ${dead} exited before ${url} was ready`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) fail(`${url} not 200 within ${seconds} s`);
    await sleep(250);
  }
}

async function members(url, count, seconds) {
  const end = Date.now() + seconds * 1000;
  let last = "no answer";
  for (;;) {
    try {
      const info = await request(url, { timeoutMs: 5000 });
      last = JSON.stringify(info.members);
      if (info.members.length === count) return log(`${url} lists ${last}`);
    } catch (e) {
      last = e.message;
    }
    if (Date.now() > end) fail(`${url} does not list ${count} members within ${seconds} s (last: ${last})`);
    await sleep(500);
  }
}

/** A WebSocket whose frames are awaited by predicate. */
class Socket {
  static open(url) {
    const s = new Socket();
    s.ws = new WebSocket(url, "syncwire.v1.json");
    s.frames = [];
    s.waiters = [];
    s.ws.on("message", (data) => {
      const frame = JSON.parse(data.toString());
      const i = s.waiters.findIndex((w) => w.pred(frame));
      if (i >= 0) s.waiters.splice(i, 1)[0].resolve(frame);
      else s.frames.push(frame);
    });
    return within(10000, `WebSocket upgrade at ${url}`, new Promise((resolve, reject) => {
      s.ws.once("open", () => resolve(s));
      s.ws.once("error", reject);
      s.ws.once("unexpected-response", (req, res) => reject(new Error(`${url} answered ${res.statusCode}`)));
    })).then(() => {
      if (s.ws.protocol !== "syncwire.v1.json") fail(`${url} chose subprotocol '${s.ws.protocol}'`);
      return s;
    });
  }

  next(what, pred, ms = 10000) {
    const i = this.frames.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.frames.splice(i, 1)[0]);
    return within(ms, what, new Promise((resolve) => this.waiters.push({ pred, resolve })));
  }

  async call(command) {
    this.ws.send(JSON.stringify(command));
    const reply = await this.next(`reply to ${command.type}`, (f) => f.id === command.id);
    if (reply.type === "error") throw new Error(`${command.type}: ${JSON.stringify(reply)}`);
    return reply;
  }

  close() {
    this.ws.close(1000);
  }
}

const nonce = () => crypto.randomBytes(6).toString("hex");
const isPub = (channel, n) => (f) => f.type === "pub" && f.channel === channel && f.data?.nonce === n;

async function websocket(proxy, name) {
  const url = proxy.replace(/^http/, "ws") + "/ws";
  const channel = `deploy-${name}-ws-${nonce()}`;
  const n = nonce();
  const subscriber = await Socket.open(url);
  const publisher = await Socket.open(url);
  try {
    const a = await subscriber.call({ id: 1, type: "connect", tenant: "demo" });
    await subscriber.call({ id: 2, type: "subscribe", channel });
    const b = await publisher.call({ id: 1, type: "connect", tenant: "demo" });
    await publisher.call({ id: 2, type: "subscribe", channel });
    const ack = await publisher.call({ id: 3, type: "publish", channel, key: n, data: { nonce: n } });
    await subscriber.next("pub on the subscriber's WebSocket", isPub(channel, n));
    await publisher.next("pub on the publisher's WebSocket", isPub(channel, n));
    log(`websocket: ack seq ${ack.seq}, pub received by sessions on ${a.node} and ${b.node}`);
  } finally {
    subscriber.close();
    publisher.close();
  }
}

/** An HTTP session of tenant demo, subscribed to `channel` when given. */
async function httpSession(proxy, channel) {
  const commands = [{ id: 1, type: "connect", tenant: "demo" }];
  if (channel) commands.push({ id: 2, type: "subscribe", channel });
  const replies = await request(`${proxy}/send`, { method: "POST", body: commands });
  const connected = replies[0];
  if (connected?.type !== "connected") throw new Error(`/send connect: ${JSON.stringify(replies)}`);
  if (channel && replies[1]?.type !== "subscribed") throw new Error(`/send subscribe: ${JSON.stringify(replies)}`);
  return connected;
}

function downstream(proxy, path, session, cursor = 0) {
  return `${proxy}/${path}?session=${encodeURIComponent(session.session)}&key=${encodeURIComponent(session.key)}`
    + `&cursor=${cursor}`;
}

function publish(admin, key, channel, n) {
  return request(`${admin}/api/v1/publish`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}` },
    body: { tenant: "demo", channel, key: n, data: { nonce: n } },
  });
}

async function sse(proxy, name, admin, key) {
  const channel = `deploy-${name}-sse-${nonce()}`;
  const n = nonce();
  const session = await httpSession(proxy, channel);
  const abort = new AbortController();
  try {
    const res = await within(10000, "SSE response headers",
      fetch(downstream(proxy, "sse", session), { signal: abort.signal, headers: { accept: "text/event-stream" } }));
    if (res.status !== 200) throw new Error(`/sse answered ${res.status}`);
    if (!String(res.headers.get("content-type")).startsWith("text/event-stream")) {
      throw new Error(`/sse content type ${res.headers.get("content-type")}`);
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffered = "";
    const line = async (what, pred) => {
      for (;;) {
        const end = buffered.indexOf("\n");
        if (end >= 0) {
          const l = buffered.slice(0, end);
          buffered = buffered.slice(end + 1);
          if (pred(l)) return l;
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error(`SSE stream ended before ${what}`);
        buffered += decoder.decode(value, { stream: true });
      }
    };
    await within(10000, "': open' on the SSE stream", line("': open'", (l) => l.startsWith(": open")));
    const sent = Date.now();
    const ack = await publish(admin, key, channel, n);
    await within(10000, "pub on the SSE stream (held back by the proxy?)", line("the pub", (l) => {
      if (!l.startsWith("data:")) return false;
      return isPub(channel, n)(JSON.parse(l.slice(5)));
    }));
    log(`sse: pub seq ${ack.seq} arrived ${Date.now() - sent} ms after the admin publish`);
  } finally {
    abort.abort();
  }
}

async function poll(proxy, name, admin, key) {
  const channel = `deploy-${name}-poll-${nonce()}`;
  const n = nonce();
  const session = await httpSession(proxy, channel);
  let cursor = 0;
  let published = null;
  const end = Date.now() + 40000;
  setTimeout(() => {
    published = publish(admin, key, channel, n);
    published.catch(() => {});
  }, 500);
  while (Date.now() < end) {
    const answer = await request(downstream(proxy, "poll", session, cursor), { timeoutMs: 40000 });
    cursor = answer.cursor;
    if (answer.messages.some(isPub(channel, n))) {
      const ack = await published;
      return log(`long-poll: pub seq ${ack.seq} answered at cursor ${cursor}`);
    }
  }
  throw new Error("no pub in a long-poll answer within 40 s");
}

// A poll that gets nothing waits the node's longpoll.timeoutMs (25 s) and is answered empty: the proxy
// must not cut it before.
async function idlePoll(proxy) {
  const session = await httpSession(proxy, null);
  const start = Date.now();
  let res;
  let body;
  try {
    res = await fetch(downstream(proxy, "poll", session), { signal: AbortSignal.timeout(45000) });
    body = await res.text();
  } catch (e) {
    throw new Error(`an idle long-poll got no answer within 45 s (${e.message}); the node answers after `
      + "longpoll.timeoutMs: does the proxy time it out and retry it on another node?");
  }
  const seconds = ((Date.now() - start) / 1000).toFixed(1);
  if (res.status !== 200) {
    throw new Error(`an idle long-poll was answered ${res.status} after ${seconds} s: the proxy's timeout `
      + `must exceed longpoll.timeoutMs (${body.slice(0, 100)})`);
  }
  if (JSON.parse(body).messages.length !== 0) throw new Error(`an idle long-poll got messages: ${body}`);
  log(`long-poll: an idle poll was answered empty after ${seconds} s`);
}

async function traffic(name, proxy, admin, key) {
  label = `${name}: `;
  const idle = idlePoll(proxy);
  idle.catch(() => {});
  await websocket(proxy, name);
  await sse(proxy, name, admin, key);
  await poll(proxy, name, admin, key);
  await idle;
}

async function prometheus(url, seconds, metrics) {
  const end = Date.now() + seconds * 1000;
  const missing = new Set(metrics);
  let targets = "";
  while (missing.size > 0) {
    for (const metric of [...missing]) {
      try {
        const answer = await request(`${url}/api/v1/query?query=${encodeURIComponent(metric)}`);
        if (answer.data.result.length > 0) {
          log(`prometheus: ${metric}: ${answer.data.result.length} series`);
          missing.delete(metric);
        }
      } catch {
        // Prometheus not answering yet: the deadline below decides.
      }
    }
    if (missing.size === 0) break;
    if (Date.now() > end) {
      try {
        const answer = await request(`${url}/api/v1/targets`);
        targets = answer.data.activeTargets
          .map((t) => `${t.scrapeUrl} ${t.health}${t.lastError ? ` (${t.lastError})` : ""}`).join("; ");
      } catch (e) {
        targets = e.message;
      }
      fail(`prometheus: no series of ${[...missing].join(", ")} within ${seconds} s; targets: ${targets}`);
    }
    await sleep(1000);
  }
  // The job's metric_relabel_configs keep these names only (Prometheus's own up and scrape_* series
  // are not subject to it).
  const names = await request(`${url}/api/v1/label/__name__/values?match[]=${encodeURIComponent('{job="syncwire"}')}`);
  const others = names.data.filter((n) => !metrics.includes(n) && n !== "up" && !n.startsWith("scrape_"));
  if (others.length > 0) fail(`prometheus: the syncwire job kept series it should drop: ${others.join(", ")}`);
  log(`prometheus: the syncwire job holds no other series`);
}

try {
  switch (command) {
    case "ports":
      console.log((await freePorts(Number(args[0]))).join(" "));
      break;
    case "ready":
      await ready(args[0], Number(args[1]), args.slice(2));
      break;
    case "members":
      await members(args[0], Number(args[1]), Number(args[2]));
      break;
    case "traffic":
      await traffic(...args);
      break;
    case "prometheus":
      await prometheus(args[0], Number(args[1]), args.slice(2));
      break;
    default:
      fail(`unknown command '${command}'`);
  }
  process.exit(0);
} catch (e) {
  fail(e.message);
}
