// Syncwire browser client: one ES module, no dependencies, no build step.
// Runs in current browsers and in Node 20+ (pass a `WebSocket` constructor where none is global).
// The wire protocol is docs/protocol.md; section numbers below (§N) refer to it.

/** Version of this client; `connect` sends it as `client` (docs/protocol.md §3.2). */
export const VERSION = "0.1.0-SNAPSHOT";
const CLIENT_NAME = "syncwire-js/" + VERSION;

/** Transport names in the order of preference of docs/protocol.md §14.3. */
export const TRANSPORTS = Object.freeze(["websocket", "sse", "longpoll"]);

/** Defaults of every option; see the README of the package and syncwire.d.ts. */
export const DEFAULTS = Object.freeze({
  transports: TRANSPORTS,
  baseDelayMs: 1000,
  jitterMs: 1000,
  maxDelayMs: 30000,
  maxAttempts: 8,
  gapTimeoutMs: 2000,
  offlineTtlMs: 86400000,
  upgradeRetryMs: 60000,
  refreshBeforeMs: 30000,
  openTimeoutMs: 10000,
  commandTimeoutMs: 35000, // /send answers every command within 30 s (§11.2); a WebSocket that stays silent longer is dead
  pingTimeoutMs: 10000,
  probeTimeoutMs: 3000,
  httpIdleTimeoutMs: 45000, // above longpoll.timeoutMs (25 s) and two SSE keepalives (15 s), §9.1
  maxInFlight: 1,
  gapBufferLimit: 10000,
  // limits.maxFrameBytes and http.maxSendBytes (§9.2, §11.2): a larger command would close the
  // WebSocket with 1009, which is not retried, and would stay in the outbox for every later connect.
  maxFrameBytes: 65536,
});

// §10.2: close codes after which a client must not reconnect on its own.
const NO_RETRY_CLOSE_CODES = new Set([1000, 1002, 1007, 1008, 1009, 4003, 4400]);
// §4.2: refusals a command may overcome when sent again later.
const RETRYABLE_CODES = new Set(["rate_limited", "overloaded", "unavailable", "internal"]);
const WS_SUBPROTOCOL = "syncwire.v1.json";

// ---------------------------------------------------------------------------------------------
// Errors and small helpers
// ---------------------------------------------------------------------------------------------

/**
 * An error reply of the server (§4.1) or a failure of the client itself. `code` is a wire code
 * (`conflict`, `forbidden`, ...) or one of the client's: `closed`, `disconnected`, `expired`,
 * `timeout`, `transport_failed`, `quota_exceeded`, `storage`.
 */
export class SyncwireError extends Error {
  /**
   * @param {string} code
   * @param {string} [message]
   * @param {{retry?: boolean, retryAfterMs?: number, current?: any, status?: number, closeCode?: number, refused?: boolean, cause?: any}} [extra]
   */
  constructor(code, message, extra = {}) {
    super(message || code);
    this.name = "SyncwireError";
    /** @type {string} */ this.code = code;
    /** @type {boolean} */ this.retry = extra.retry ?? RETRYABLE_CODES.has(code);
    /** @type {number|undefined} */ this.retryAfterMs = extra.retryAfterMs;
    /** @type {any} */ this.current = extra.current;
    /** @type {number|undefined} */ this.status = extra.status;
    /** @type {number|undefined} */ this.closeCode = extra.closeCode;
    /** @type {boolean} */ this.refused = !!extra.refused;
    if (extra.cause !== undefined) this.cause = extra.cause;
  }

  /** @param {any} frame an `error` reply */
  static fromReply(frame) {
    return new SyncwireError(String(frame.code || "internal"), frame.message, {
      retry: frame.retry === true || (frame.retry === undefined && RETRYABLE_CODES.has(frame.code)),
      retryAfterMs: typeof frame.retryAfterMs === "number" ? frame.retryAfterMs : undefined,
      current: frame.current,
    });
  }
}

/**
 * The reconnect delay of docs/protocol.md §14.1: min(base × 2^attempt + random(0, jitter), cap).
 * `attempt` counts from 0 (the first wait after a loss).
 * @param {number} attempt
 * @param {{baseDelayMs?: number, jitterMs?: number, maxDelayMs?: number}} [options]
 * @param {() => number} [random] returns a number in [0, 1)
 * @returns {number} milliseconds
 */
export function backoffDelay(attempt, options = {}, random = Math.random) {
  const base = options.baseDelayMs ?? DEFAULTS.baseDelayMs;
  const jitter = options.jitterMs ?? DEFAULTS.jitterMs;
  const cap = options.maxDelayMs ?? DEFAULTS.maxDelayMs;
  const exp = base * Math.pow(2, Math.max(0, Math.min(attempt, 60)));
  return Math.round(Math.min(exp + random() * jitter, cap));
}

/**
 * The claims of a JWT, read without verifying it (only the server verifies tokens).
 * @param {string} token
 * @returns {Record<string, any> | null}
 */
export function decodeToken(token) {
  try {
    const part = String(token).split(".")[1];
    if (!part) return null;
    const b64 = part.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((part.length + 3) % 4);
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === "object" ? claims : null;
  } catch {
    return null;
  }
}

function randomId(bytes = 9) {
  const a = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(a);
  let s = "";
  for (const b of a) s += "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_"[b & 63];
  return s;
}

function report(error) {
  if (typeof globalThis.reportError === "function") globalThis.reportError(error);
  else if (typeof console !== "undefined") console.error(error);
}

function safeCall(fn, ...args) {
  if (typeof fn !== "function") return;
  try {
    fn(...args);
  } catch (e) {
    report(e);
  }
}

