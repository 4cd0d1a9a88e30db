// The client against the real node (target/syncwire.jar), over each transport.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Syncwire, MemoryOutboxStore, outboxScope } from "../../main/js/syncwire.js";
import { registerSync, installSyncHandler, SYNC_TAG } from "../../main/js/syncwire-sw.js";
import { TestWebSocket } from "./support/mini-websocket.js";
import { startNode, startProxy, until, nextEvent, acmeToken } from "./support/harness.js";

/** Every test ends: a hang fails it instead of stalling the run. */
const LIMIT = { timeout: 60000 };
const TRANSPORTS = ["websocket", "sse", "longpoll"];
let node;
let channelCounter = 0;
const fresh = (name) => `${name}-${process.pid}-${++channelCounter}`;

before(async () => {
  node = await startNode({ "session.lingerMs": 3000 });
});

after(async () => {
  await node?.stop();
});

/** A client with quick backoff and an in-memory outbox, disposed when the test ends. */
function client(t, options = {}, url = node.url) {
  const c = new Syncwire(url, {
    tenant: "demo",
    WebSocket: TestWebSocket,
    baseDelayMs: 30,
    jitterMs: 30,
    maxDelayMs: 300,
    store: new MemoryOutboxStore(),
    sharedConnection: false, // one client per "tab" here; shared.test.js covers tabs sharing one connection
    ...options,
  });
  t.after(() => c.dispose());
  return c;
}

/** Collects the publications of a channel. */
function collect(c, channel, extra = {}) {
  const got = [];
  const resets = [];
  const sub = c.subscribe(channel, { onPublication: (p) => got.push(p), onReset: (e) => resets.push(e), ...extra });
  return { sub, got, resets, seqs: () => got.map((p) => p.seq) };
}

const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

for (const transport of TRANSPORTS) {
  test(`${transport}: subscribe, publish and ack; backend publications arrive in order`, LIMIT, async (t) => {
    const c = client(t, { transports: [transport] });
    const states = [];
    c.on("state", (e) => states.push(e));
    c.connect();
    const ch = fresh("basic");
    const { sub, got, seqs } = collect(c, ch);
    await sub.ready;
    assert.equal(c.transport, transport);
    assert.deepEqual(states.map((s) => s.state), ["connecting", "connected"]);
    assert.equal(states[1].transport, transport);

    const acks = await Promise.all([1, 2, 3].map((n) => c.publish(ch, { n }, { key: `k${n}` })));
    assert.deepEqual(acks.map((a) => a.seq), [1, 2, 3]);
    assert.ok(acks.every((a) => a.duplicate === false && a.epoch === sub.position.epoch));
    await node.publish("demo", ch, { data: { n: 4 } });
    await until(() => got.length === 4, "4 publications");
    assert.deepEqual(seqs(), [1, 2, 3, 4]);
    assert.deepEqual(got.map((p) => p.data.n), [1, 2, 3, 4]);
    assert.deepEqual(got.slice(0, 3).map((p) => p.key), ["k1", "k2", "k3"]);
    assert.equal(await c.pending(), 0);

    const dup = await c.publish(ch, { n: 1 }, { key: "k1" });
    assert.deepEqual(dup, { epoch: acks[0].epoch, seq: 1, duplicate: true });
  });

  test(`${transport}: a reordered and a dropped push are applied in order, the gap by resubscribing with since`, LIMIT, async (t) => {
    const ch = fresh("order");
    let held = null;
    const subscribes = [];
    const c = client(t, {
      transports: [transport],
      gapTimeoutMs: 150,
      // Test hook: swap seq 2 and 3, and lose seq 5 entirely.
      _transportFilter(frame, deliver) {
        if (frame.type === "subscribed") subscribes.push(frame);
        if (frame.type === "pub" && frame.channel === ch && !frame._replayed) {
          if (frame.seq === 2) {
            held = frame;
            return;
          }
          if (frame.seq === 3) {
            deliver(frame);
            deliver(held);
            return;
          }
          if (frame.seq === 5) return;
        }
        deliver(frame);
      },
    });
    c.connect();
    const { sub, got, resets, seqs } = collect(c, ch);
    await sub.ready;
    for (const n of range(1, 8)) await node.publish("demo", ch, { data: { n } });
    await until(() => got.length === 8, "8 publications in order, got " + JSON.stringify(got.map((p) => p.seq)));
    assert.deepEqual(seqs(), range(1, 8));
    assert.deepEqual(got.map((p) => p.data.n), range(1, 8));
    const recovered = got.filter((p) => p.recovered).map((p) => p.seq);
    assert.ok(recovered.includes(5), "seq 5 came from the replay: " + recovered);
    const resub = subscribes.filter((s) => s.channel === ch && s.recovered === true);
    assert.equal(resub.length, 1, "one resubscribe with since");
    assert.equal(resets.length, 0, "a gap that recovery fills is no reset");
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(got.length, 8, "nothing applied twice");
  });

  test(`${transport}: after the network drops, the client reconnects and resubscribes with since`, LIMIT, async (t) => {
    const proxy = await startProxy(node.port);
    t.after(() => proxy.stop());
    const c = client(t, { transports: [transport], maxAttempts: 0 }, proxy.url);
    c.connect();
    const ch = fresh("drop");
    const { sub, got, resets, seqs } = collect(c, ch);
    await sub.ready;
    for (const n of range(1, 3)) await node.publish("demo", ch, { data: { n } });
    await until(() => got.length === 3, "3 publications");

    const lost = nextEvent(c, "state", (e) => e.state === "connecting");
    proxy.block();
    proxy.cut();
    await lost;
    for (const n of range(4, 6)) await node.publish("demo", ch, { data: { n } });
    const back = nextEvent(c, "state", (e) => e.state === "connected");
    proxy.unblock();
    await back;
    await until(() => got.length === 6, "6 publications");
    assert.deepEqual(seqs(), range(1, 6));
    assert.deepEqual(got.slice(3).map((p) => p.recovered), [true, true, true]);
    assert.equal(resets.length, 0);
    await node.publish("demo", ch, { data: { n: 7 } });
    await until(() => got.length === 7, "live again");
    assert.equal(got[6].recovered, undefined);
  });
}

