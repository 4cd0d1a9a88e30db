// One connection across tabs: clients given one lock manager and one scope behave like tabs of an origin.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Syncwire, MemoryOutboxStore } from "../../main/js/syncwire.js";
import { TestWebSocket } from "./support/mini-websocket.js";
import { FakeLocks } from "./support/fake-locks.js";
import { startNode, until, nextEvent } from "./support/harness.js";

/** Every test ends: a hang fails it instead of stalling the run. */
const LIMIT = { timeout: 60000 };
let node;
let n = 0;
const fresh = (name) => `${name}-${process.pid}-${++n}`;

before(async () => {
  node = await startNode({ "session.lingerMs": 3000 });
});

after(async () => {
  await node?.stop();
});

/** A "tab": a client sharing `locks` and `store` with its siblings; `scope` keeps tests apart. */
function tab(t, locks, store, scope, options = {}) {
  const c = new Syncwire(node.url, {
    tenant: "demo",
    WebSocket: TestWebSocket,
    baseDelayMs: 30,
    jitterMs: 30,
    maxDelayMs: 300,
    store,
    scope,
    sharedConnection: true,
    locks,
    ...options,
  });
  t.after(() => c.dispose());
  return c;
}

test("follower tabs use the leader tab's session: one connection, every tab subscribes and publishes", LIMIT, async (t) => {
  const locks = new FakeLocks();
  const store = new MemoryOutboxStore();
  const scope = fresh("scope");
  const leader = tab(t, locks, store, scope);
  leader.connect();
  await nextEvent(leader, "state", (e) => e.state === "connected");
  const follower = tab(t, locks, store, scope);
  follower.connect();
  await nextEvent(follower, "state", (e) => e.state === "connected");
  assert.equal(follower.session.session, leader.session.session, "one session for both tabs");
  assert.equal(follower.transport, "websocket");

  const ch = fresh("room");
  const got = { leader: [], follower: [] };
  const fsub = follower.subscribe(ch, { onPublication: (p) => got.follower.push(p.data) });
  await fsub.ready;
  const lsub = leader.subscribe(ch, { onPublication: (p) => got.leader.push(p.data) });
  await lsub.ready;
  const ack = await follower.publish(ch, "from follower");
  assert.equal(ack.seq, 1);
  await leader.publish(ch, "from leader");
  await until(() => got.follower.length === 2 && got.leader.length === 2, "both tabs get both");
  assert.deepEqual(got.follower, ["from follower", "from leader"]);
  assert.deepEqual(got.leader, ["from follower", "from leader"]);
  assert.equal((await node.channel("demo", ch)).subscribers, 1, "the session follows the channel once");

  // The leader leaving the channel does not cut the follower off, and the other way round.
  lsub.unsubscribe();
  await node.publish("demo", ch, { data: "backend" });
  await until(() => got.follower.length === 3, "the follower still receives");
  fsub.unsubscribe();
  await until(async () => (await node.channel("demo", ch)).subscribers === 0, "left once nobody follows");
});

test("when the leader tab closes, a follower takes over, connects and resumes with since", LIMIT, async (t) => {
  const locks = new FakeLocks();
  const store = new MemoryOutboxStore();
  const scope = fresh("scope");
  const leader = tab(t, locks, store, scope);
  leader.connect();
  await nextEvent(leader, "state", (e) => e.state === "connected");
  const follower = tab(t, locks, store, scope);
  const states = [];
  follower.on("state", (e) => states.push(e));
  follower.connect();
  await nextEvent(follower, "state", (e) => e.state === "connected");
  const oldSession = follower.session.session;
  const ch = fresh("handover");
  const got = [];
  const resets = [];
  await follower.subscribe(ch, { onPublication: (p) => got.push(p), onReset: (e) => resets.push(e) }).ready;
  for (const d of [1, 2]) await node.publish("demo", ch, { data: d });
  await until(() => got.length === 2, "2 publications through the leader");

  leader.close();
  for (const d of [3, 4]) await node.publish("demo", ch, { data: d });
  await until(() => follower.state === "connected" && follower.session?.session !== oldSession, "the follower connected itself");
  await until(() => got.length === 4, "4 publications");
  assert.deepEqual(got.map((p) => p.seq), [1, 2, 3, 4]);
  assert.equal(resets.length, 0);
  await node.publish("demo", ch, { data: 5 });
  await until(() => got.length === 5, "live on its own session");
  // Whichever comes first, the lock or the old leader's goodbye, names the reason.
  assert.ok(states.some((e) => e.state === "connecting" && ["leader_changed", "leader_lost"].includes(e.reason)), JSON.stringify(states));
});

test("a follower's offline publications wait in the shared outbox and are sent once a leader is connected", LIMIT, async (t) => {
  const locks = new FakeLocks();
  const store = new MemoryOutboxStore();
  const scope = fresh("scope");
  const ch = fresh("outbox");
  const leader = tab(t, locks, store, scope);
  const follower = tab(t, locks, store, scope);
  await until(() => leader._hub?.role === "leader" && follower._hub?.role === "follower", "roles");
  const p = follower.publish(ch, { n: 1 });
  assert.equal(await follower.pending(), 1);
  follower.connect();
  leader.connect();
  const ack = await p;
  assert.equal(ack.seq, 1);
  assert.equal(await follower.pending(), 0);
});
