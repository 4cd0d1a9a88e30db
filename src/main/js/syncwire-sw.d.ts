// Type declarations of syncwire-sw.js: the outbox over Background Sync.
import type { Syncwire, OutboxStore, drainOutbox } from "./syncwire.js";

export { drainOutbox } from "./syncwire.js";

export declare const SYNC_TAG: "syncwire-outbox";

/** Page side: saves the client's credentials for the worker; asks for a sync when publications wait offline. */
export declare function registerSync(
  client: Syncwire,
  options?: { registration?: ServiceWorkerRegistration; store?: OutboxStore },
): () => void;

/** Worker side: answers `sync` events tagged `syncwire-outbox` (done on import in a service worker). */
export declare function installSyncHandler(scope?: any, options?: Parameters<typeof drainOutbox>[0]): void;