test("state channel: the replica loads the snapshot, applies patches and reports each changed entity", LIMIT, async (t) => {
  const ch = fresh("doc");
  await node.publish("demo", ch, { patch: { entity: "a", set: { title: "Hi", n: 1 } } });
  await node.publish("demo", ch, { patch: { entity: "b", set: { x: true } } });
  const c = client(t);
  c.connect();
  const states = [];
  const entities = [];
  const sub = c.subscribe(ch, {
    onState: (map, changed) => states.push({ map: Object.fromEntries(map), changed: [...changed].sort() }),
    onEntity: (e) => entities.push(e),
  });
  await sub.ready;
  assert.deepEqual(states[0], { map: { a: { title: "Hi", n: 1 }, b: { x: true } }, changed: ["a", "b"] });
  assert.deepEqual(sub.versions("a"), { title: 1, n: 1 });

  await c.patch(ch, { entity: "a", set: { title: "Hey" }, inc: { n: 2 } });
  await c.patch(ch, { entity: "b", unset: ["x"] });
  await c.patch(ch, { entity: "c", inc: { likes: 5 }, if: { likes: 0 } });
  await until(() => states.length === 4, "three patch states");
  assert.deepEqual(states[3].map, { a: { title: "Hey", n: 3 }, c: { likes: 5 } });
  assert.deepEqual(entities.slice(2).map((e) => [e.id, e.fields]), [["a", { title: "Hey", n: 3 }], ["b", undefined], ["c", { likes: 5 }]]);

  const conflict = await c.patch(ch, { entity: "a", set: { title: "late" }, if: { title: 1 } }).catch((e) => e);
  assert.equal(conflict.code, "conflict");
  assert.deepEqual(conflict.current, { title: { v: "Hey", seq: sub.versions("a").title } });

  const server = await node.channel("demo", ch);
  const fromServer = Object.fromEntries(Object.entries(server.snapshot.entities).map(([id, f]) =>
    [id, Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v.v]))]));
  assert.deepEqual(Object.fromEntries(sub.entities), fromServer);

  // A second subscriber of the same channel in this client shares the replica and gets it at once.
  const second = [];
  const sub2 = c.subscribe(ch, { onState: (map) => second.push(Object.fromEntries(map)) });
  await until(() => second.length === 1, "state for the second handle");
  assert.deepEqual(second[0], fromServer);
  sub2.unsubscribe();
});

