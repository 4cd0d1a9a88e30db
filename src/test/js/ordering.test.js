import { test } from "node:test";
import assert from "node:assert/strict";
import { Sequencer, Replica } from "../../main/js/syncwire.js";

const pub = (seq, extra = {}) => ({ type: "pub", channel: "c", epoch: "e1", seq, data: seq, ...extra });
const seqs = (out) => out.ready.map((p) => p.seq);

test("publications out of order are held and released in seq order, each once", () => {
  const s = new Sequencer();
  s.reset("e1", 0);
  assert.deepEqual(seqs(s.offer(pub(1))), [1]);
  assert.deepEqual(seqs(s.offer(pub(3))), []);
  assert.equal(s.gap, true);
  assert.deepEqual(seqs(s.offer(pub(4))), []);
  assert.deepEqual(seqs(s.offer(pub(2))), [2, 3, 4]);
  assert.equal(s.gap, false);
  assert.deepEqual(seqs(s.offer(pub(3))), [], "a duplicate is dropped");
  assert.deepEqual(seqs(s.offer(pub(4))), []);
  assert.equal(s.last, 4);
});

test("a merged patch push is accepted when from <= last + 1 and seq > last (docs/protocol.md §8.2)", () => {
  const s = new Sequencer();
  s.reset("e1", 47);
  assert.deepEqual(seqs(s.offer(pub(60, { from: 48 }))), [60]);
  assert.equal(s.last, 60);
  assert.deepEqual(seqs(s.offer(pub(62, { from: 62 }))), [], "from 62 leaves 61 missing");
  assert.deepEqual(seqs(s.offer(pub(61, { from: 55 }))), [61, 62], "from below last+1 still covers 61");
});

test("a publication of another epoch is not applied and is reported", () => {
  const s = new Sequencer();
  s.reset("e1", 5);
  const out = s.offer({ ...pub(6), epoch: "e2" });
  assert.equal(out.epochChanged, true);
  assert.deepEqual(out.ready, []);
});

test("a reset keeps only what lies after the new position in the same epoch", () => {
  const s = new Sequencer();
  s.reset("e1", 0);
  s.offer(pub(5));
  s.offer(pub(9));
  s.reset("e1", 6);
  assert.deepEqual(s.buffer.map((p) => p.seq), [9]);
  assert.deepEqual(seqs(s.offer(pub(7))), [7]);
  assert.deepEqual(seqs(s.offer(pub(8))), [8, 9]);
});

test("the gap buffer reports overflow past its limit", () => {
  const s = new Sequencer(3);
  s.reset("e1", 0);
  for (const n of [3, 4, 5]) assert.equal(s.offer(pub(n)).overflow, false);
  assert.equal(s.offer(pub(6)).overflow, true);
});

test("a replica loads a snapshot and applies set, unset and inc patches with versions (docs/protocol.md §7)", () => {
  const r = new Replica();
  const changed = r.load({ seq: 45, entities: { "row-7": { title: { v: "Hi", seq: 44 }, qty: { v: 3, seq: 31 } }, gone: { x: { v: 1, seq: 2 } } } });
  assert.deepEqual(changed.sort(), ["gone", "row-7"]);
  assert.deepEqual(r.entities.get("row-7"), { title: "Hi", qty: 3 });
  assert.deepEqual(r.versions.get("row-7"), { title: 44, qty: 31 });

  assert.equal(r.apply({ entity: "row-7", set: { title: "Hey" }, inc: { qty: 2, likes: 1 }, versions: { title: 46, qty: 46, likes: 46 } }, 46), "row-7");
  assert.deepEqual(r.entities.get("row-7"), { title: "Hey", qty: 5, likes: 1 });
  assert.equal(r.versions.get("row-7").title, 46);

  const before = r.entities.get("row-7");
  r.apply({ entity: "row-7", unset: ["likes"] }, 47);
  assert.notEqual(r.entities.get("row-7"), before, "a changed entity is a new object");
  assert.deepEqual(r.entities.get("row-7"), { title: "Hey", qty: 5 });

  assert.equal(r.apply({ entity: "gone", unset: ["x"] }, 48), "gone");
  assert.equal(r.entities.has("gone"), false, "unsetting the last field removes the entity");
});

test("a merged patch brings the replica to the state at its seq (docs/protocol.md §8.2)", () => {
  const r = new Replica();
  r.load({ seq: 47, entities: { a: { n: { v: 1, seq: 10 }, t: { v: "x", seq: 10 } } } });
  // patches 48 (inc n 2), 50 (set t "y"), 52 (inc n 3) merged into one push from 48 to 52
  r.apply({ entity: "a", set: { t: "y" }, inc: { n: 5 }, versions: { t: 50, n: 52 } }, 52);
  assert.deepEqual(r.entities.get("a"), { n: 6, t: "y" });
  assert.deepEqual(r.versions.get("a"), { n: 52, t: 50 });
});

test("a set older than the field's version is ignored", () => {
  const r = new Replica();
  r.load({ seq: 10, entities: { a: { t: { v: "new", seq: 10 } } } });
  assert.equal(r.apply({ entity: "a", set: { t: "old" }, versions: { t: 8 } }, 8), null);
  assert.equal(r.entities.get("a").t, "new");
});