/** A promise with its settle functions; `catch` is attached so that an ignored rejection is silent when asked. */
function deferred() {
  let resolve, reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Minimal event emitter: `on` returns the function that removes the listener. */
class Emitter {
  constructor() {
    /** @type {Map<string, Set<Function>>} */
    this._listeners = new Map();
  }

  /** @param {string} event @param {Function} fn @returns {() => void} */
  on(event, fn) {
    let set = this._listeners.get(event);
    if (!set) this._listeners.set(event, (set = new Set()));
    set.add(fn);
    return () => this.off(event, fn);
  }

  /** @param {string} event @param {Function} fn */
  once(event, fn) {
    const off = this.on(event, (...a) => {
      off();
      fn(...a);
    });
    return off;
  }

  /** @param {string} event @param {Function} fn */
  off(event, fn) {
    this._listeners.get(event)?.delete(fn);
  }

  /** @param {string} event @param {...any} args */
  emit(event, ...args) {
    const set = this._listeners.get(event);
    if (!set) return;
    for (const fn of [...set]) safeCall(fn, ...args);
  }

  removeAllListeners() {
    this._listeners.clear();
  }
}

/**
 * A periodic tick that background-tab timer throttling cannot stretch much: it runs in a dedicated
 * Worker where one can be made (blob URL), else on setInterval.
 * @param {number} intervalMs
 * @param {() => void} fn
 */
function createTicker(intervalMs, fn) {
  let handle = null;
  let worker = null;
  let url = null;
  const fallback = () => {
    if (worker) {
      worker.terminate();
      worker = null;
    }
    if (url) URL.revokeObjectURL(url);
    url = null;
    if (handle === null) handle = setInterval(fn, intervalMs);
  };
  const canWorker = typeof Worker === "function" && typeof Blob === "function" && typeof document !== "undefined"
    && typeof URL !== "undefined" && typeof URL.createObjectURL === "function";
  if (canWorker) {
    try {
      url = URL.createObjectURL(new Blob([`setInterval(function(){postMessage(0)},${intervalMs|0})`],
        { type: "text/javascript" }));
      worker = new Worker(url);
      worker.onmessage = () => fn();
      worker.onerror = (e) => {
        e?.preventDefault?.();
        fallback(); // a content security policy without worker-src blob:
      };
    } catch {
      fallback();
    }
  } else {
    fallback();
  }
  return {
    stop() {
      if (handle !== null) clearInterval(handle);
      handle = null;
      if (worker) worker.terminate();
      worker = null;
      if (url) URL.revokeObjectURL(url);
      url = null;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Ordered application (§6.2, §8.2) and the state replica (§7)
// ---------------------------------------------------------------------------------------------

/**
 * Puts the publications of one channel in order. It knows the last applied position; `offer` hands
 * back what can now be applied, in order, and holds the rest until the gap closes. A merged push
 * (`from`) is accepted when `from <= last + 1` and `seq > last` (§8.2).
 */
export class Sequencer {
  constructor(limit = DEFAULTS.gapBufferLimit) {
    /** @type {string|null} */ this.epoch = null;
    /** @type {number} */ this.last = -1;
    /** @type {any[]} */ this.buffer = [];
    this.limit = limit;
  }

  /** Starts from a known position (a `subscribed` reply). */
  reset(epoch, seq) {
    this.epoch = epoch;
    this.last = seq;
    this.buffer = this.buffer.filter((p) => p.epoch === epoch && p.seq > seq);
  }

  /** Whether publications are waiting for an earlier one. */
  get gap() {
    return this.buffer.length > 0;
  }

  /**
   * @param {any} pub a `pub` push
   * @returns {{ready: any[], epochChanged: boolean, overflow: boolean}}
   */
  offer(pub) {
    const out = { ready: [], epochChanged: false, overflow: false };
    if (this.epoch !== null && pub.epoch !== this.epoch) {
      out.epochChanged = true;
      return out;
    }
    if (typeof pub.seq !== "number" || pub.seq <= this.last) return out; // a duplicate (§6.2)
    const from = typeof pub.from === "number" ? pub.from : pub.seq;
    if (from <= this.last + 1) {
      out.ready.push(pub);
      this.last = pub.seq;
      this._drain(out.ready);
    } else {
      if (!this.buffer.some((p) => p.seq === pub.seq)) {
        this.buffer.push(pub);
        this.buffer.sort((a, b) => (a.from ?? a.seq) - (b.from ?? b.seq));
      }
      out.overflow = this.buffer.length > this.limit;
    }
    return out;
  }

  _drain(ready) {
    while (this.buffer.length) {
      const head = this.buffer[0];
      if (head.seq <= this.last) {
        this.buffer.shift();
      } else if ((head.from ?? head.seq) <= this.last + 1) {
        this.buffer.shift();
        ready.push(head);
        this.last = head.seq;
      } else {
        break;
      }
    }
  }
}

/**
 * The local copy of a state channel (§7): entity id → fields (plain objects, replaced on every
 * change so that identity comparison finds what changed), and each field's version.
 */
export class Replica {
  constructor() {
    /** @type {Map<string, Record<string, any>>} */ this.entities = new Map();
    /** @type {Map<string, Record<string, number>>} */ this.versions = new Map();
    /** @type {number} */ this.seq = 0;
  }

  /**
   * Replaces everything with a snapshot `{seq, entities: {id: {field: {v, seq}}}}` (§7.4).
   * @returns {string[]} the ids that changed (removed ones included)
   */
  load(snapshot) {
    const changed = new Set(this.entities.keys());
    this.entities = new Map();
    this.versions = new Map();
    const entities = (snapshot && snapshot.entities) || {};
    for (const id of Object.keys(entities)) {
      const fields = {};
      const versions = {};
      for (const [name, f] of Object.entries(entities[id] || {})) {
        fields[name] = f?.v;
        versions[name] = f?.seq ?? 0;
      }
      if (Object.keys(fields).length) {
        this.entities.set(id, fields);
        this.versions.set(id, versions);
        changed.add(id);
      }
    }
    this.seq = snapshot?.seq ?? 0;
    return [...changed];
  }

  /**
   * Applies the patch of a `pub` (§7.2, §7.4; merged patches of §8.2 alike).
   * @param {any} patch
   * @param {number} seq the publication's seq
   * @returns {string|null} the entity id if it changed
   */
  apply(patch, seq) {
    if (!patch || typeof patch.entity !== "string") return null;
    const id = patch.entity;
    const before = this.entities.get(id);
    const fields = { ...(before || {}) };
    const versions = { ...(this.versions.get(id) || {}) };
    const given = patch.versions || {};
    let changed = false;
    for (const [name, value] of Object.entries(patch.set || {})) {
      const v = typeof given[name] === "number" ? given[name] : seq;
      if ((versions[name] ?? 0) > v) continue; // an older write than the one we hold
      fields[name] = value;
      versions[name] = v;
      changed = true;
    }
    for (const name of Array.isArray(patch.unset) ? patch.unset : []) {
      if ((versions[name] ?? 0) > seq) continue;
      if (name in fields) {
        delete fields[name];
        delete versions[name];
        changed = true;
      }
    }
    for (const [name, by] of Object.entries(patch.inc || {})) {
      const current = typeof fields[name] === "number" ? fields[name] : 0;
      fields[name] = current + Number(by);
      versions[name] = typeof given[name] === "number" ? given[name] : seq;
      changed = true;
    }
    this.seq = Math.max(this.seq, seq);
    if (!changed) return null;
    if (Object.keys(fields).length === 0) {
      this.entities.delete(id);
      this.versions.delete(id);
    } else {
      this.entities.set(id, fields);
      this.versions.set(id, versions);
    }
    return id;
  }
}

// ---------------------------------------------------------------------------------------------
// Transports: each opens a session with `connect`, then carries commands up and frames down.
//   open(connectFrame) -> Promise<connected reply>   (rejects with SyncwireError; `refused` when the
//                                                      server answered, else the transport failed)
//   send(text, urgent)   one command as JSON text
//   close()
//   onframe(frame)       every reply and push after `connected`
//   onclose(info)        the session ended: {code?, reason?, status?, retryAfterMs?}
// ---------------------------------------------------------------------------------------------

function transportFailed(message, extra) {
  return new SyncwireError("transport_failed", message, { retry: true, ...extra });
}

/** A refusal carried by a close code before `connected` (§10.2). */
function refusalFromClose(code, reason) {
  if (code === 4001) return new SyncwireError("unauthorized", reason || "unauthorized", { refused: true, closeCode: code });
  if (code === 4003) return new SyncwireError("forbidden", reason || "forbidden", { refused: true, closeCode: code });
  if (code === 1013) return new SyncwireError("overloaded", reason || "try again later", { refused: true, closeCode: code, retry: true });
  if (NO_RETRY_CLOSE_CODES.has(code) && code !== 1000) {
    return new SyncwireError("closed", reason || "closed " + code, { refused: true, closeCode: code, retry: false });
  }
  return null;
}

function retryAfterHeader(response) {
  const h = response.headers.get("Retry-After");
  if (!h) return undefined;
  const s = Number(h);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(h);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

class WebSocketTransport {
  /** @param {string} wsUrl @param {any} Ctor @param {number} openTimeoutMs */
  constructor(wsUrl, Ctor, openTimeoutMs) {
    this.name = "websocket";
    this.url = wsUrl;
    this.Ctor = Ctor;
    this.openTimeoutMs = openTimeoutMs;
    this.ws = null;
    this.connected = false;
    this.closed = false;
    this.onframe = (_f) => {};
    this.onclose = (_i) => {};
  }

  open(connectFrame) {
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (err) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this._shut(1000);
        reject(err);
      };
      let ws;
      try {
        ws = new this.Ctor(this.url, WS_SUBPROTOCOL);
      } catch (e) {
        reject(transportFailed("WebSocket could not be created", { cause: e }));
        return;
      }
      this.ws = ws;
      const timer = setTimeout(() => fail(transportFailed("no connected reply within " + this.openTimeoutMs + " ms")),
        this.openTimeoutMs);
      ws.onopen = () => {
        try {
          ws.send(JSON.stringify(connectFrame));
        } catch (e) {
          fail(transportFailed("send failed", { cause: e }));
        }
      };
      ws.onmessage = (ev) => {
        if (typeof ev.data !== "string") return; // JSON subprotocol: text frames only
        let frame;
        try {
          frame = JSON.parse(ev.data);
        } catch {
          return;
        }
        if (!frame || typeof frame !== "object") return;
        if (!this.connected) {
          if (frame.id !== connectFrame.id) return;
          if (frame.type === "connected") {
            settled = true;
            clearTimeout(timer);
            this.connected = true;
            resolve(frame);
          } else {
            const err = SyncwireError.fromReply(frame);
            err.refused = true;
            fail(err);
          }
          return;
        }
        this.onframe(frame);
      };
      ws.onerror = () => {};
      ws.onclose = (ev) => {
        const code = ev?.code ?? 1006;
        const reason = ev?.reason || "";
        if (!this.connected) {
          fail(refusalFromClose(code, reason) || transportFailed("WebSocket closed before connected (" + code + ")", { closeCode: code }));
          return;
        }
        if (this.closed) return;
        this.closed = true;
        this.onclose({ code, reason });
      };
    });
  }

  send(text) {
    if (this.ws && this.ws.readyState === 1) this.ws.send(text);
  }

  close(code = 1000) {
    this.closed = true;
    this._shut(code);
  }

  _shut(code) {
    const ws = this.ws;
    if (!ws) return;
    try {
      if (ws.readyState === 0 || ws.readyState === 1) ws.close(code);
    } catch {
      /* already closing */
    }
  }
}

/**
 * HTTP sessions (§11): commands over `POST /send`, pushes over `GET /sse` (read as a fetch stream,
 * so it needs no EventSource and can use the cursor) or `GET /poll`.
 */
class HttpTransport {
  /**
   * @param {"sse"|"longpoll"} mode
   * @param {string} baseUrl
   * @param {typeof fetch} fetchFn
   * @param {{openTimeoutMs: number, httpIdleTimeoutMs: number}} timing
   */
  constructor(mode, baseUrl, fetchFn, timing) {
    this.name = mode;
    this.mode = mode;
    this.base = baseUrl;
    this.fetch = fetchFn;
    this.timing = timing;
    this.session = null;
    this.key = null;
    this.cursor = 0;
    this.closed = false;
    this.queue = [];
    this.posting = false;
    this.flushScheduled = false;
    this.downAbort = null;
    this.controllers = new Set();
    this.onframe = (_f) => {};
    this.onclose = (_i) => {};
    /** set when POST /send itself failed on the network: the other HTTP transport would fail too */
    this.networkDown = false;
  }

  async open(connectFrame) {
    let response;
    try {
      response = await this._fetch(this.base + "/send", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: "[" + JSON.stringify(connectFrame) + "]",
      }, this.timing.openTimeoutMs);
    } catch (e) {
      this.networkDown = true;
      throw transportFailed("POST /send failed", { cause: e });
    }
    const body = await response.text().catch(() => "");
    let parsed = null;
    try {
      parsed = JSON.parse(body);
    } catch {
      /* not JSON */
    }
    const first = Array.isArray(parsed) ? parsed[0] : null;
    if (response.status === 200 && first?.type === "connected") {
      this.session = first.session;
      this.key = first.key;
    } else if (response.status === 401 || response.status === 503 || first?.type === "error") {
      const err = first?.type === "error" ? SyncwireError.fromReply(first)
        : new SyncwireError(parsed?.code || parsed?.error?.code || (response.status === 401 ? "unauthorized" : "overloaded"),
          parsed?.message || parsed?.error?.message);
      err.refused = true;
      err.status = response.status;
      err.retryAfterMs = retryAfterHeader(response) ?? err.retryAfterMs ?? parsed?.error?.retryAfterMs;
      throw err;
    } else {
      throw transportFailed("POST /send answered " + response.status, { status: response.status });
    }
    if (this.mode === "sse") {
      await this._openSse(true);
    } else {
      this._poll();
    }
    return first;
  }

  send(text, urgent = false) {
    if (this.closed) return;
    if (urgent) {
      this._post([text]);
      return;
    }
    this.queue.push(text);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => {
        this.flushScheduled = false;
        this._flush();
      });
    }
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.controllers) c.abort();
    this.controllers.clear();
  }

  /** Ends the session from our side: closes it and tells the client once. */
  _lost(info) {
    if (this.closed) return;
    this.close();
    this.onclose(info);
  }

  _sessionQuery() {
    return "session=" + encodeURIComponent(this.session) + "&key=" + encodeURIComponent(this.key);
  }

  /** fetch with an abort on close and a deadline */
  async _fetch(url, init, timeoutMs) {
    const controller = new AbortController();
    this.controllers.add(controller);
    const timer = timeoutMs ? setTimeout(() => controller.abort(), timeoutMs) : null;
    try {
      const response = await this.fetch(url, { ...init, signal: controller.signal, cache: "no-store" });
      await response.clone().arrayBuffer().catch(() => {}); // the whole answer, under the deadline
      return response;
    } finally {
      if (timer) clearTimeout(timer);
      this.controllers.delete(controller);
    }
  }

  _flush() {
    if (this.posting || this.closed || this.queue.length === 0) return;
    // One POST at a time keeps commands in the order the client issued them (§11.2 answers in order).
    const batch = [];
    let bytes = 2;
    while (this.queue.length && batch.length < 100) {
      const next = this.queue[0];
      if (batch.length && bytes + next.length + 1 > 60000) break; // under http.maxSendBytes (64 KiB)
      batch.push(this.queue.shift());
      bytes += next.length + 1;
    }
    this.posting = true;
    this._post(batch).finally(() => {
      this.posting = false;
      this._flush();
    });
  }

  async _post(batch) {
    let response;
    try {
      response = await this._fetch(this.base + "/send?session=" + encodeURIComponent(this.session), {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Syncwire-Key": this.key },
        body: "[" + batch.join(",") + "]",
      }, 0);
    } catch (e) {
      if (!this.closed) this._lost({ reason: "send_failed" });
      return;
    }
    const text = await response.text().catch(() => null);
    if (this.closed) return;
    if (response.status === 200) {
      let replies = null;
      try {
        replies = JSON.parse(text);
      } catch {
        /* fall through */
      }
      if (!Array.isArray(replies)) {
        this._lost({ reason: "bad_answer" });
        return;
      }
      for (const r of replies) if (r && typeof r === "object") this.onframe(r);
    } else if (response.status === 413 && batch.length === 1) {
      // The one command is larger than http.maxSendBytes: its own refusal, not the session's.
      let id;
      try {
        id = JSON.parse(batch[0]).id;
      } catch {
        /* ignore */
      }
      this.onframe({ id, type: "error", code: "too_large", message: "command larger than http.maxSendBytes", retry: false });
    } else if (response.status === 413) {
      for (const t of batch) await this._post([t]); // together too large: one by one
    } else {
      this._lost(this._statusInfo(response, text));
    }
  }

  _statusInfo(response, text) {
    let body = null;
    try {
      body = JSON.parse(text);
    } catch {
      /* ignore */
    }
    if (response.status === 401) return { code: 4001, reason: body?.code || "unauthorized", status: 401 };
    if (response.status === 404) return { reason: body?.code || "session_not_found", status: 404 };
    return { reason: "http_" + response.status, status: response.status, retryAfterMs: retryAfterHeader(response) };
  }

  // --- downstreams ---

  _deliver(frame) {
    if (!this.closed && frame && typeof frame === "object") this.onframe(frame);
  }

  /**
   * Opens (or reopens, with the cursor) the SSE stream. The first open resolves once bytes arrive, so
   * a proxy that buffers the stream counts as a failed transport (§14.3).
   */
  _openSse(first) {
    return new Promise((resolve, reject) => {
      const controller = new AbortController();
      this.controllers.add(controller);
      this.downAbort = controller;
      let opened = false;
      let idle = null;
      const armIdle = (ms) => {
        clearTimeout(idle);
        idle = setTimeout(() => controller.abort(), ms);
      };
      armIdle(first ? this.timing.openTimeoutMs : this.timing.httpIdleTimeoutMs);
      const done = (err, info) => {
        clearTimeout(idle);
        this.controllers.delete(controller);
        if (this.closed) return;
        if (!opened) {
          if (first) {
            reject(err || transportFailed("SSE stream did not open"));
            return;
          }
        }
        if (info) this._lost(info);
        else this._reopenDownstream();
      };
      const url = this.base + "/sse?" + this._sessionQuery() + "&cursor=" + this.cursor;
      this.fetch(url, { headers: { Accept: "text/event-stream" }, signal: controller.signal, cache: "no-store" })
        .then(async (response) => {
          if (response.status !== 200) {
            const text = await response.text().catch(() => "");
            done(transportFailed("GET /sse answered " + response.status, { status: response.status }),
              response.status === 404 || response.status === 401 ? this._statusInfo(response, text) : null);
            return;
          }
          const reader = response.body.getReader();
          const decoder = new TextDecoder();
          let buf = "";
          let data = [];
          let id = null;
          for (;;) {
            const { value, done: end } = await reader.read();
            if (end) break;
            armIdle(this.timing.httpIdleTimeoutMs);
            if (!opened) {
              opened = true;
              this._downFailures = 0;
              if (first) resolve();
            }
            buf += decoder.decode(value, { stream: true });
            let nl;
            while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
              const line = buf.slice(0, nl);
              buf = buf.slice(nl + (buf[nl] === "\r" && buf[nl + 1] === "\n" ? 2 : 1));
              if (line === "") {
                if (data.length) {
                  if (id !== null) this.cursor = id;
                  let frame = null;
                  try {
                    frame = JSON.parse(data.join("\n"));
                  } catch {
                    /* ignore */
                  }
                  this._deliver(frame);
                }
                data = [];
                id = null;
                continue;
              }
              if (line[0] === ":") continue;
              const colon = line.indexOf(":");
              const field = colon < 0 ? line : line.slice(0, colon);
              let val = colon < 0 ? "" : line.slice(colon + 1);
              if (val[0] === " ") val = val.slice(1);
              if (field === "data") data.push(val);
              else if (field === "id" && /^\d+$/.test(val)) id = Number(val);
            }
          }
          done(null, null);
        })
        .catch((e) => done(transportFailed("SSE stream failed", { cause: e }), null));
    });
  }

  _poll() {
    if (this.closed) return;
    const url = this.base + "/poll?" + this._sessionQuery() + "&cursor=" + this.cursor;
    this._fetch(url, {}, this.timing.httpIdleTimeoutMs)
      .then(async (response) => {
        const text = await response.text();
        if (this.closed) return;
        if (response.status !== 200) {
          if (response.status === 404 || response.status === 401) this._lost(this._statusInfo(response, text));
          else this._reopenDownstream();
          return;
        }
        const body = JSON.parse(text);
        this._downFailures = 0;
        for (const m of body.messages || []) this._deliver(m);
        if (typeof body.cursor === "number" && body.cursor > this.cursor) this.cursor = body.cursor;
        this._poll();
      })
      .catch(() => {
        if (!this.closed) this._reopenDownstream();
      });
  }

  /**
   * The downstream broke but the session lives on the server for `session.lingerMs` (§9.1): reopen it
   * with the cursor, so nothing is lost (§11.5); give up after a few tries.
   */
  _reopenDownstream() {
    if (this.closed) return;
    this._downFailures = (this._downFailures || 0) + 1;
    if (this._downFailures > 3) {
      // Past this the client connects again and resubscribes with since, which loses nothing either.
      this._lost({ reason: "downstream_failed" });
      return;
    }
    const delay = this._downFailures === 1 ? 0 : 250 * 2 ** (this._downFailures - 1);
    setTimeout(() => {
      if (this.closed) return;
      if (this.mode === "sse") this._openSse(false).catch(() => {});
      else this._poll();
    }, delay);
  }
}