test("a since from another epoch is answered recovered:false and reported with the snapshot", LIMIT, async (t) => {
  const ch = fresh("stale");
  await node.publish("demo", ch, { patch: { entity: "e", set: { v: 1 } } });
  const c = client(t);
  c.connect();
  const states = [];
  const { sub, resets } = collect(c, ch, { since: { epoch: "not-this-one", seq: 3 }, onState: (m) => states.push(Object.fromEntries(m)) });
  await sub.ready;
  assert.equal(resets.length, 1);
  assert.equal(resets[0].reason, "not_recovered");
  assert.equal(resets[0].recovered, false);
  assert.deepEqual(resets[0].snapshot.entities, { e: { v: { v: 1, seq: 1 } } });
  assert.deepEqual(states.at(-1), { e: { v: 1 } });
  assert.deepEqual(sub.position, { epoch: resets[0].epoch, seq: 1 });
});

test("a first subscribe is no reset; a reset push is reported even when recovery misses nothing", LIMIT, async (t) => {
  const ch = fresh("reset");
  let inject = null;
  const c = client(t, {
    _transportFilter(frame, deliver) {
      inject = deliver;
      deliver(frame);
    },
  });
  c.connect();
  const { sub, got, resets } = collect(c, ch);
  await sub.ready;
  assert.equal(resets.length, 0);
  await node.publish("demo", ch, { data: 1 });
  await until(() => got.length === 1, "one publication");
  inject({ type: "reset", channel: ch, reason: "gap" });
  await until(() => resets.length === 1, "reset reported");
  assert.equal(resets[0].reason, "gap");
  assert.equal(resets[0].recovered, true);
  await node.publish("demo", ch, { data: 2 });
  await until(() => got.length === 2, "continues after the reset");
  assert.deepEqual(got.map((p) => p.seq), [1, 2]);
});

test("outbox: publications made while offline are sent in order with their keys once connected", LIMIT, async (t) => {
  const proxy = await startProxy(node.port);
  t.after(() => proxy.stop());
  proxy.block();
  const ch = fresh("offline");
  const watcher = client(t);
  watcher.connect();
  const { sub, got } = collect(watcher, ch);
  await sub.ready;

  const c = client(t, { maxAttempts: 0 }, proxy.url);
  const queued = [];
  c.on("queued", (e) => queued.push(e.key));
  c.connect();
  const acks = range(1, 5).map((n) => c.publish(ch, { n }, { key: `off-${n}` }));
  assert.equal(await c.pending(), 5);
  await until(() => queued.length === 5, "queued events");
  assert.equal(c.state, "connecting");
  proxy.unblock();
  const results = await Promise.all(acks);
  assert.deepEqual(results.map((r) => r.seq), range(1, 5));
  await until(() => got.length === 5, "5 publications");
  assert.deepEqual(got.map((p) => p.key), range(1, 5).map((n) => `off-${n}`));
  assert.deepEqual(got.map((p) => p.data.n), range(1, 5));
  assert.equal(await c.pending(), 0);
});

test("outbox: what a closed page left is sent by the next client of its scope, which reports each fate", LIMIT, async (t) => {
  const proxy = await startProxy(node.port);
  t.after(() => proxy.stop());
  proxy.block();
  const store = new MemoryOutboxStore();
  const ch = fresh("reload");
  const first = client(t, { store, maxAttempts: 0 }, proxy.url);
  first.connect();
  const promises = range(1, 3).map((n) => first.publish(ch, { n }, { key: `r-${n}` }));
  await until(() => store.entries.size === 3, "3 entries stored");
  first.close();
  for (const p of promises) assert.equal((await p.catch((e) => e)).code, "closed");
  await until(() => [...store.entries.values()].every((e) => e.owner === null), "released by the closed client");

  const watcher = client(t);
  watcher.connect();
  const { sub, got } = collect(watcher, ch);
  await sub.ready;

  proxy.unblock();
  const second = client(t, { store }, proxy.url);
  const fates = [];
  second.on("outbox", (e) => fates.push(e));
  second.connect();
  await until(() => fates.length === 3, "3 outbox events");
  assert.deepEqual(fates.map((f) => [f.key, f.channel, f.status]), range(1, 3).map((n) => [`r-${n}`, ch, "acked"]));
  assert.deepEqual(fates.map((f) => f.seq), [1, 2, 3]);
  await until(() => got.length === 3, "3 publications");
  assert.deepEqual(got.map((p) => p.key), ["r-1", "r-2", "r-3"]);
  assert.equal(store.entries.size, 0);
});

