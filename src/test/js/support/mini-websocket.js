// A small RFC 6455 client with the browser's WebSocket interface, for Node 20 where WebSocket is not
// global. Tests use the global one when it exists (Node 22+, or Node 20 with --experimental-websocket).
import http from "node:http";
import crypto from "node:crypto";

export class MiniWebSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;

  constructor(url, protocols) {
    this.url = url;
    this.readyState = 0;
    this.protocol = "";
    this.onopen = this.onmessage = this.onclose = this.onerror = null;
    this._listeners = new Map();
    this._socket = null;
    this._buf = Buffer.alloc(0);
    this._fragments = null;
    this._closeSent = false;
    this._closeInfo = null;
    const u = new URL(url);
    const key = crypto.randomBytes(16).toString("base64");
    const headers = { Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": key };
    const list = protocols === undefined ? [] : Array.isArray(protocols) ? protocols : [protocols];
    if (list.length) headers["Sec-WebSocket-Protocol"] = list.join(", ");
    const req = http.request({ host: u.hostname, port: u.port || 80, path: u.pathname + u.search, headers });
    req.on("upgrade", (res, socket, head) => {
      const accept = crypto.createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
      if (res.headers["sec-websocket-accept"] !== accept) {
        socket.destroy();
        this._fail();
        return;
      }
      this.protocol = res.headers["sec-websocket-protocol"] || "";
      this._socket = socket;
      socket.setNoDelay(true);
      this.readyState = 1;
      socket.on("data", (d) => this._data(d));
      socket.on("close", () => this._closed(1006, ""));
      socket.on("error", () => {});
      this._fire("open", {});
      if (head && head.length) this._data(head);
    });
    req.on("response", (res) => {
      res.resume();
      this._fail();
    });
    req.on("error", () => this._fail());
    req.end();
  }

  addEventListener(type, fn) {
    if (!this._listeners.has(type)) this._listeners.set(type, new Set());
    this._listeners.get(type).add(fn);
  }

  removeEventListener(type, fn) {
    this._listeners.get(type)?.delete(fn);
  }

  send(data) {
    if (this.readyState !== 1) throw new Error("WebSocket is not open");
    this._frame(typeof data === "string" ? 1 : 2, Buffer.from(data));
  }

  close(code = 1000, reason = "") {
    if (this.readyState >= 2) return;
    if (this.readyState === 0) {
      this._closed(1006, "");
      return;
    }
    this.readyState = 2;
    const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2);
    this._frame(8, payload);
    this._closeSent = true;
    setTimeout(() => this._socket?.destroy(), 2000).unref?.();
  }

  /** Test helper: the network dies under the socket (no close frame either way). */
  _kill() {
    this._socket?.destroy();
  }

  _fail() {
    if (this.readyState === 3) return;
    this._fire("error", {});
    this._closed(1006, "");
  }

  _fire(type, ev) {
    const on = this["on" + type];
    if (typeof on === "function") on.call(this, ev);
    for (const fn of this._listeners.get(type) || []) fn.call(this, ev);
  }

  _closed(code, reason) {
    if (this.readyState === 3) return;
    const info = this._closeInfo || { code, reason };
    this.readyState = 3;
    this._socket?.destroy();
    this._fire("close", { code: info.code, reason: info.reason, wasClean: !!this._closeInfo });
  }

  _frame(opcode, payload) {
    const mask = crypto.randomBytes(4);
    let header;
    if (payload.length < 126) {
      header = Buffer.from([0x80 | opcode, 0x80 | payload.length]);
    } else if (payload.length < 65536) {
      header = Buffer.alloc(4);
      header[0] = 0x80 | opcode;
      header[1] = 0x80 | 126;
      header.writeUInt16BE(payload.length, 2);
    } else {
      header = Buffer.alloc(10);
      header[0] = 0x80 | opcode;
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(payload.length), 2);
    }
    const masked = Buffer.alloc(payload.length);
    for (let i = 0; i < payload.length; i++) masked[i] = payload[i] ^ mask[i & 3];
    this._socket.write(Buffer.concat([header, mask, masked]));
  }

  _data(chunk) {
    this._buf = Buffer.concat([this._buf, chunk]);
    for (;;) {
      if (this._buf.length < 2) return;
      const fin = (this._buf[0] & 0x80) !== 0;
      const opcode = this._buf[0] & 0x0f;
      let len = this._buf[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this._buf.length < 4) return;
        len = this._buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this._buf.length < 10) return;
        len = Number(this._buf.readBigUInt64BE(2));
        off = 10;
      }
      if (this._buf.length < off + len) return;
      const payload = this._buf.subarray(off, off + len);
      this._buf = this._buf.subarray(off + len);
      if (opcode === 8) {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        this._closeInfo = { code, reason: payload.subarray(2).toString("utf8") };
        if (!this._closeSent && this.readyState === 1) {
          this.readyState = 2;
          this._frame(8, payload.subarray(0, 2));
          this._closeSent = true;
        }
        this._socket.end();
        this._closed(code, this._closeInfo.reason);
        return;
      }
      if (opcode === 9) {
        this._frame(10, Buffer.from(payload));
        continue;
      }
      if (opcode === 10) continue;
      if (opcode === 0) {
        this._fragments?.parts.push(Buffer.from(payload));
      } else {
        this._fragments = { opcode, parts: [Buffer.from(payload)] };
      }
      if (fin && this._fragments) {
        const whole = Buffer.concat(this._fragments.parts);
        const text = this._fragments.opcode === 1;
        this._fragments = null;
        this._fire("message", { data: text ? whole.toString("utf8") : whole });
      }
    }
  }
}

/** The WebSocket constructor tests use. */
export const TestWebSocket = typeof globalThis.WebSocket === "function" ? globalThis.WebSocket : MiniWebSocket;