// ---------------------------------------------------------------------------------------------
// Outbox storage. The client keeps its queue in a store with this small interface, so that Node
// tests run against memory and browsers against IndexedDB. An entry:
//   { id, scope, channel, key, kind: "data"|"patch", body (JSON text), createdAt, expiresAt, n, owner }
// `owner` is the id of the live client (or service worker) that may send it; an entry whose owner is
// gone is claimed, in one transaction, by the next client of its scope.
// ---------------------------------------------------------------------------------------------

function byOrder(a, b) {
  return a.createdAt - b.createdAt || a.n - b.n || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Liveness of owners inside one JavaScript realm (Node tests, or a browser without Web Locks and IndexedDB). */
class MemoryLiveness {
  constructor() {
    this.held = new Set();
  }
  async hold(owner) {
    this.held.add(owner);
  }
  release(owner) {
    this.held.delete(owner);
  }
  async alive(owners) {
    return new Set(owners.filter((o) => this.held.has(o)));
  }
}

/**
 * An outbox in memory. Several clients given the same instance share it like tabs of one origin,
 * which lets tests stand in for a page reload (a new client on the same store).
 */
export class MemoryOutboxStore {
  constructor() {
    this.durable = false;
    /** @type {Map<string, any>} */ this.entries = new Map();
    /** @type {Map<string, any>} */ this.receipts = new Map();
    /** @type {Map<string, any>} */ this.creds = new Map();
    this._liveness = new MemoryLiveness();
  }
  async open() {}
  liveness() {
    return this._liveness;
  }
  async add(entry) {
    this.entries.set(entry.id, { ...entry });
  }
  async remove(id) {
    this.entries.delete(id);
  }
  async list(scope) {
    return [...this.entries.values()].filter((e) => e.scope === scope).sort(byOrder).map((e) => ({ ...e }));
  }
  async claim(scope, owner, deadOwners) {
    const dead = new Set(deadOwners);
    const out = [];
    for (const e of this.entries.values()) {
      if (e.scope === scope && (e.owner == null || dead.has(e.owner))) {
        e.owner = owner;
        out.push({ ...e });
      }
    }
    return out.sort(byOrder);
  }
  async release(scope, owner) {
    for (const e of this.entries.values()) if (e.scope === scope && e.owner === owner) e.owner = null;
  }
  async addReceipt(receipt) {
    this.receipts.set(receipt.id, { ...receipt });
  }
  async takeReceipts(scope) {
    const out = [...this.receipts.values()].filter((r) => r.scope === scope).sort(byOrder);
    for (const r of out) this.receipts.delete(r.id);
    return out;
  }
  async saveCredentials(record) {
    this.creds.set(record.scope, { ...record });
  }
  async credentials() {
    return [...this.creds.values()];
  }
  close() {}
}

const IDB_NAME = "syncwire";
const IDB_VERSION = 1;

/**
 * The browser's outbox: IndexedDB database `syncwire` with the stores `outbox`, `receipts`, `owners`
 * (leases, used only without Web Locks) and `credentials` (for the service worker). Every write is
 * one transaction, created synchronously once the database is open, with strict durability.
 */
export class IndexedDbOutboxStore {
  /** @param {{indexedDB?: IDBFactory, name?: string}} [options] */
  constructor(options = {}) {
    this.durable = true;
    this.factory = options.indexedDB || globalThis.indexedDB;
    this.name = options.name || IDB_NAME;
    this.db = null;
    this._opening = null;
  }

  open() {
    if (this.db) return Promise.resolve();
    if (!this._opening) {
      this._opening = new Promise((resolve, reject) => {
        let req;
        try {
          req = this.factory.open(this.name, IDB_VERSION);
        } catch (e) {
          reject(e);
          return;
        }
        req.onupgradeneeded = () => {
          const db = req.result;
          if (!db.objectStoreNames.contains("outbox")) db.createObjectStore("outbox", { keyPath: "id" }).createIndex("scope", "scope");
          if (!db.objectStoreNames.contains("receipts")) db.createObjectStore("receipts", { keyPath: "id" }).createIndex("scope", "scope");
          if (!db.objectStoreNames.contains("owners")) db.createObjectStore("owners", { keyPath: "owner" });
          if (!db.objectStoreNames.contains("credentials")) db.createObjectStore("credentials", { keyPath: "scope" });
        };
        req.onsuccess = () => {
          this.db = req.result;
          // Another tab upgrading the schema: let it, and reopen on next use.
          this.db.onversionchange = () => {
            this.db.close();
            this.db = null;
            this._opening = null;
          };
          resolve();
        };
        req.onerror = () => reject(req.error);
        req.onblocked = () => {};
      });
      this._opening.catch(() => {
        this._opening = null;
      });
    }
    return this._opening;
  }

  liveness() {
    return new IdbLeaseLiveness(this);
  }

  /** Runs `body(stores)` in one transaction; resolves with its result when the transaction completes. */
  _tx(names, mode, body) {
    const run = () =>
      new Promise((resolve, reject) => {
        let tx;
        try {
          tx = this.db.transaction(names, mode, mode === "readwrite" ? { durability: "strict" } : undefined);
        } catch (e) {
          reject(e);
          return;
        }
        let result;
        tx.oncomplete = () => resolve(result);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error || new SyncwireError("storage", "transaction aborted"));
        try {
          const stores = Object.fromEntries((Array.isArray(names) ? names : [names]).map((n) => [n, tx.objectStore(n)]));
          body(stores, (r) => {
            result = r;
          });
        } catch (e) {
          try {
            tx.abort();
          } catch {
            /* already done */
          }
          reject(e);
        }
      });
    // Created in the caller's turn when the database is open: the write starts before publish returns.
    return this.db ? run() : this.open().then(run);
  }

  add(entry) {
    return this._tx("outbox", "readwrite", (s) => {
      s.outbox.put(entry);
    }).catch((e) => {
      throw e?.name === "QuotaExceededError" ? new SyncwireError("quota_exceeded", "storage quota exceeded", { cause: e }) : e;
    });
  }

  remove(id) {
    return this._tx("outbox", "readwrite", (s) => {
      s.outbox.delete(id);
    });
  }

  list(scope) {
    return this._tx("outbox", "readonly", (s, set) => {
      const req = s.outbox.index("scope").getAll(scope);
      req.onsuccess = () => set(req.result.sort(byOrder));
    });
  }

  claim(scope, owner, deadOwners) {
    const dead = new Set(deadOwners);
    return this._tx("outbox", "readwrite", (s, set) => {
      const claimed = [];
      const req = s.outbox.index("scope").openCursor(IDBKeyRange.only(scope));
      req.onsuccess = () => {
        const cursor = req.result;
        if (!cursor) {
          set(claimed.sort(byOrder));
          return;
        }
        const e = cursor.value;
        // Checked inside the transaction: two tabs claiming at once cannot both win.
        if (e.owner == null || dead.has(e.owner)) {
          e.owner = owner;
          cursor.update(e);
          claimed.push(e);
        }
        cursor.continue();
      };
    });
  }

  release(scope, owner) {
    return this._tx("outbox", "readwrite", (s) => {
      const req = s.outbox.index("scope").openCursor(IDBKeyRange.only(scope));
      req.onsuccess = () => {
        const cursor = req.result;
        if (!cursor) return;
        if (cursor.value.owner === owner) cursor.update({ ...cursor.value, owner: null });
        cursor.continue();
      };
    });
  }

  addReceipt(receipt) {
    return this._tx("receipts", "readwrite", (s) => {
      s.receipts.put(receipt);
    });
  }

  takeReceipts(scope) {
    return this._tx("receipts", "readwrite", (s, set) => {
      const req = s.receipts.index("scope").getAll(scope);
      req.onsuccess = () => {
        const list = req.result.sort(byOrder); // in the order the publications were made
        for (const r of list) s.receipts.delete(r.id);
        set(list);
      };
    });
  }

  saveCredentials(record) {
    return this._tx("credentials", "readwrite", (s) => {
      s.credentials.put(record);
    });
  }

  credentials() {
    return this._tx("credentials", "readonly", (s, set) => {
      const req = s.credentials.getAll();
      req.onsuccess = () => set(req.result);
    });
  }

  close() {
    if (this.db) this.db.close();
    this.db = null;
    this._opening = null;
  }
}

/** Owners held by a lease in IndexedDB, for browsers without Web Locks: renewed every 30 s, valid 2 min. */
class IdbLeaseLiveness {
  constructor(store) {
    this.store = store;
    this.timers = new Map();
  }
  async hold(owner) {
    const renew = () =>
      this.store._tx("owners", "readwrite", (s) => {
        s.owners.put({ owner, until: Date.now() + 120000 });
      }).catch(() => {});
    await renew();
    this.timers.set(owner, setInterval(renew, 30000));
  }
  release(owner) {
    clearInterval(this.timers.get(owner));
    this.timers.delete(owner);
    this.store._tx("owners", "readwrite", (s) => {
      s.owners.delete(owner);
    }).catch(() => {});
  }
  async alive(owners) {
    const now = Date.now();
    const all = await this.store._tx("owners", "readonly", (s, set) => {
      const req = s.owners.getAll();
      req.onsuccess = () => set(req.result);
    });
    return new Set(all.filter((l) => l.until > now).map((l) => l.owner).filter((o) => owners.includes(o)));
  }
}

/** Owners held by a Web Lock each (`navigator.locks`): a lock is released when its page or worker ends. */
export class WebLocksLiveness {
  /** @param {any} [locks] a LockManager, `navigator.locks` by default */
  constructor(locks) {
    this.locks = locks || globalThis.navigator?.locks;
    this.releases = new Map();
  }
  static lockName(owner) {
    return "syncwire-owner:" + owner;
  }
  hold(owner) {
    return new Promise((acquired, failed) => {
      this.locks
        .request(WebLocksLiveness.lockName(owner), () => {
          acquired();
          return new Promise((release) => this.releases.set(owner, release));
        })
        .catch(failed);
    });
  }
  release(owner) {
    this.releases.get(owner)?.();
    this.releases.delete(owner);
  }
  async alive(owners) {
    const state = await this.locks.query();
    const names = new Set([...(state.held || []), ...(state.pending || [])].map((l) => l.name));
    return new Set(owners.filter((o) => names.has(WebLocksLiveness.lockName(o))));
  }
}

/** The scope an outbox belongs to: (server URL, tenant, user `sub` or "anonymous"). */
export function outboxScope(baseUrl, tenant, user) {
  return baseUrl + "|" + (tenant || "") + "|" + (user || "anonymous");
}