test("outbox: an entry the server already has is reported duplicate and applied once", LIMIT, async (t) => {
  const ch = fresh("dedup");
  const first = await node.publish("demo", ch, { key: "d-1", data: { n: 1 } });
  const store = new MemoryOutboxStore();
  const scope = outboxScope(node.url, "demo", null);
  const now = Date.now();
  for (const [i, key] of ["d-1", "d-2"].entries()) {
    await store.add({ id: scope + "\n" + ch + "\n" + key, scope, channel: ch, key, kind: "data", body: JSON.stringify({ n: i + 1 }),
      createdAt: now, expiresAt: now + 60000, n: i, owner: "a-page-that-crashed" });
  }
  const c = client(t, { store });
  const fates = [];
  c.on("outbox", (e) => fates.push(e));
  c.connect();
  await until(() => fates.length === 2, "2 outbox events");
  assert.deepEqual(fates.map((f) => [f.key, f.status, f.seq]), [["d-1", "duplicate", first.seq], ["d-2", "acked", 2]]);
  assert.equal((await node.channel("demo", ch)).seq, 2, "d-1 applied once");
});

test("outbox: entries past offlineTtlMs are reported expired, rejected and never sent", LIMIT, async (t) => {
  const proxy = await startProxy(node.port);
  t.after(() => proxy.stop());
  proxy.block();
  const ch = fresh("ttl");
  const store = new MemoryOutboxStore();
  const scope = outboxScope(proxy.url, "demo", null);
  await store.add({ id: scope + "\n" + ch + "\nold", scope, channel: ch, key: "old", kind: "data", body: "1",
    createdAt: Date.now() - 10000, expiresAt: Date.now() - 1, n: 0, owner: null });
  const c = client(t, { store, offlineTtlMs: 150, maxAttempts: 0 }, proxy.url);
  const fates = [];
  c.on("outbox", (e) => fates.push(e));
  c.connect();
  const p = c.publish(ch, { n: 1 }, { key: "fresh" });
  const err = await p.catch((e) => e);
  assert.equal(err.code, "expired");
  await until(() => fates.length === 2, "2 expiries reported");
  assert.deepEqual(fates.map((f) => [f.key, f.status]).sort(), [["fresh", "expired"], ["old", "expired"]]);
  assert.equal(store.entries.size, 0);
  assert.equal(await c.pending(), 0);
  proxy.unblock();
  await nextEvent(c, "state", (e) => e.state === "connected");
  const sent = await c.publish(ch, { n: 2 });
  assert.equal(sent.seq, 1, "nothing expired reached the channel");
});

test("outbox: two clients of one scope claim a dead page's entries and send each exactly once", LIMIT, async (t) => {
  const ch = fresh("claim");
  const store = new MemoryOutboxStore();
  const scope = outboxScope(node.url, "demo", null);
  const now = Date.now();
  for (const n of range(1, 6)) {
    await store.add({ id: scope + "\n" + ch + "\nc-" + n, scope, channel: ch, key: "c-" + n, kind: "data", body: String(n),
      createdAt: now, expiresAt: now + 60000, n, owner: "dead-tab" });
  }
  const watcher = client(t);
  watcher.connect();
  const { sub, got } = collect(watcher, ch);
  await sub.ready;
  const a = client(t, { store });
  const b = client(t, { store });
  const fates = [];
  a.on("outbox", (e) => fates.push(["a", e]));
  b.on("outbox", (e) => fates.push(["b", e]));
  a.connect();
  b.connect();
  await until(() => got.length === 6, "6 publications");
  await until(() => fates.length === 6, "6 outbox events");
  assert.ok(fates.every(([, e]) => e.status === "acked"), JSON.stringify(fates));
  assert.deepEqual(got.map((p) => p.data), range(1, 6));
  assert.equal(new Set(fates.map(([, e]) => e.key)).size, 6);
});

