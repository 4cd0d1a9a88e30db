// Syncwire outbox over Background Sync: one module for both sides.
//
// In the page:
//   import { Syncwire } from "/client/syncwire.js";
//   import { registerSync } from "/client/syncwire-sw.js";
//   const client = new Syncwire(url, { ... });
//   registerSync(client);            // saves what the worker needs; asks for a sync when publications wait offline
//
// In a module service worker (navigator.serviceWorker.register("/sw.js", { type: "module" })):
//   import "/client/syncwire-sw.js"; // installs the `sync` listener (tag "syncwire-outbox")
//
// On `sync` the worker reads the IndexedDB outbox, sends it over POST /send (connect with the stored
// token or tenant, then each publication with its original key, docs/protocol.md §11.2) and removes
// what was acknowledged. Open pages drain the outbox themselves on connect, `online` and visibility
// changes; the sync event is an extra path where Background Sync exists (Chromium).
import { drainOutbox, IndexedDbOutboxStore } from "./syncwire.js";

export { drainOutbox };

/** The Background Sync tag this module registers and answers. */
export const SYNC_TAG = "syncwire-outbox";

/**
 * Page side: saves the client's credentials for the worker (and again whenever its token changes),
 * and registers a one-off sync each time a publication is queued while offline.
 * @param {import("./syncwire.js").Syncwire} client
 * @param {{registration?: ServiceWorkerRegistration, store?: any}} [options]
 * @returns {() => void} stops following the client
 */
export function registerSync(client, options = {}) {
  const store = options.store || new IndexedDbOutboxStore();
  const save = () => client.credentials().then((c) => store.saveCredentials(c)).catch(() => {});
  const requestSync = async () => {
    try {
      const reg = options.registration || (await globalThis.navigator?.serviceWorker?.ready);
      if (reg?.sync) await reg.sync.register(SYNC_TAG);
    } catch {
      // no Background Sync here (Firefox, Safari) or it is disabled: pages drain the outbox instead
    }
  };
  save();
  const offs = [client.on("token", save), client.on("queued", () => save().then(requestSync))];
  return () => offs.forEach((off) => off());
}

/**
 * Worker side: answers `sync` events with the tag {@link SYNC_TAG}. Called on import when this module
 * runs in a service worker; call it yourself for another global (tests).
 * @param {any} [scope] the worker's global scope
 * @param {Parameters<typeof drainOutbox>[0]} [options] passed to {@link drainOutbox}
 */
export function installSyncHandler(scope = globalThis, options = {}) {
  scope.addEventListener("sync", (event) => {
    if (event.tag !== SYNC_TAG) return;
    event.waitUntil(
      drainOutbox(options).then((summary) => {
        // A rejected promise makes the browser retry the sync later (with its own backoff).
        if (summary.retryLater) throw new Error("syncwire outbox: some publications wait for a retry");
      }),
    );
  });
}

if (typeof ServiceWorkerGlobalScope !== "undefined" && globalThis instanceof ServiceWorkerGlobalScope) {
  installSyncHandler(globalThis);
}