function utf8Length(text) {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Builds the JSON text of a publish command around the stored body. */
function publishText(id, entry) {
  const head = JSON.stringify({ id, type: "publish", channel: entry.channel, key: entry.key });
  return head.slice(0, -1) + ',"' + entry.kind + '":' + entry.body + "}";
}

// ---------------------------------------------------------------------------------------------
// Draining the outbox without a client: the service worker's `sync` event (syncwire-sw.js).
// ---------------------------------------------------------------------------------------------

/**
 * Sends the outbox of every scope whose credentials a page saved (`registerSync`), over `POST /send`
 * (§11.1, §11.2): one session per scope, then each publication with its original key, one at a time
 * and in order. Takes only entries whose owner is gone (no open page is sending them), removes each
 * one on `ack` (duplicate or not) or on a final refusal, and leaves a receipt that the next client of
 * the scope reports through its `outbox` event. A retryable refusal or a network failure stops that
 * scope (strict order) and is reported as `retryLater`, so that the `sync` event is tried again.
 * @param {{store?: any, liveness?: any, fetch?: typeof fetch}} [options]
 */
export async function drainOutbox(options = {}) {
  const store = options.store || new IndexedDbOutboxStore();
  const fetchFn = options.fetch || globalThis.fetch.bind(globalThis);
  await store.open();
  const liveness = options.liveness
    || (globalThis.navigator?.locks?.request && store.durable ? new WebLocksLiveness(globalThis.navigator.locks) : store.liveness());
  const owner = "w-" + randomId(12);
  await liveness.hold(owner);
  const summary = { acked: 0, duplicate: 0, refused: 0, expired: 0, retryLater: false };
  try {
    for (const cred of await store.credentials()) {
      if (await drainScope(store, liveness, owner, cred, fetchFn, summary) === "retry") summary.retryLater = true;
    }
  } finally {
    liveness.release(owner);
  }
  return summary;
}

async function drainScope(store, liveness, owner, cred, fetchFn, summary) {
  const exp = cred.token ? decodeToken(cred.token)?.exp : null;
  if (typeof exp === "number" && exp * 1000 <= Date.now()) return "skip"; // an expired token: pages will send them
  const all = await store.list(cred.scope);
  const owners = [...new Set(all.map((e) => e.owner).filter((o) => o && o !== owner))];
  const alive = owners.length ? await liveness.alive(owners) : new Set();
  const dead = owners.filter((o) => !alive.has(o));
  if (!all.some((e) => e.owner == null || dead.includes(e.owner))) return "none";
  const claimed = await store.claim(cred.scope, owner, dead);
  const settle = async (e, status, extra = {}) => {
    await store.remove(e.id);
    await store.addReceipt({ id: e.id + "\n" + Date.now(), scope: cred.scope, key: e.key, channel: e.channel, status,
      at: Date.now(), createdAt: e.createdAt, n: e.n, ...extra });
    summary[status]++;
  };
  try {
    const live = [];
    for (const e of claimed) {
      if (e.expiresAt <= Date.now()) await settle(e, "expired");
      else live.push(e);
    }
    if (!live.length) return "none";
    const connect = { id: 1, type: "connect", client: CLIENT_NAME + " (worker)" };
    if (cred.token) connect.token = cred.token;
    else if (cred.tenant) connect.tenant = cred.tenant;
    const r = await fetchFn(cred.url + "/send", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify([connect]) });
    const replies = await r.json().catch(() => null);
    const connected = Array.isArray(replies) ? replies[0] : null;
    if (r.status !== 200 || connected?.type !== "connected") return r.status === 401 ? "skip" : "retry";
    let id = 1;
    for (const e of live) {
      const res = await fetchFn(cred.url + "/send?session=" + encodeURIComponent(connected.session), {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Syncwire-Key": connected.key },
        body: "[" + publishText(++id, e) + "]",
      });
      if (res.status !== 200) return "retry";
      const reply = (await res.json())[0];
      if (reply?.type === "ack") {
        await settle(e, reply.duplicate ? "duplicate" : "acked", { seq: reply.seq, epoch: reply.epoch });
      } else if (reply?.type === "error" && !SyncwireError.fromReply(reply).retry) {
        await settle(e, "refused", { error: { code: reply.code, message: reply.message } });
      } else {
        return "retry"; // strictly ordered: nothing after a refusal that may pass later
      }
    }
    return "done";
  } catch {
    return "retry";
  } finally {
    await store.release(cred.scope, owner).catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// Connection: one open transport and its commands in flight.
// ---------------------------------------------------------------------------------------------

class Connection {
  /** @param {Syncwire} client @param {any} transport */
  constructor(client, transport) {
    this.client = client;
    this.transport = transport;
    /** @type {Map<number, {resolve: Function, reject: Function, timer: any}>} */
    this.pending = new Map();
    this.info = null;
    this.closed = false;
    this.lastReceived = Date.now();
    transport.onframe = (frame) => this._receive(frame);
    transport.onclose = (info) => this._lost(info);
  }

  /** The transport's name (a follower tab reports the leader's). */
  get name() {
    return this.transport.name;
  }

  /**
   * Sends a command and resolves with its reply (an `error` reply too: callers decide).
   * @param {object} frame without id
   * @param {{text?: (id: number) => string, urgent?: boolean, timeoutMs?: number}} [opts]
   */
  command(frame, opts = {}) {
    if (this.closed) return Promise.reject(new SyncwireError("disconnected", "not connected"));
    const id = this.client._nextId();
    const text = opts.text ? opts.text(id) : JSON.stringify({ id, ...frame });
    return new Promise((resolve, reject) => {
      const timeoutMs = opts.timeoutMs ?? this.client.options.commandTimeoutMs;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new SyncwireError("timeout", frame.type + " got no reply within " + timeoutMs + " ms"));
        // Every command gets exactly one reply (§3.1): a missing one means the connection is gone.
        if (!opts.urgent) this.close({ reason: "reply_timeout" });
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      try {
        this.transport.send(text, !!opts.urgent);
      } catch (e) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new SyncwireError("disconnected", "send failed", { cause: e }));
      }
    });
  }

  _receive(frame) {
    if (this.closed) return;
    this.lastReceived = Date.now();
    const filter = this.client.options._transportFilter;
    if (typeof filter === "function") {
      let delivered = false;
      const deliver = (f = frame) => {
        if (!this.closed) this._dispatch(f);
        delivered = true;
      };
      try {
        filter(frame, deliver, { transport: this.name });
      } catch (e) {
        report(e);
        if (!delivered) deliver();
      }
    } else {
      this._dispatch(frame);
    }
  }

  _dispatch(frame) {
    if (typeof frame.id === "number" && this.pending.has(frame.id)) {
      const p = this.pending.get(frame.id);
      this.pending.delete(frame.id);
      clearTimeout(p.timer);
      p.resolve(frame);
      return;
    }
    if (frame.id === undefined || frame.id === null) this.client._onPush(this, frame);
  }

  _lost(info) {
    if (this.closed) return;
    this._shutdown();
    this.client._onConnectionLost(this, info || {});
  }

  /** Closes from our side; `info` reaches the client as a loss when given. */
  close(info) {
    if (this.closed) return;
    this._shutdown();
    try {
      this.transport.close(1000);
    } catch {
      /* ignore */
    }
    if (info) this.client._onConnectionLost(this, info);
  }

  _shutdown() {
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new SyncwireError("disconnected", "connection lost"));
    }
    this.pending.clear();
  }
}

// ---------------------------------------------------------------------------------------------
// One connection per origin and scope across tabs. The tab holding the Web Lock
// "syncwire-leader:<scope>" connects for real; the others (followers) talk to it over the
// BroadcastChannel "syncwire-tabs:<scope>" through a TabTransport. A follower keeps all of its own
// logic (order, positions, outbox): the leader only forwards its commands, with ids rewritten for its
// own session, returns the replies, and broadcasts every push. When the leader goes, the next tab in
// the lock's queue becomes leader, connects, and the others reconnect through it with since.
// Messages: {t, from, to?, ...}: open/opened, cmd/reply, push, bye, lost, up, leader, transport.
// ---------------------------------------------------------------------------------------------

const ID_PREFIX = /^\{"id":(\d+),"type":"([a-z_]+)"/;

class TabHub {
  /** @param {Syncwire} client @param {any} locks a LockManager @param {any} BC the BroadcastChannel constructor */
  constructor(client, locks, BC) {
    this.client = client;
    this.locks = locks;
    this.BC = BC;
    this.me = client._owner;
    this.role = null;
    this.roleKnown = deferred();
    /** leader side: follower tab -> channels it follows */
    this.followers = new Map();
    /** follower side: the current TabTransport */
    this.transport = null;
    this.bc = null;
    this.abort = null;
    this._resign = null;
    this.stopped = false;
    this.sweepTimer = null;
    this.waiting = new Set();
  }

  async start() {
    const scope = await this.client._scopeReady;
    if (this.stopped) return;
    const name = this.client.url + " " + scope; // the URL too, for a `scope` given in the options
    this.bc = new this.BC("syncwire-tabs:" + name);
    this.bc.onmessage = (e) => this._message(e.data);
    this.lockName = "syncwire-leader:" + name;
    // A lock of its own per tab, so that the leader can see which followers are still alive.
    this.locks.request("syncwire-tab:" + this.me, () => new Promise((r) => (this._releaseTab = r))).catch(() => {});
    this._campaign();
  }

  /** Leader if the lock is free, else follower queued for it. */
  _campaign() {
    this.abort = new AbortController();
    const hold = () => new Promise((release) => (this._resign = release));
    this.locks
      .request(this.lockName, { ifAvailable: true }, (lock) => {
        if (lock) {
          this._becomeLeader();
          return hold();
        }
        this._setRole("follower");
        this.locks
          .request(this.lockName, { signal: this.abort.signal }, () => {
            if (this.stopped) return undefined;
            this._becomeLeader();
            return hold();
          })
          .catch(() => {});
        return undefined;
      })
      .catch(() => this._setRole("leader")); // no usable locks: this tab is alone
  }

  _setRole(role) {
    this.role = role;
    this.roleKnown.resolve(role);
  }

  _becomeLeader() {
    const wasFollower = this.role === "follower";
    this._setRole("leader");
    this.post({ t: "leader" });
    this.sweepTimer = setInterval(() => this._sweep(), 30000);
    if (wasFollower) {
      // From now on this tab connects for real: drop the tunnel and connect at once.
      this.transport?._lost({ reason: "leader_changed", immediate: true });
      setTimeout(() => this.client._reconnectNow(), 0);
    }
  }

  /** Leaves: gives the lock to the next tab (pagehide, close). */
  stop() {
    this.stopped = true;
    if (this.role === "leader") this.post({ t: "lost" });
    else this.post({ t: "bye" });
    this._resign?.();
    this._resign = null;
    this.abort?.abort();
    this._releaseTab?.();
    clearInterval(this.sweepTimer);
    try {
      this.bc?.close();
    } catch {
      /* closed */
    }
    this.bc = null;
  }

  post(message) {
    try {
      this.bc?.postMessage({ ...message, from: this.me });
    } catch {
      /* the channel is closed */
    }
  }

  /** Leader: whether another tab follows `channel`. */
  followed(channel) {
    for (const channels of this.followers.values()) if (channels.has(channel)) return true;
    return false;
  }

  _message(m) {
    if (!m || m.from === this.me || (m.to && m.to !== this.me)) return;
    if (this.role === "leader") this._asLeader(m);
    else this._asFollower(m);
  }

  _asLeader(m) {
    const client = this.client;
    const conn = client._conn;
    const up = conn && !conn.closed && client._state === "connected" && !(conn.transport instanceof TabTransport);
    if (m.t === "open") {
      if (!this.followers.has(m.from)) this.followers.set(m.from, new Set());
      if (up) this.post({ t: "opened", to: m.from, info: conn.info, transport: conn.name });
      else this.waiting.add(m.from); // answered once this tab is connected
    } else if (m.t === "cmd") {
      if (!up) {
        this.post({ t: "lost", to: m.from });
        return;
      }
      const head = ID_PREFIX.exec(m.text);
      if (!head) return;
      const id = Number(head[1]);
      const type = head[2];
      const channels = this.followers.get(m.from) || new Set();
      this.followers.set(m.from, channels);
      if (type === "subscribe" || type === "unsubscribe") {
        let channel;
        try {
          channel = JSON.parse(m.text).channel;
        } catch {
          return;
        }
        if (type === "subscribe") channels.add(channel);
        else {
          channels.delete(channel);
          if (this.followed(channel) || client._subs.has(channel)) {
            // Another tab (or this one) still follows it: the session keeps the subscription.
            this.post({ t: "reply", to: m.from, frame: { id, type: "unsubscribed", channel } });
            return;
          }
        }
      }
      conn.command({ type }, { text: (mine) => m.text.replace(ID_PREFIX, '{"id":' + mine + ',"type":"' + type + '"'), urgent: !!m.urgent })
        .then((reply) => this.post({ t: "reply", to: m.from, frame: { ...reply, id } }), () => {});
    } else if (m.t === "bye") {
      this._drop(m.from);
    }
  }

  /** Leader: forgets a follower and leaves the channels nobody follows any more. */
  _drop(tab) {
    const channels = this.followers.get(tab);
    this.followers.delete(tab);
    const conn = this.client._conn;
    if (!channels || !conn || conn.closed) return;
    for (const channel of channels) {
      if (!this.followed(channel) && !this.client._subs.has(channel)) {
        conn.command({ type: "unsubscribe", channel }).catch(() => {});
      }
    }
  }

  /** Leader: drops followers whose tab is gone without saying goodbye. */
  async _sweep() {
    if (!this.followers.size || typeof this.locks.query !== "function") return;
    try {
      const state = await this.locks.query();
      const held = new Set((state.held || []).map((l) => l.name));
      for (const tab of [...this.followers.keys()]) if (!held.has("syncwire-tab:" + tab)) this._drop(tab);
    } catch {
      /* try again later */
    }
  }

  /** Leader: its session changed (connected, lost, moved); the followers follow. */
  leaderEvent(kind) {
    if (this.role !== "leader") return;
    this.post({ t: kind });
    const conn = this.client._conn;
    if (kind === "up" && conn) {
      for (const tab of this.waiting) this.post({ t: "opened", to: tab, info: conn.info, transport: conn.name });
      this.waiting.clear();
    }
  }

  /** Leader: a push of its session. */
  push(frame) {
    if (this.role === "leader" && this.followers.size) this.post({ t: "push", frame });
  }

  _asFollower(m) {
    const tr = this.transport;
    if (m.t === "opened") {
      tr?._opened(m);
    } else if (m.t === "reply" || m.t === "push") {
      if (tr && tr.connected) tr.onframe(m.frame);
    } else if (m.t === "lost") {
      tr?._lost({ reason: "leader_lost" });
    } else if (m.t === "leader") {
      tr?._lost({ reason: "leader_changed", immediate: true });
      setTimeout(() => this.client._reconnectNow(), 0);
    } else if (m.t === "up") {
      this.client._reconnectNow();
    }
  }
}

/** A follower tab's transport: the leader tab's session, over the BroadcastChannel. */
class TabTransport {
  /** @param {TabHub} hub @param {number} openTimeoutMs */
  constructor(hub, openTimeoutMs) {
    this.hub = hub;
    this.name = "websocket";
    this.openTimeoutMs = openTimeoutMs;
    this.connected = false;
    this.closed = false;
    this._pending = null;
    this.onframe = (_f) => {};
    this.onclose = (_i) => {};
  }

  open() {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this._pending = null;
        this.closed = true;
        if (this.hub.transport === this) this.hub.transport = null;
        reject(transportFailed("no answer from the leader tab"));
      }, this.openTimeoutMs);
      this._pending = { resolve, reject, timer };
      this.hub.transport = this;
      this.hub.post({ t: "open" });
    });
  }

  _opened(m) {
    const p = this._pending;
    if (!p) return;
    this._pending = null;
    clearTimeout(p.timer);
    this.connected = true;
    this.name = m.transport;
    p.resolve({ ...m.info, type: "connected" });
  }

  send(text, urgent = false) {
    if (this.connected && !this.closed) this.hub.post({ t: "cmd", text, urgent });
  }

  _lost(info) {
    if (this.closed) return;
    const p = this._pending;
    this.close();
    if (p) {
      clearTimeout(p.timer);
      p.reject(transportFailed("the leader tab went away"));
      return;
    }
    this.onclose(info);
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.connected = false;
    if (this.hub.transport === this) this.hub.transport = null;
    this.hub.post({ t: "bye" });
  }
}