test("a refused publish rejects with the server's error and the next entry goes on", LIMIT, async (t) => {
  const c = client(t);
  c.connect();
  const bad = c.patch(fresh("bad"), { entity: "e" }); // changes nothing: bad_request (§7.3)
  const good = c.publish(fresh("good"), 1);
  const err = await bad.catch((e) => e);
  assert.equal(err.code, "bad_request");
  assert.equal((await good).seq, 1);
});

test("fallback: without a working WebSocket the client settles on SSE, then upgrades without losing position", LIMIT, async (t) => {
  let wsWorks = false;
  class FlakyWebSocket extends TestWebSocket {
    constructor(url, protocols) {
      super(wsWorks ? url : url.replace(/:\d+\//, ":1/"), protocols); // port 1: refused
    }
  }
  const c = client(t, { WebSocket: FlakyWebSocket, upgradeRetryMs: 400 });
  const states = [];
  c.on("state", (e) => states.push(e));
  c.connect();
  const ch = fresh("upgrade");
  const { sub, got, seqs } = collect(c, ch);
  await sub.ready;
  assert.equal(c.transport, "sse");
  await node.publish("demo", ch, { data: 1 });
  await until(() => got.length === 1, "first publication");

  wsWorks = true;
  const upgraded = await nextEvent(c, "state", (e) => e.transport === "websocket");
  assert.equal(upgraded.state, "connected");
  assert.equal(upgraded.reason, "upgrade");
  assert.equal(c.transport, "websocket");
  assert.deepEqual(states.map((s) => [s.state, s.transport]), [["connecting", null], ["connected", "sse"], ["connected", "websocket"]]);
  for (const n of [2, 3]) await node.publish("demo", ch, { data: n });
  await c.publish(ch, 4);
  await until(() => got.length === 4, "4 publications");
  assert.deepEqual(seqs(), [1, 2, 3, 4]);
});

test("tokens: before exp the client refreshes the session in place: same session, subscriptions kept", LIMIT, async (t) => {
  let issued = 0;
  const getToken = async () => {
    issued++;
    return acmeToken({ sub: "u1", exp: Math.floor(Date.now() / 1000) + 60 });
  };
  const c = client(t, { tenant: undefined, getToken, refreshBeforeMs: 58500 });
  let connects = 0;
  c.on("connected", () => connects++);
  c.connect();
  const ch = fresh("token");
  const { sub, got, seqs } = collect(c, ch);
  await sub.ready;
  assert.equal(c.session.user, "u1");
  const firstSession = c.session.session;
  const renewing = nextEvent(c, "token", (e) => e.expiresAt > Date.now() + 50000 && issued >= 2, 10000);
  await c.publish(ch, 1);
  const renewed = await renewing;
  assert.ok(renewed.expiresAt > Date.now() + 50000, "the new token's expiry");
  assert.equal(c.state, "connected");
  assert.equal(c.session.session, firstSession, "refreshed in place (docs/protocol.md §5.4)");
  assert.equal(connects, 1);
  await c.publish(ch, 2);
  await until(() => got.length === 2, "2 publications");
  assert.deepEqual(seqs(), [1, 2]);
});

test("tokens: a refused token gets one fresh one from getToken; without getToken the client stops", LIMIT, async (t) => {
  const expired = acmeToken({ sub: "u2", exp: Math.floor(Date.now() / 1000) - 10 });
  const good = acmeToken({ sub: "u2", exp: Math.floor(Date.now() / 1000) + 600 });
  const tokens = [expired, good];
  const withGetter = client(t, { tenant: undefined, token: expired, getToken: async () => tokens.shift() ?? good });
  withGetter.connect();
  await nextEvent(withGetter, "state", (e) => e.state === "connected");

  const without = client(t, { tenant: undefined, token: expired });
  without.connect();
  const stopped = await nextEvent(without, "state", (e) => e.state === "disconnected");
  assert.equal(stopped.reason, "unauthorized");
});

test("after maxAttempts failed reconnects the client gives up until connect() is called again", LIMIT, async (t) => {
  const proxy = await startProxy(node.port);
  t.after(() => proxy.stop());
  proxy.block();
  // openTimeoutMs: Node 20's experimental WebSocket stays CONNECTING when the peer drops the handshake.
  const c = client(t, { maxAttempts: 3, openTimeoutMs: 1000 }, proxy.url);
  const waits = [];
  c.on("reconnecting", (e) => waits.push(e.delayMs));
  c.connect();
  const gave = await nextEvent(c, "state", (e) => e.state === "disconnected");
  assert.equal(gave.reason, "gave_up");
  assert.equal(waits.length, 2, "3 attempts, 2 waits between them");
  assert.ok(waits[0] >= 30 && waits[0] <= 60 && waits[1] >= 60 && waits[1] <= 90, "backoff " + waits);
  proxy.unblock();
  c.connect();
  await nextEvent(c, "state", (e) => e.state === "connected");
});

test("a do-not-retry close code (4400) stops the client and is reported", LIMIT, async (t) => {
  let sent = 0;
  class Garbling extends TestWebSocket {
    send(data) {
      super.send(++sent === 2 ? "this is not JSON" : data);
    }
  }
  const c = client(t, { WebSocket: Garbling, transports: ["websocket"] });
  c.connect();
  c.subscribe(fresh("garbled"));
  const stopped = await nextEvent(c, "state", (e) => e.state === "disconnected");
  assert.equal(stopped.reason, "closed");
  assert.equal(stopped.code, 4400);
  assert.equal(c.state, "disconnected");
});

test("a reconnect push's delayMs replaces the backoff once; Retry-After is waited for", LIMIT, async (t) => {
  let inject = null;
  const c = client(t, {
    transports: ["websocket"],
    _transportFilter(frame, deliver) {
      inject = deliver;
      deliver(frame);
    },
  });
  c.connect();
  await c.subscribe(fresh("drain")).ready; // a frame through the filter gives the test its deliver()
  const waiting = nextEvent(c, "reconnecting", () => true);
  inject({ type: "reconnect", delayMs: 321, reason: "draining" });
  const w = await waiting;
  assert.equal(w.delayMs, 321);
  assert.equal(w.reason, "draining");
  await nextEvent(c, "state", (e) => e.state === "connected");

  let refusals = 1;
  const fetch503 = async (url, init) => {
    if (String(url).endsWith("/send") && refusals-- > 0) {
      return new Response(JSON.stringify({ code: "overloaded" }), { status: 503, headers: { "Retry-After": "1" } });
    }
    return fetch(url, init);
  };
  const h = client(t, { transports: ["longpoll"], fetch: fetch503 });
  const delays = [];
  h.on("reconnecting", (e) => delays.push(e.delayMs));
  const started = Date.now();
  h.connect();
  await nextEvent(h, "state", (e) => e.state === "connected");
  assert.ok(delays[0] >= 1000, "waited at least Retry-After: " + delays);
  assert.ok(Date.now() - started >= 1000);
});

test("subscribe is reference-counted: the channel is left when the last handle unsubscribes", LIMIT, async (t) => {
  const c = client(t);
  c.connect();
  const ch = fresh("refs");
  const a = collect(c, ch);
  const b = collect(c, ch);
  await Promise.all([a.sub.ready, b.sub.ready]);
  assert.equal((await node.channel("demo", ch)).subscribers, 1);
  a.sub.unsubscribe();
  await node.publish("demo", ch, { data: 1 });
  await until(() => b.got.length === 1, "the other handle still receives");
  assert.equal(a.got.length, 0);
  b.sub.unsubscribe();
  await until(async () => (await node.channel("demo", ch))?.subscribers === 0, "no subscriber left");
});

test("service worker: a sync sends what a closed page left over POST /send; the next page reports each fate", LIMIT, async (t) => {
  const proxy = await startProxy(node.port);
  t.after(() => proxy.stop());
  proxy.block();
  const store = new MemoryOutboxStore();
  const ch = fresh("sync");
  const page = client(t, { store, maxAttempts: 0 }, proxy.url);
  const syncs = [];
  const registration = { sync: { register: async (tag) => syncs.push(tag) } };
  registerSync(page, { store, registration });
  page.connect();
  page.publish(ch, { n: 1 }, { key: "s-1" }).catch(() => {});
  page.patch(ch, { entity: "e" }, { key: "s-2" }).catch(() => {}); // changes nothing: refused
  page.publish(ch, { n: 3 }, { key: "s-3" }).catch(() => {});
  await until(() => syncs.length === 3 && store.entries.size === 3, "3 queued entries and sync requests");
  assert.deepEqual(syncs, [SYNC_TAG, SYNC_TAG, SYNC_TAG]);
  assert.deepEqual((await store.credentials()).map((c) => [c.url, c.tenant]), [[proxy.url, "demo"]]);
  page.close();
  proxy.unblock();

  const listeners = new Map();
  const worker = { addEventListener: (type, fn) => listeners.set(type, fn) };
  installSyncHandler(worker, { store });
  let done;
  listeners.get("sync")({ tag: SYNC_TAG, waitUntil: (p) => (done = p) });
  await done;
  assert.equal(store.entries.size, 0);
  const channel = await node.channel("demo", ch);
  assert.equal(channel.seq, 2);

  const next = client(t, { store }, proxy.url);
  const fates = [];
  next.on("outbox", (e) => fates.push(e));
  await until(() => fates.length === 3, "3 receipts reported");
  assert.deepEqual(fates.map((f) => [f.key, f.status]), [["s-1", "acked"], ["s-2", "refused"], ["s-3", "acked"]]);
  assert.equal(fates[1].error.code, "bad_request");
  assert.deepEqual([fates[0].seq, fates[2].seq], [1, 2]);
});

test("a merged patch push (from) is applied as one step and moves the position without a resubscribe", LIMIT, async (t) => {
  const ch = fresh("merged");
  const subscribes = [];
  const c = client(t, {
    gapTimeoutMs: 100,
    // Test hook: what a slow subscriber gets after conflation (§8.2): seq 2 and 3 merged into one push.
    _transportFilter(frame, deliver) {
      if (frame.type === "subscribed") subscribes.push(frame);
      if (frame.type === "pub" && frame.channel === ch && frame.seq === 2) return;
      if (frame.type === "pub" && frame.channel === ch && frame.seq === 3) {
        deliver({ ...frame, from: 2, patch: { entity: "a", set: { t: "z" }, inc: { n: 5 }, versions: { n: 2, t: 3 } } });
        return;
      }
      deliver(frame);
    },
  });
  c.connect();
  const states = [];
  const pubs = [];
  const sub = c.subscribe(ch, { onState: (m) => states.push(Object.fromEntries(m)), onPublication: (p) => pubs.push(p) });
  await sub.ready;
  await c.patch(ch, { entity: "a", set: { t: "x" }, inc: { n: 1 } });
  await c.patch(ch, { entity: "a", inc: { n: 5 } });
  await c.patch(ch, { entity: "a", set: { t: "z" } });
  await until(() => sub.position.seq === 3, "position 3");
  assert.deepEqual(pubs.map((p) => [p.seq, p.from]), [[1, undefined], [3, 2]]);
  assert.deepEqual(states.at(-1), { a: { t: "z", n: 6 } });
  assert.deepEqual(sub.versions("a"), { t: 3, n: 2 });
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(subscribes.filter((s) => s.channel === ch).length, 1, "no gap, no resubscribe");
});

test("outbox order: a retryable refusal is retried after retryAfterMs before any later entry is sent", LIMIT, async (t) => {
  const ch = fresh("retry");
  const sent = [];
  let refuse = true;
  class Recording extends TestWebSocket {
    send(data) {
      const m = /"type":"publish".*"key":"([^"]+)"/.exec(data);
      if (m) sent.push([m[1], Date.now()]);
      super.send(data);
    }
  }
  const c = client(t, {
    WebSocket: Recording,
    transports: ["websocket"],
    // Test hook: the first ack becomes the refusal a rate-limited session gets (§9.2).
    _transportFilter(frame, deliver) {
      if (frame.type === "ack" && refuse) {
        refuse = false;
        deliver({ id: frame.id, type: "error", code: "rate_limited", message: "slow down", retry: true, retryAfterMs: 250 });
        return;
      }
      deliver(frame);
    },
  });
  c.connect();
  const first = c.publish(ch, 1, { key: "q-1" });
  const second = c.publish(ch, 2, { key: "q-2" });
  const [a, b] = await Promise.all([first, second]);
  assert.deepEqual(sent.map(([k]) => k), ["q-1", "q-1", "q-2"], "q-2 waits for q-1's retry");
  assert.ok(sent[1][1] - sent[0][1] >= 240, "retried after retryAfterMs: " + (sent[1][1] - sent[0][1]));
  assert.deepEqual([a.seq, a.duplicate], [1, true], "the server had it: the retry is a duplicate of seq 1");
  assert.deepEqual([b.seq, b.duplicate], [2, false]);
});

