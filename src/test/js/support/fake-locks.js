// An in-process stand-in for the Web Locks API (navigator.locks), for Node 20 which has none:
// request(name, [{ifAvailable, signal}], callback) and query(), exclusive locks only.
export class FakeLocks {
  constructor() {
    /** @type {Set<string>} */ this.held = new Set();
    /** @type {Map<string, Array<() => void>>} */ this.queues = new Map();
  }

  request(name, options, callback) {
    if (typeof options === "function") {
      callback = options;
      options = {};
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        this.held.add(name);
        Promise.resolve()
          .then(() => callback({ name, mode: "exclusive" }))
          .then(resolve, reject)
          .finally(() => {
            this.held.delete(name);
            const next = this.queues.get(name)?.shift();
            if (next) next();
          });
      };
      if (!this.held.has(name)) {
        grant();
      } else if (options.ifAvailable) {
        Promise.resolve().then(() => callback(null)).then(resolve, reject);
      } else {
        const queue = this.queues.get(name) || [];
        this.queues.set(name, queue);
        queue.push(grant);
        options.signal?.addEventListener("abort", () => {
          const i = queue.indexOf(grant);
          if (i >= 0) queue.splice(i, 1);
          reject(Object.assign(new Error("aborted"), { name: "AbortError" }));
        });
      }
    });
  }

  async query() {
    const pending = [];
    for (const [name, q] of this.queues) for (let i = 0; i < q.length; i++) pending.push({ name, mode: "exclusive" });
    return { held: [...this.held].map((name) => ({ name, mode: "exclusive" })), pending };
  }
}