// ---------------------------------------------------------------------------------------------
// Subscriptions
// ---------------------------------------------------------------------------------------------

/**
 * One channel followed by the client. Delivers publications strictly in `seq` order, each once;
 * keeps the state replica of state channels. Shared by every `subscribe` call of its channel.
 */
class ChannelSubscription {
  /** @param {Syncwire} client @param {string} channel @param {{epoch: string, seq: number}|undefined} since */
  constructor(client, channel, since) {
    this.client = client;
    this.channel = channel;
    this.handles = new Set();
    this.sequencer = new Sequencer(client.options.gapBufferLimit);
    this.replica = new Replica();
    this.hasState = false;
    /** @type {{epoch: string, seq: number}|null} where to resume from; null until known */
    this.position = since && typeof since.epoch === "string" && typeof since.seq === "number" ? { epoch: since.epoch, seq: since.seq } : null;
    this.appSince = !!this.position;
    this.state = "unsubscribed";
    this.conn = null; // connection whose pushes are applied
    this.pendingConn = null; // connection a subscribe is in flight on
    this.pendingPubs = [];
    this.resetReason = null; // a reset episode waiting for the resubscribe's reply
    this.gapTimer = null;
    this.retryTimer = null;
    this.everSubscribed = false;
    this.failed = null;
    this.readyDeferred = deferred();
    this.readyDeferred.promise.catch(() => {});
  }

  get ready() {
    return this.readyDeferred.promise;
  }

  /** Sends `subscribe` on `conn`, with `since` when a position is known (§6.3, §14.2). */
  subscribe(conn) {
    if (!conn || conn.closed || this.failed) return Promise.resolve();
    clearTimeout(this.retryTimer);
    this.pendingConn = conn;
    this.pendingPubs = [];
    if (!this.conn || this.conn.closed) this.state = "subscribing";
    const frame = { type: "subscribe", channel: this.channel };
    const since = this.position ? { epoch: this.position.epoch, seq: this.position.seq } : null;
    if (since) frame.since = since;
    return conn.command(frame).then(
      (reply) => this._onReply(conn, reply, since),
      () => {
        if (this.pendingConn === conn) this.pendingConn = null; // the connection ended: the next one subscribes again
      });
  }

  _onReply(conn, reply, since) {
    const withSince = !!since;
    if (this.pendingConn !== conn || !this.client._subs.has(this.channel)) return;
    this.pendingConn = null;
    if (reply.type === "error") {
      const err = SyncwireError.fromReply(reply);
      if (err.retry) {
        const delay = err.retryAfterMs ?? backoffDelay(0, this.client.options);
        this.retryTimer = setTimeout(() => {
          if (this.client._conn && this.client._state === "connected") this.subscribe(this.client._conn);
        }, delay);
        return;
      }
      this.failed = err;
      this.state = "failed";
      this.client._subs.delete(this.channel);
      this.readyDeferred.reject(err);
      this._emit("error", err);
      return;
    }
    if (reply.type !== "subscribed") return;
    this.conn = conn;
    this.state = "subscribed";
    clearTimeout(this.gapTimer);
    this.gapTimer = null;
    const first = !this.everSubscribed;
    this.everSubscribed = true;
    const snapshot = reply.snapshot;
    const resetReason = this.resetReason;
    this.resetReason = null;

    if (withSince && reply.recovered === true) {
      // Still in the same epoch: apply the replay in order, then what arrived meanwhile (§6.3).
      if (snapshot) this.hasState = true;
      if (resetReason) this._reportReset({ reason: resetReason, recovered: true, epoch: reply.epoch, seq: reply.seq });
      if (this.sequencer.epoch !== since.epoch || this.sequencer.last < since.seq) this.sequencer.reset(since.epoch, since.seq);
      const ready = [];
      for (const p of Array.isArray(reply.pubs) ? reply.pubs : []) {
        const out = this.sequencer.offer({ ...p, channel: this.channel, _recovered: true });
        ready.push(...out.ready);
      }
      this._applyBatch(ready);
      this.sequencer.reset(reply.epoch, Math.max(this.sequencer.last, reply.seq));
      this.position = { epoch: reply.epoch, seq: this.sequencer.last };
    } else {
      // A fresh start: the first subscribe (no since) is not a reset; any other start is (§6.3).
      this.sequencer = new Sequencer(this.client.options.gapBufferLimit);
      this.sequencer.reset(reply.epoch, reply.seq);
      this.position = { epoch: reply.epoch, seq: reply.seq };
      let changed = null;
      if (snapshot) {
        this.hasState = true;
        changed = this.replica.load(snapshot);
      } else if (this.hasState && !first) {
        changed = this.replica.load({ seq: reply.seq, entities: {} });
      }
      if (withSince) {
        this._reportReset({ reason: resetReason || "not_recovered", recovered: false, epoch: reply.epoch, seq: reply.seq, snapshot });
      }
      if (changed && changed.length) this._emitState(changed);
    }
    // Pushes of this connection that came before the reply (HTTP: replies and pushes travel apart).
    const early = this.pendingPubs;
    this.pendingPubs = [];
    for (const p of early) this.onPub(conn, p);
    this.readyDeferred.resolve(); // the first reply settles it; later ones change nothing
    this._emit("subscribed", { channel: this.channel, epoch: reply.epoch, seq: reply.seq, recovered: reply.recovered === true, transport: conn.name });
  }

  /** A `pub` push from `conn`. */
  onPub(conn, pub) {
    if (this.pendingConn === conn) {
      this.pendingPubs.push(pub);
      return;
    }
    if (conn !== this.conn) return; // a connection this subscription has left
    const out = this.sequencer.offer(pub);
    if (out.epochChanged) {
      this.resubscribe("epoch_changed");
      return;
    }
    this._applyBatch(out.ready);
    this.position = { epoch: this.sequencer.epoch, seq: this.sequencer.last };
    if (out.overflow) {
      this.resubscribe(null);
    } else if (this.sequencer.gap) {
      // §6.2: keep what came, and subscribe again with since if the gap does not fill in time.
      if (!this.gapTimer) {
        this.gapTimer = setTimeout(() => {
          this.gapTimer = null;
          if (this.sequencer.gap) this.resubscribe(null);
        }, this.client.options.gapTimeoutMs);
      }
    } else if (this.gapTimer) {
      clearTimeout(this.gapTimer);
      this.gapTimer = null;
    }
  }

  /** A `reset` push (§3.4): the subscription ended; subscribe again with since and report it. */
  onReset(conn, frame) {
    if (conn !== this.conn && conn !== this.pendingConn) return;
    this.resubscribe(frame.reason || "reset");
  }

  /** Subscribes again on the current connection with since; `reason` makes it a reported reset. */
  resubscribe(reason) {
    if (reason) this.resetReason = reason;
    const conn = this.client._conn;
    if (!conn || conn.closed || this.client._state !== "connected") return;
    if (this.pendingConn === conn) return; // already on its way
    this.subscribe(conn);
  }

  _applyBatch(pubs) {
    if (!pubs.length) return;
    const changed = new Set();
    for (const p of pubs) {
      const publication = { channel: this.channel, epoch: p.epoch, seq: p.seq };
      if ("data" in p) publication.data = p.data;
      if ("patch" in p) publication.patch = p.patch;
      if (typeof p.from === "number") publication.from = p.from;
      if (typeof p.key === "string") publication.key = p.key;
      if (p._recovered) publication.recovered = true;
      if (p.patch) {
        this.hasState = true;
        const id = this.replica.apply(p.patch, p.seq);
        if (id !== null) changed.add(id);
      }
      this._emit("publication", publication);
    }
    if (changed.size) this._emitState([...changed]);
  }

  _emitState(changedIds) {
    for (const id of changedIds) {
      this._emit("entity", { channel: this.channel, id, fields: this.replica.entities.get(id), versions: this.replica.versions.get(id) });
    }
    this._emit("state", this.replica.entities, changedIds);
  }

  _reportReset(e) {
    this._emit("reset", { channel: this.channel, ...e });
  }

  _emit(event, ...args) {
    for (const h of [...this.handles]) h._emit(event, ...args);
  }

  /** Stops timers and forgets connections. */
  stop() {
    clearTimeout(this.gapTimer);
    clearTimeout(this.retryTimer);
    this.gapTimer = this.retryTimer = null;
    this.conn = this.pendingConn = null;
    this.state = "unsubscribed";
  }
}

/**
 * What `client.subscribe()` returns: one user of a channel. Several handles share one subscription;
 * the channel is unsubscribed when the last handle is.
 */
export class Subscription extends Emitter {
  /** @param {ChannelSubscription} shared @param {any} callbacks */
  constructor(shared, callbacks) {
    super();
    this._shared = shared;
    this._active = true;
    /** @type {string} */ this.channel = shared.channel;
    this._cb = callbacks || {};
  }

  /** Resolves once the channel is subscribed (the first `subscribed` reply); rejects if it is refused. */
  get ready() {
    return this._shared.ready;
  }

  /** `unsubscribed` | `subscribing` | `subscribed` | `failed` */
  get state() {
    return this._active ? this._shared.state : "unsubscribed";
  }

  /** The last applied position, to resume from: `{epoch, seq}` or null. */
  get position() {
    const p = this._shared.position;
    return p ? { ...p } : null;
  }

  /** The state replica: entity id → fields. */
  get entities() {
    return this._shared.replica.entities;
  }

  /** Field versions of one entity (for `if` in a patch, §7.2). */
  versions(id) {
    return { ...(this._shared.replica.versions.get(id) || {}) };
  }

  unsubscribe() {
    if (!this._active) return;
    this._active = false;
    this._shared.client._release(this);
    this.removeAllListeners();
  }

  _emit(event, ...args) {
    if (!this._active) return;
    const cb = this._cb;
    if (event === "publication") safeCall(cb.onPublication, ...args);
    else if (event === "reset") safeCall(cb.onReset, ...args);
    else if (event === "state") safeCall(cb.onState, ...args);
    else if (event === "entity") safeCall(cb.onEntity, ...args);
    else if (event === "error") safeCall(cb.onError, ...args);
    else if (event === "subscribed") safeCall(cb.onSubscribed, ...args);
    this.emit(event, ...args);
  }
}