test("a connection that goes silent without closing is found by the heartbeat and replaced, losing nothing", LIMIT, async (t) => {
  const proxy = await startProxy(node.port);
  t.after(() => proxy.stop());
  const c = client(t, { transports: ["websocket"], pingIntervalMs: 300, pingTimeoutMs: 300, maxAttempts: 0 }, proxy.url);
  c.connect();
  const ch = fresh("silent");
  const { sub, got, seqs } = collect(c, ch);
  await sub.ready;
  await node.publish("demo", ch, { data: 1 });
  await until(() => got.length === 1, "first publication");
  const lost = nextEvent(c, "state", (e) => e.state === "connecting");
  proxy.stall();
  await node.publish("demo", ch, { data: 2 });
  const e = await lost;
  assert.equal(e.reason, "ping_timeout");
  await nextEvent(c, "state", (s) => s.state === "connected");
  await until(() => got.length === 2, "the publication made while silent");
  assert.deepEqual(seqs(), [1, 2]);
});

test("page lifecycle: online skips the backoff wait; pagehide closes cleanly and pageshow reconnects with since", LIMIT, async (t) => {
  const saved = { window: globalThis.window, document: globalThis.document };
  const win = new EventTarget();
  const doc = Object.assign(new EventTarget(), { visibilityState: "visible" });
  globalThis.window = win;
  globalThis.document = doc;
  t.after(() => {
    globalThis.window = saved.window;
    globalThis.document = saved.document;
  });
  const proxy = await startProxy(node.port);
  t.after(() => proxy.stop());
  proxy.block();
  const c = client(t, { baseDelayMs: 60000, jitterMs: 0, maxDelayMs: 60000, maxAttempts: 0 }, proxy.url);
  c.connect();
  await nextEvent(c, "reconnecting", (e) => e.delayMs === 60000);
  proxy.unblock();
  const started = Date.now();
  win.dispatchEvent(new Event("online"));
  await nextEvent(c, "state", (e) => e.state === "connected");
  assert.ok(Date.now() - started < 5000, "did not wait out the 60 s backoff");

  const ch = fresh("bfcache");
  const { sub, got, seqs } = collect(c, ch);
  await sub.ready;
  await node.publish("demo", ch, { data: 1 });
  await until(() => got.length === 1, "first publication");
  win.dispatchEvent(Object.assign(new Event("pagehide"), { persisted: true }));
  assert.equal(c.state, "disconnected");
  await node.publish("demo", ch, { data: 2 });
  win.dispatchEvent(Object.assign(new Event("pageshow"), { persisted: true }));
  await nextEvent(c, "state", (e) => e.state === "connected");
  await until(() => got.length === 2, "the publication made while in the cache");
  assert.deepEqual(seqs(), [1, 2]);
  assert.equal(got[1].recovered, true);
});

test("a publication larger than the server's frame limit is refused at once and never queued", LIMIT, async (t) => {
  for (const transport of ["websocket", "longpoll"]) {
    const c = client(t, { transports: [transport] });
    c.connect();
    const ch = fresh("big");
    const big = "é".repeat(33000); // 66 000 bytes of UTF-8
    const err = await c.publish(ch, big).catch((e) => e);
    assert.equal(err.code, "too_large");
    assert.equal(await c.pending(), 0);
    const ack = await c.publish(ch, "é".repeat(30000)); // 60 000 bytes pass
    assert.equal(ack.seq, 1);
    assert.equal(c.state, "connected");
    assert.equal(c.transport, transport);
  }
});
