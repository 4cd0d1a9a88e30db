import { test } from "node:test";
import assert from "node:assert/strict";
import { backoffDelay, DEFAULTS } from "../../main/js/syncwire.js";

test("the delay doubles from the base and adds at most the jitter (docs/protocol.md §14.1)", () => {
  const opts = { baseDelayMs: 1000, jitterMs: 1000, maxDelayMs: 30000 };
  for (let attempt = 0; attempt < 5; attempt++) {
    assert.equal(backoffDelay(attempt, opts, () => 0), 1000 * 2 ** attempt);
    assert.equal(backoffDelay(attempt, opts, () => 0.999999), Math.round(1000 * 2 ** attempt + 999.999));
  }
});

test("the delay never passes the cap, whatever the attempt", () => {
  const opts = { baseDelayMs: 1000, jitterMs: 1000, maxDelayMs: 30000 };
  assert.equal(backoffDelay(5, opts, () => 0), 30000); // 32 000 capped
  assert.equal(backoffDelay(4, opts, () => 0.99), 16990);
  assert.equal(backoffDelay(1000, opts, () => 0.5), 30000);
  assert.equal(backoffDelay(Number.MAX_SAFE_INTEGER, opts, () => 0.5), 30000);
});

test("defaults are base 1 s, jitter 1 s, cap 30 s and 8 attempts", () => {
  assert.equal(DEFAULTS.baseDelayMs, 1000);
  assert.equal(DEFAULTS.jitterMs, 1000);
  assert.equal(DEFAULTS.maxDelayMs, 30000);
  assert.equal(DEFAULTS.maxAttempts, 8);
  const d = backoffDelay(0);
  assert.ok(d >= 1000 && d <= 2000, "first delay " + d);
});

test("delays of many clients spread over the whole jitter window (no thundering herd)", () => {
  const opts = { baseDelayMs: 1000, jitterMs: 1000, maxDelayMs: 30000 };
  const samples = Array.from({ length: 2000 }, () => backoffDelay(1, opts));
  const min = Math.min(...samples);
  const max = Math.max(...samples);
  assert.ok(min >= 2000 && max <= 3000, `within [2000, 3000]: ${min}..${max}`);
  // Ten buckets of 100 ms each get a share: the spread is real, not a few values.
  const buckets = new Array(10).fill(0);
  for (const s of samples) buckets[Math.min(9, Math.floor((s - 2000) / 100))]++;
  for (const b of buckets) assert.ok(b > 100, "bucket counts " + buckets.join(","));
  assert.ok(max - min > 900, "spread " + (max - min));
});

test("every option changes the delay: zero jitter gives exact powers of two", () => {
  assert.equal(backoffDelay(3, { baseDelayMs: 10, jitterMs: 0, maxDelayMs: 1000 }), 80);
  assert.equal(backoffDelay(7, { baseDelayMs: 10, jitterMs: 0, maxDelayMs: 1000 }), 1000);
});