// ---------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------

/**
 * One logical connection to a Syncwire deployment: picks a transport, reconnects with backoff and
 * resubscribes with since, so that each channel is one unbroken, ordered stream (README.md of this package).
 */
export class Syncwire extends Emitter {
  /**
   * @param {string} url the server's base URL (`https://rt.example.com`)
   * @param {Record<string, any>} [options] described by `SyncwireOptions` in syncwire.d.ts
   */
  constructor(url, options = {}) {
    super();
    const u = new URL(url, globalThis.location?.href);
    if (u.protocol === "ws:") u.protocol = "http:";
    if (u.protocol === "wss:") u.protocol = "https:";
    /** @type {string} */ this.url = (u.origin + u.pathname).replace(/\/+$/, "");
    this.options = { ...DEFAULTS, ...options };
    this.options.transports = (options.transports || DEFAULTS.transports).filter((t) => TRANSPORTS.includes(t));
    this._fetch = options.fetch || globalThis.fetch?.bind(globalThis);
    this._WebSocket = options.WebSocket || globalThis.WebSocket;
    this._id = 0;
    this._state = "disconnected";
    /** @type {Connection|null} */ this._conn = null;
    this._gen = 0;
    this._failures = 0;
    this._delayIndex = 0;
    this._reconnectTimer = null;
    this._nextDelayOverride = null;
    this._triedFreshToken = false;
    this._blockedUntil = new Map(); // transport -> time before which it is not tried first
    this._upgradeTimer = null;
    this._refreshTimer = null;
    this._migrating = null;
    this._info = null;
    this._infoAt = 0;
    this._token = options.token || null;
    this._tokenPromise = null;
    this._session = null;
    /** @type {Map<string, ChannelSubscription>} */ this._subs = new Map();
    this._listenersOff = [];

    // Outbox
    this._owner = "c-" + randomId(12);
    this._keyPrefix = randomId(8);
    this._keyCounter = 0;
    this._n = 0;
    this._outbox = []; // records {entry, own, d?, inflight, retryAt, tries}
    this._outboxPaused = false;
    this._outboxTimer = null;
    this._expiryTimer = null;
    this._claiming = null;
    this._store = this._chooseStore(options);
    this._ownStore = !options.store; // closed with the client; a store given in the options is the caller's
    /** @type {boolean} false when the outbox can only live in memory */
    this.durable = !!this._store.durable;
    this._liveness = options.liveness || (globalThis.navigator?.locks?.request && this._store.durable
      ? new WebLocksLiveness(globalThis.navigator.locks) : this._store.liveness());
    this._scope = null;
    this._storeOpened = false;
    this._unpersisted = []; // publications made before the store was open, in order
    this._scopeReady = this._resolveScope();
    this._storeOpen = this._openStore();
    this._storeReady = this._storeOpen.then(() => this._loadEarlier());

    this._hub = null;
    const locks = options.locks || globalThis.navigator?.locks;
    const BC = options.BroadcastChannel || globalThis.BroadcastChannel;
    this._shared = options.sharedConnection ?? (typeof locks?.request === "function" && typeof BC === "function");
    this._hubDeps = { locks, BC };
    if (this._shared) this._startHub();

    this._installPageListeners();
  }

  _startHub() {
    const { locks, BC } = this._hubDeps;
    if (!locks || typeof BC !== "function") return;
    this._hub = new TabHub(this, locks, BC);
    this._hub.start();
  }

  _stopHub() {
    this._hub?.stop();
    this._hub = null;
  }

  /** Whether this client is a follower tab, talking through the leader tab's session. */
  get _follower() {
    return !!this._hub && this._hub.role === "follower";
  }

  // --- public API ---

  /** `disconnected` | `connecting` | `connected` | `closed` */
  get state() {
    return this._state;
  }

  /** The transport of the current connection, or null. */
  get transport() {
    return this._conn && !this._conn.closed && this._state === "connected" ? this._conn.name : null;
  }

  /** The `connected` reply of the current session (`session`, `user`, `tenant`, `node`), or null. */
  get session() {
    return this._session;
  }

  /** Starts connecting (again, after `gave_up` or a refusal). */
  connect() {
    if (this._state === "closed") throw new SyncwireError("closed", "the client is closed");
    if (this._state === "connecting" || this._state === "connected") return;
    this._failures = 0;
    this._delayIndex = 0;
    this._triedFreshToken = false;
    this._setState("connecting", null, "connect");
    this._attempt();
  }

  /**
   * Follows a channel; calling it again for the same channel shares the subscription.
   * @param {string} channel
   * @param {any} [options] `since`, `onPublication`, `onReset`, `onState`, `onEntity`, `onError`
   * @returns {Subscription}
   */
  subscribe(channel, options = {}) {
    if (this._state === "closed") throw new SyncwireError("closed", "the client is closed");
    if (typeof channel !== "string" || !channel) throw new TypeError("channel must be a non-empty string");
    let shared = this._subs.get(channel);
    const fresh = !shared;
    if (!shared) {
      shared = new ChannelSubscription(this, channel, options.since);
      this._subs.set(channel, shared);
    }
    const handle = new Subscription(shared, options);
    shared.handles.add(handle);
    if (fresh) {
      if (this._conn && this._state === "connected") shared.subscribe(this._conn);
    } else if (shared.everSubscribed && shared.replica.entities.size && typeof options.onState === "function") {
      const ids = [...shared.replica.entities.keys()];
      queueMicrotask(() => handle._emit("state", shared.replica.entities, ids));
    }
    return handle;
  }

  /**
   * Publishes `data` to `channel`. Resolves with the ack `{epoch, seq, duplicate}`; while offline the
   * publication waits in the outbox (durable where IndexedDB is) and the promise waits for its ack.
   * @param {string} channel
   * @param {any} data
   * @param {{key?: string}} [options]
   */
  publish(channel, data, options = {}) {
    return this._enqueue(channel, "data", data === undefined ? null : data, options);
  }

  /**
   * Publishes a patch (§7.2) to a state channel: `{entity, set?, unset?, inc?, if?}`.
   * @param {string} channel
   * @param {any} patch
   * @param {{key?: string}} [options]
   */
  patch(channel, patch, options = {}) {
    return this._enqueue(channel, "patch", patch, options);
  }

  /**
   * What a worker needs to send this client's outbox (`registerSync` saves it): the outbox scope, the
   * server URL, the tenant or the current token.
   */
  async credentials() {
    await this._scopeReady;
    return { scope: this._scope, url: this.url, tenant: this.options.tenant || null, token: this._token || null, updatedAt: Date.now() };
  }

  /** Publications handed to publish/patch (and claimed from earlier pages) not yet acknowledged. */
  pending() {
    return Promise.resolve(this._outbox.length);
  }

  /** Closes the connection for good; unsent publications stay in the outbox for the next client. */
  close() {
    if (this._state === "closed") return;
    this._gen++;
    this._clearTimers();
    for (const s of this._subs.values()) {
      s.stop();
      s.readyDeferred.reject(new SyncwireError("closed", "the client was closed")); // no-op once subscribed
    }
    const conn = this._conn;
    this._conn = null;
    if (conn) conn.close();
    if (this._migrating) this._migrating.cancel();
    this._stopHub();
    const own = this._outbox;
    this._outbox = [];
    const closed = new SyncwireError("closed", "the client was closed; the publication stays in the outbox");
    for (const rec of own) {
      if (rec.d) {
        rec.d.promise.catch(() => {});
        rec.d.reject(closed);
      }
    }
    this._storeReady.then(() => this._store.release(this._scope, this._owner)).catch(() => {})
      .finally(() => {
        this._liveness.release(this._owner);
        if (this._ownStore) this._store.close();
      });
    for (const off of this._listenersOff) off();
    this._listenersOff = [];
    this._setState("closed", null, "closed");
  }

  /** `close()`, then removes every listener, timer and subscription. */
  dispose() {
    this.close();
    for (const s of this._subs.values()) {
      for (const h of s.handles) h.removeAllListeners();
      s.handles.clear();
    }
    this._subs.clear();
    this.removeAllListeners();
  }

  // --- state ---

  _setState(state, transport, reason, extra = {}) {
    const changed = state !== this._state || transport !== this._lastTransport;
    this._state = state;
    this._lastTransport = transport;
    if (changed || state === "disconnected") {
      const e = { state, transport: transport ?? null, ...extra };
      if (reason) e.reason = reason;
      this.emit("state", e);
    }
  }

  _nextId() {
    return ++this._id;
  }

  _clearTimers() {
    clearTimeout(this._reconnectTimer);
    clearTimeout(this._upgradeTimer);
    clearTimeout(this._refreshTimer);
    clearTimeout(this._outboxTimer);
    clearTimeout(this._expiryTimer);
    this._reconnectTimer = this._upgradeTimer = this._refreshTimer = this._outboxTimer = this._expiryTimer = null;
    this._stopHeartbeat();
  }

  // --- connecting ---

  async _getInfo() {
    if (this._info && Date.now() - this._infoAt < 60000) return this._info;
    try {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), this.options.openTimeoutMs);
      const r = await this._fetch(this.url + "/info", { signal: controller.signal, cache: "no-store" });
      clearTimeout(timer);
      if (r.ok) {
        const info = await r.json();
        if (info && Array.isArray(info.transports)) {
          this._info = info;
          this._infoAt = Date.now();
        }
      }
    } catch {
      // /info unreachable (or, across origins, without CORS): try the configured transports.
    }
    return this._info;
  }

  /** Transports to try, best first: offered by /info, wanted by the options, not known to be blocked. */
  _candidates(info) {
    const offered = info?.transports;
    const now = Date.now();
    const usable = this.options.transports.filter((t) => (!offered || offered.includes(t))
      && (t !== "websocket" || typeof this._WebSocket === "function")
      && (t === "websocket" || typeof this._fetch === "function"));
    const open = usable.filter((t) => !((this._blockedUntil.get(t) || 0) > now));
    const blocked = usable.filter((t) => !open.includes(t));
    return [...open, ...blocked];
  }

  _makeTransport(name) {
    if (name === "shared") return new TabTransport(this._hub, this.options.openTimeoutMs);
    const timing = { openTimeoutMs: this.options.openTimeoutMs, httpIdleTimeoutMs: this.options.httpIdleTimeoutMs };
    if (name === "websocket") {
      const ws = new URL(this.url + "/ws");
      ws.protocol = ws.protocol === "https:" ? "wss:" : "ws:";
      return new WebSocketTransport(ws.href, this._WebSocket, this.options.openTimeoutMs);
    }
    return new HttpTransport(name, this.url, this._fetch, timing);
  }

  /** Opens a session on one transport; resolves with the Connection. */
  async _open(name, token) {
    const transport = this._makeTransport(name);
    const frame = { id: this._nextId(), type: "connect", client: CLIENT_NAME };
    if (token) frame.token = token;
    else if (this.options.tenant) frame.tenant = this.options.tenant;
    const conn = new Connection(this, transport);
    try {
      conn.info = await transport.open(frame);
    } catch (e) {
      conn.closed = true;
      try {
        transport.close();
      } catch {
        /* ignore */
      }
      e.networkDown = transport.networkDown;
      throw e;
    }
    return conn;
  }

  async _attempt() {
    const gen = ++this._gen;
    clearTimeout(this._reconnectTimer);
    this._reconnectTimer = null;
    let token = null;
    try {
      token = await this._tokenForConnect(false);
    } catch (e) {
      if (gen !== this._gen) return;
      this.emit("error", new SyncwireError("token", "getToken failed", { cause: e }));
      this._attemptFailed({ reason: "token" });
      return;
    }
    if (gen !== this._gen) return;
    if (this._hub) await this._hub.roleKnown.promise;
    if (gen !== this._gen) return;
    const info = this._follower ? null : await this._getInfo();
    if (gen !== this._gen) return;
    const candidates = this._follower ? ["shared"] : this._candidates(info);
    const failed = [];
    let httpDown = false;
    for (const name of candidates) {
      if (name !== "websocket" && httpDown) continue;
      let conn;
      try {
        conn = await this._open(name, token);
      } catch (e) {
        if (gen !== this._gen) return;
        if (e.refused) {
          this._refused(e);
          return;
        }
        if (e.networkDown) httpDown = true;
        failed.push(name);
        continue;
      }
      if (gen !== this._gen) {
        conn.close();
        return;
      }
      if (conn.closed) {
        failed.push(name); // died right after connected (§14.3: counts as not opened)
        continue;
      }
      // A transport that failed where a later one worked is blocked here (§14.3); retried later.
      for (const f of failed) if (f !== "shared") this._blockedUntil.set(f, Date.now() + this.options.upgradeRetryMs);
      this._connected(conn);
      return;
    }
    this._attemptFailed({ reason: "unreachable" });
  }

  /** The server refused the connect (§5.1, §9.4, §10.2). */
  _refused(err) {
    if (err.code === "unauthorized") {
      if (typeof this.options.getToken === "function" && !this._triedFreshToken) {
        // 4001 and a refused token: once more with a fresh token from getToken (§5.4), then stop.
        this._triedFreshToken = true;
        this._token = null;
        this._attempt();
        return;
      }
      this._giveUp("unauthorized", err);
      return;
    }
    if (!err.retry) {
      this._giveUp(err.code, err); // forbidden, a do-not-retry close code (§10.2), bad_request
      return;
    }
    this._attemptFailed({ reason: err.code, retryAfterMs: err.retryAfterMs });
  }

  _giveUp(reason, err) {
    this._gen++;
    const extra = {};
    if (err?.closeCode) extra.code = err.closeCode;
    if (err) extra.error = err;
    this._setState("disconnected", null, reason, extra);
  }

  /** An attempt that did not reach `connected`: back off (§14.1), or give up after maxAttempts. */
  _attemptFailed({ reason, retryAfterMs }) {
    this._failures++;
    const max = this.options.maxAttempts;
    if (max > 0 && this._failures >= max) {
      this._giveUp("gave_up");
      return;
    }
    this._scheduleReconnect(reason, retryAfterMs);
  }

  _scheduleReconnect(reason, retryAfterMs) {
    let delay;
    if (this._nextDelayOverride !== null) {
      delay = this._nextDelayOverride; // a `reconnect` push's delayMs wins once (§14.1)
      this._nextDelayOverride = null;
    } else {
      delay = backoffDelay(this._delayIndex++, this.options);
    }
    if (typeof retryAfterMs === "number") delay = Math.max(delay, retryAfterMs);
    clearTimeout(this._reconnectTimer);
    this._reconnectTimer = setTimeout(() => {
      this._reconnectTimer = null;
      if (this._state === "connecting") this._attempt();
    }, delay);
    this._setState("connecting", null, reason, { delayMs: delay });
    this.emit("reconnecting", { delayMs: delay, failures: this._failures, reason });
  }

  /** Skips the rest of a backoff wait (`online`, a page shown again). */
  _reconnectNow() {
    if (this._state === "connecting" && this._reconnectTimer) {
      clearTimeout(this._reconnectTimer);
      this._reconnectTimer = null;
      this._attempt();
    }
  }

  _connected(conn) {
    this._conn = conn;
    this._session = conn.info;
    this._failures = 0;
    this._delayIndex = 0;
    this._triedFreshToken = false;
    this._setState("connected", conn.name);
    this.emit("connected", { ...conn.info, transport: conn.name });
    for (const s of this._subs.values()) s.subscribe(conn);
    this._startHeartbeat(conn);
    this._scheduleRefresh();
    this._scheduleUpgrade();
    this._drainOutbox();
    if (!(conn.transport instanceof TabTransport)) this._hub?.leaderEvent("up");
  }

  _onConnectionLost(conn, info) {
    if (this._migrating && this._migrating.conn === conn) {
      this._migrating.cancel();
      return;
    }
    if (conn !== this._conn) return;
    this._conn = null;
    this._session = null;
    this._stopHeartbeat();
    clearTimeout(this._upgradeTimer);
    clearTimeout(this._refreshTimer);
    if (this._migrating) this._migrating.cancel();
    for (const s of this._subs.values()) {
      if (s.conn === conn) s.conn = null;
      if (s.pendingConn === conn) s.pendingConn = null;
      if (s.state === "subscribed" || s.state === "subscribing") s.state = "subscribing";
      clearTimeout(s.gapTimer);
      s.gapTimer = null;
    }
    for (const rec of this._outbox) if (rec.conn === conn) rec.inflight = false;
    if (!(conn.transport instanceof TabTransport)) this._hub?.leaderEvent("lost");
    if (this._state !== "connected") return;
    if (info.immediate) {
      // The leader tab changed (or this tab became it): connect again at once.
      this._setState("connecting", null, info.reason);
      this._attempt();
      return;
    }
    const code = info.code;
    const reason = info.reason || (code ? "closed_" + code : "transport_closed");
    const extra = code ? { code } : {};
    if (code === 4001 || info.status === 401) {
      // The token expired or was revoked (§5.4): a fresh one, once.
      if (typeof this.options.getToken === "function") {
        this._token = null;
        this._triedFreshToken = true;
        this._setState("connecting", null, "unauthorized", extra);
        this._attempt();
      } else {
        this._giveUp("unauthorized", new SyncwireError("unauthorized", reason, { closeCode: code }));
      }
      return;
    }
    if (code && NO_RETRY_CLOSE_CODES.has(code)) {
      this._giveUp(code === 4003 ? "forbidden" : "closed", new SyncwireError("closed", reason, { closeCode: code }));
      return;
    }
    this._setState("connecting", null, reason, extra);
    this._scheduleReconnect(reason, info.retryAfterMs);
  }

  _onPush(conn, frame) {
    if (conn === this._conn && frame.type !== "reconnect") this._hub?.push(frame);
    if (frame.type === "pub") {
      const s = this._subs.get(frame.channel);
      if (s) s.onPub(conn, frame);
    } else if (frame.type === "reset") {
      const s = this._subs.get(frame.channel);
      if (s) s.onReset(conn, frame);
    } else if (frame.type === "reconnect") {
      // §3.4: wait delayMs, then connect again (maybe to another node).
      if (conn !== this._conn) return;
      if (typeof frame.delayMs === "number") this._nextDelayOverride = Math.max(0, frame.delayMs);
      conn.close({ reason: frame.reason || "reconnect" });
    }
  }

  // --- tokens (§5.3, §5.4) ---

  _tokenExpiry(token) {
    const exp = decodeToken(token)?.exp;
    return typeof exp === "number" ? exp * 1000 : null;
  }

  async _tokenForConnect(force) {
    if (typeof this.options.getToken !== "function") return this._token;
    const exp = this._token ? this._tokenExpiry(this._token) : null;
    if (!force && this._token && (exp === null || exp - Date.now() > this.options.refreshBeforeMs)) return this._token;
    if (!this._tokenPromise) {
      this._tokenPromise = Promise.resolve()
        .then(() => this.options.getToken())
        .then((t) => {
          if (typeof t !== "string" || !t) throw new SyncwireError("token", "getToken returned no token");
          this._token = t;
          this.emit("token", { token: t, expiresAt: this._tokenExpiry(t) });
          return t;
        })
        .finally(() => {
          this._tokenPromise = null;
        });
    }
    return this._tokenPromise;
  }

  /** Plans a `refresh` (§5.4) about refreshBeforeMs before the token's exp, so a long session never drops. */
  _scheduleRefresh() {
    clearTimeout(this._refreshTimer);
    this._refreshTimer = null;
    if (typeof this.options.getToken !== "function" || !this._token) return;
    if (this._conn?.transport instanceof TabTransport) return; // the leader tab refreshes its session
    const exp = this._tokenExpiry(this._token);
    if (exp === null) return;
    const delay = Math.max(0, exp - this.options.refreshBeforeMs - Date.now());
    this._refreshTimer = setTimeout(() => this._refresh(), Math.min(delay, 0x7fffffff));
  }

  async _refresh() {
    this._refreshTimer = null;
    const conn = this._conn;
    if (!conn || this._state !== "connected") return;
    let token;
    try {
      token = await this._tokenForConnect(true);
    } catch (e) {
      this.emit("error", new SyncwireError("token", "getToken failed", { cause: e }));
      this._refreshTimer = setTimeout(() => this._refresh(), 5000);
      return;
    }
    if (conn !== this._conn) return;
    let reply;
    try {
      reply = await conn.command({ type: "refresh", token });
    } catch {
      return; // the connection ended; the next connect uses the new token
    }
    if (reply.type === "refreshed") {
      this._scheduleRefresh();
      return;
    }
    if (reply.type === "error" && reply.code === "bad_request") {
      // A server without `refresh` (§15): move to a new session with the new token, without a gap.
      this._migrate("token", conn.name, token);
      return;
    }
    if (reply.type === "error" && reply.code === "unauthorized") {
      // The new token was refused; the session keeps its old expiry: try again a little later.
      this._refreshTimer = setTimeout(() => this._refresh(), 5000);
    }
  }

  // --- moving a live client to a new session: transport upgrade, token without `refresh` ---

  _scheduleUpgrade() {
    clearTimeout(this._upgradeTimer);
    this._upgradeTimer = null;
    const conn = this._conn;
    if (!conn || conn.transport instanceof TabTransport) return;
    const order = this._candidates(this._info).filter((t) => this.options.transports.includes(t));
    const better = this.options.transports.filter((t) => order.includes(t));
    const idx = better.indexOf(conn.name);
    if (idx <= 0) return;
    const target = better[0];
    const at = this._blockedUntil.get(target) || 0;
    this._upgradeTimer = setTimeout(() => {
      this._upgradeTimer = null;
      if (this._conn === conn && this._state === "connected") this._migrate("upgrade", target, this._token);
    }, Math.max(0, at - Date.now()));
  }

  /**
   * Opens a second session, subscribes it with since, and moves to it once every channel is
   * subscribed there (so the position is never lost), then ends the old one.
   */
  async _migrate(why, name, token) {
    if (this._migrating || !this._conn) return;
    const old = this._conn;
    const state = { conn: null, cancelled: false, cancel: () => {
      state.cancelled = true;
      if (state.conn && state.conn !== this._conn) state.conn.close();
    } };
    this._migrating = state;
    try {
      let conn;
      try {
        conn = await this._open(name, token);
      } catch (e) {
        throw e;
      }
      state.conn = conn;
      if (state.cancelled || this._conn !== old) {
        conn.close();
        return;
      }
      await Promise.all([...this._subs.values()].map((s) => s.subscribe(conn)));
      if (state.cancelled || this._conn !== old) return;
      this._outboxPaused = true;
      await this._inflightSettled(5000);
      if (state.cancelled || this._conn !== old) return;
      this._conn = conn;
      this._session = conn.info;
      for (const rec of this._outbox) if (rec.conn === old) rec.inflight = false;
      old.close();
      this._stopHeartbeat();
      this._startHeartbeat(conn);
      this._blockedUntil.delete(name);
      // Follower tabs were subscribed on the old session: they reconnect through the new one, with since.
      this._hub?.leaderEvent("lost");
      this._hub?.leaderEvent("up");
      this._setState("connected", conn.name, why); // an event only when the transport changed
      this.emit("connected", { ...conn.info, transport: conn.name, reason: why });
      this._scheduleRefresh();
      this._scheduleUpgrade();
    } catch (e) {
      if (why === "upgrade") {
        this._blockedUntil.set(name, Date.now() + this.options.upgradeRetryMs);
        this._scheduleUpgrade();
      } else if (this._conn === old && !state.cancelled) {
        // No new session with the new token: reconnect the plain way.
        old.close({ reason: "token_refresh" });
      }
    } finally {
      if (this._migrating === state) this._migrating = null;
      this._outboxPaused = false;
      this._pump();
    }
  }

  async _inflightSettled(maxMs) {
    const until = Date.now() + maxMs;
    while (this._outbox.some((r) => r.inflight) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  // --- liveness (§9.1): pings from a Worker tick, and quick probes when the network may have changed ---

  _startHeartbeat(conn) {
    this._stopHeartbeat();
    const interval = this.options.pingIntervalMs || conn.info?.heartbeatMs || this._info?.heartbeatMs || 30000;
    const tick = Math.max(250, Math.min(5000, Math.floor(interval / 4)));
    let lastTick = Date.now();
    this._pinging = false;
    this._ticker = createTicker(tick, () => {
      const now = Date.now();
      const jumped = now - lastTick > tick * 3 + 5000; // the machine slept or the clock moved
      lastTick = now;
      if (this._conn !== conn || conn.closed) return;
      if (jumped) this._probe("clock_jump");
      else if (now - conn.lastReceived > interval && !this._pinging) this._ping(conn, this._pingTimeout());
    });
  }

  _stopHeartbeat() {
    if (this._ticker) this._ticker.stop();
    this._ticker = null;
  }

  _pingTimeout() {
    const hidden = typeof document !== "undefined" && document.visibilityState === "hidden";
    return hidden ? this.options.pingTimeoutMs * 2 : this.options.pingTimeoutMs;
  }

  _ping(conn, timeoutMs) {
    this._pinging = true;
    return conn.command({ type: "ping" }, { urgent: true, timeoutMs }).then(
      () => {
        this._pinging = false;
        return true;
      },
      (e) => {
        this._pinging = false;
        if (e.code === "timeout" && this._conn === conn) conn.close({ reason: "ping_timeout" });
        return false;
      });
  }

  /** A quick ping with a short timeout after signs that the network changed. */
  _probe(why) {
    if (this._state === "connected" && this._conn) {
      this._ping(this._conn, this.options.probeTimeoutMs);
    } else if (this._state === "connecting") {
      this._reconnectNow();
    }
    if (why !== "clock_jump") this._drainOutbox();
  }

  _installPageListeners() {
    const w = typeof window !== "undefined" && typeof window.addEventListener === "function" ? window : null;
    const d = typeof document !== "undefined" && typeof document.addEventListener === "function" ? document : null;
    const add = (target, type, fn) => {
      target.addEventListener(type, fn);
      this._listenersOff.push(() => target.removeEventListener(type, fn));
    };
    if (w) {
      add(w, "online", () => this._probe("online"));
      // `offline` is often wrong: probe, never stop reconnecting.
      add(w, "offline", () => this._probe("offline"));
      add(w, "pagehide", () => {
        // Close cleanly so that the page can enter the back/forward cache; reopen on pageshow.
        if (this._state === "connected" || this._state === "connecting") {
          this._hiddenByPagehide = true;
          this._gen++;
          for (const timer of [this._reconnectTimer, this._upgradeTimer, this._refreshTimer]) clearTimeout(timer);
          if (this._migrating) this._migrating.cancel();
          const conn = this._conn;
          this._conn = null;
          if (conn) conn.close();
          this._stopHeartbeat();
          for (const s of this._subs.values()) {
            s.conn = s.pendingConn = null;
            s.state = "subscribing";
          }
          for (const rec of this._outbox) rec.inflight = false;
          this._setState("disconnected", null, "pagehide");
        }
        if (this._hub) {
          this._stopHub(); // hand the connection to another tab while this page sleeps
          this._hubPaused = true;
        }
      });
      add(w, "pageshow", (e) => {
        if (this._hubPaused && this._state !== "closed") {
          this._hubPaused = false;
          this._startHub();
        }
        if (this._hiddenByPagehide && this._state === "disconnected") {
          this._hiddenByPagehide = false;
          this.connect();
        } else if (e?.persisted) {
          this._probe("pageshow");
        }
      });
    }
    if (d) {
      add(d, "visibilitychange", () => {
        if (d.visibilityState === "visible") this._probe("visible");
      });
    }
  }

  // --- subscriptions ---

  _release(handle) {
    const shared = handle._shared;
    shared.handles.delete(handle);
    if (shared.handles.size > 0 || this._subs.get(shared.channel) !== shared) return;
    this._subs.delete(shared.channel);
    shared.stop();
    const conn = this._conn;
    if (this._hub?.role === "leader" && this._hub.followed(shared.channel)) return; // another tab follows it
    if (conn && !conn.closed && this._state === "connected") {
      conn.command({ type: "unsubscribe", channel: shared.channel }).catch(() => {});
    }
  }

  // --- outbox ---

  _chooseStore(options) {
    if (options.store) return options.store;
    if (options.offline !== false && typeof globalThis.indexedDB !== "undefined" && globalThis.indexedDB) {
      return new IndexedDbOutboxStore();
    }
    return new MemoryOutboxStore();
  }

  async _resolveScope() {
    const o = this.options;
    let tenant = o.tenant || null;
    let user = o.user || null;
    let token = this._token;
    if (!token && typeof o.getToken === "function" && !user) {
      try {
        token = await this._tokenForConnect(false);
      } catch {
        token = null;
      }
    }
    const claims = token ? decodeToken(token) : null;
    if (claims) {
      tenant = claims.tenant || tenant;
      user = user || claims.sub || null;
    }
    this._scope = o.scope || outboxScope(this.url, tenant, user);
    return this._scope;
  }

  /**
   * Opens the store and takes this client's owner lock before anything is written under its name;
   * then writes, in order, what was published meanwhile.
   */
  async _openStore() {
    try {
      await this._store.open();
      await this._liveness.hold(this._owner);
      if (this._store.durable && globalThis.navigator?.storage?.persist) {
        globalThis.navigator.storage.persist().catch(() => {});
      }
    } catch (e) {
      // IndexedDB missing or refused (some private modes): keep the outbox in memory, and say so.
      queueMicrotask(() => this.emit("error", new SyncwireError("storage", "IndexedDB unavailable; the outbox lives in memory", { cause: e })));
      this._store = new MemoryOutboxStore();
      this._liveness = this._store.liveness();
      await this._liveness.hold(this._owner);
      this.durable = false;
    }
    await this._scopeReady;
    this._storeOpened = true;
    const waiting = this._unpersisted;
    this._unpersisted = [];
    for (const persist of waiting) persist();
  }

  /** Fates of entries settled while no page was open (the service worker), then what earlier pages left. */
  async _loadEarlier() {
    try {
      for (const r of await this._store.takeReceipts(this._scope)) {
        const e = { key: r.key, channel: r.channel, status: r.status };
        if (r.seq !== undefined) Object.assign(e, { seq: r.seq, epoch: r.epoch });
        if (r.error) e.error = new SyncwireError(r.error.code, r.error.message);
        this.emit("outbox", e);
      }
    } catch {
      /* no receipts */
    }
    if (this._state !== "closed") await this._claim();
  }

  _newKey() {
    return this._keyPrefix + "-" + (++this._keyCounter).toString(36);
  }

  _enqueue(channel, kind, body, options) {
    if (this._state === "closed") return Promise.reject(new SyncwireError("closed", "the client is closed"));
    if (typeof channel !== "string" || !channel) return Promise.reject(new TypeError("channel must be a non-empty string"));
    let text;
    try {
      text = JSON.stringify(body); // taken now: later changes to the object do not change what is sent
    } catch (e) {
      return Promise.reject(new SyncwireError("bad_request", "the body is not JSON", { cause: e }));
    }
    if (text === undefined) text = "null";
    const key = options.key ?? this._newKey();
    if (typeof key !== "string" || key.length < 1 || key.length > 128) {
      return Promise.reject(new SyncwireError("bad_request", "key must be 1-128 characters"));
    }
    const size = utf8Length(publishText(Number.MAX_SAFE_INTEGER, { channel, key, kind, body: text })) + 2;
    if (size > this.options.maxFrameBytes) {
      return Promise.reject(new SyncwireError("too_large", `the publication is ${size} bytes, over maxFrameBytes (${this.options.maxFrameBytes})`, { retry: false }));
    }
    const now = Date.now();
    const ttl = options.ttlMs ?? this.options.offlineTtlMs;
    const entry = { id: "", scope: "", channel, key, kind, body: text, createdAt: now, expiresAt: now + ttl, n: ++this._n, owner: this._owner };
    const d = deferred();
    const rec = { entry, own: true, d, inflight: false, retryAt: 0, tries: 0, conn: null };
    this._outbox.push(rec);
    const offline = !(this._state === "connected" && this._conn);
    const persist = () => {
      entry.scope = this._scope;
      entry.id = this._scope + "\n" + channel + "\n" + key;
      // Settled before the store was ready (acked, refused, expired): nothing to keep. An entry the client
      // was closed on is still written: it stays in the outbox for the next client, as close() says.
      if (rec.settled) return;
      // `queued` once the entry is on disk: what a page reloaded after it will find again.
      rec.stored = this._store.add({ ...entry }).then(
        () => {
          if (offline) this.emit("queued", { key, channel, durable: this.durable });
        },
        (e) => {
          this.emit("error", e instanceof SyncwireError ? e : new SyncwireError("storage", "outbox write failed", { cause: e }));
        },
      );
    };
    if (this._storeOpened) persist();
    else this._unpersisted.push(persist);
    this._scheduleExpiry();
    this._pump();
    return d.promise;
  }

  /** Takes the entries of this scope whose owner is gone (an earlier page, a closed tab). */
  _claim() {
    if (this._claiming) return this._claiming;
    this._claiming = (async () => {
      try {
        await this._storeOpen;
        const all = await this._store.list(this._scope);
        const owners = [...new Set(all.map((e) => e.owner).filter((o) => o && o !== this._owner))];
        const alive = owners.length ? await this._liveness.alive(owners) : new Set();
        const dead = owners.filter((o) => !alive.has(o));
        if (!all.some((e) => e.owner == null || dead.includes(e.owner))) return;
        const claimed = await this._store.claim(this._scope, this._owner, dead);
        if (this._state === "closed") {
          await this._store.release(this._scope, this._owner);
          return;
        }
        const known = new Set(this._outbox.map((r) => r.entry.id));
        const recs = claimed.filter((e) => !known.has(e.id)).map((entry) => ({ entry, own: false, d: null, inflight: false, retryAt: 0, tries: 0, conn: null, stored: Promise.resolve() }));
        if (recs.length) {
          // Older than anything this page made: they go first, in their order.
          this._outbox = [...recs.sort((a, b) => byOrder(a.entry, b.entry)), ...this._outbox];
          this._scheduleExpiry();
          this._pump();
        }
      } catch (e) {
        this.emit("error", new SyncwireError("storage", "could not read the outbox", { cause: e }));
      } finally {
        this._claiming = null;
      }
    })();
    return this._claiming;
  }

  _drainOutbox() {
    this._claim();
    this._pump();
  }

  _scheduleExpiry() {
    clearTimeout(this._expiryTimer);
    this._expiryTimer = null;
    let next = Infinity;
    for (const rec of this._outbox) if (!rec.inflight && rec.entry.expiresAt < next) next = rec.entry.expiresAt;
    if (next === Infinity || this._state === "closed") return;
    this._expiryTimer = setTimeout(() => {
      this._expiryTimer = null;
      this._expire();
      this._scheduleExpiry();
    }, Math.min(Math.max(0, next - Date.now()), 0x7fffffff));
  }

  _expire() {
    const now = Date.now();
    for (const rec of [...this._outbox]) {
      if (!rec.inflight && rec.entry.expiresAt <= now) {
        this._settle(rec, "expired", null, new SyncwireError("expired", "not sent within offlineTtlMs"));
      }
    }
  }

  /** Sends the next entries, in order; with maxInFlight 1 (default) strictly one after another. */
  _pump() {
    const conn = this._conn;
    if (!conn || conn.closed || this._state !== "connected" || this._outboxPaused) return;
    this._expire();
    let inflight = this._outbox.filter((r) => r.inflight).length;
    const now = Date.now();
    for (const rec of [...this._outbox]) { // a copy: refusing an entry here takes it out of the list
      if (inflight >= this.options.maxInFlight) break;
      if (rec.inflight) continue;
      if (rec.retryAt > now) {
        clearTimeout(this._outboxTimer);
        this._outboxTimer = setTimeout(() => {
          this._outboxTimer = null;
          this._pump();
        }, rec.retryAt - now);
        break; // strictly ordered: nothing later passes a refused entry waiting for its retry
      }
      if (!rec.own && utf8Length(publishText(Number.MAX_SAFE_INTEGER, rec.entry)) + 2 > this.options.maxFrameBytes) {
        // An earlier page's entry this connection cannot carry (it would close the WebSocket with 1009).
        this._settle(rec, "refused", null, new SyncwireError("too_large", "over maxFrameBytes", { retry: false }));
        continue;
      }
      this._send(rec, conn);
      inflight++;
    }
  }

  _send(rec, conn) {
    rec.inflight = true;
    rec.conn = conn;
    const attempt = (rec.sendId = (rec.sendId || 0) + 1);
    conn.command({ type: "publish" }, { text: (id) => publishText(id, rec.entry) }).then(
      (reply) => {
        if (rec.sendId !== attempt) return; // sent again since (on a new connection)
        rec.inflight = false;
        rec.conn = null;
        if (!this._outbox.includes(rec)) return;
        if (reply.type === "ack") {
          this._settle(rec, reply.duplicate ? "duplicate" : "acked", reply, null);
        } else if (reply.type === "error") {
          const err = SyncwireError.fromReply(reply);
          if (err.retry) {
            rec.tries++;
            rec.retryAt = Date.now() + (err.retryAfterMs ?? backoffDelay(rec.tries - 1, this.options));
          } else {
            this._settle(rec, "refused", null, err);
          }
        }
        this._pump();
      },
      () => {
        if (rec.sendId !== attempt) return;
        rec.inflight = false;
        rec.conn = null; // the connection ended: sent again, same key, after the reconnect (§14.2)
      });
  }

  _settle(rec, status, reply, error) {
    const i = this._outbox.indexOf(rec);
    if (i < 0) return;
    this._outbox.splice(i, 1);
    rec.settled = true;
    const e = rec.entry;
    Promise.resolve(rec.stored).then(() => (e.id ? this._store.remove(e.id) : undefined)).catch(() => {});
    const event = { key: e.key, channel: e.channel, status };
    if (reply) {
      event.seq = reply.seq;
      event.epoch = reply.epoch;
    }
    if (error) event.error = error;
    if (rec.d) {
      if (reply) rec.d.resolve({ epoch: reply.epoch, seq: reply.seq, duplicate: !!reply.duplicate });
      else rec.d.reject(error);
    }
    // Entries without a promise report their fate here; an expiry is always reported here too.
    if (!rec.d || status === "expired") this.emit("outbox", event);
  }
}
