// Type declarations of syncwire.js, the Syncwire browser client (ES module).

export declare const VERSION: string;
export type TransportName = "websocket" | "sse" | "longpoll";
export declare const TRANSPORTS: readonly TransportName[];

/** Defaults of the client's options. */
export declare const DEFAULTS: Readonly<{
  transports: readonly TransportName[];
  baseDelayMs: number;
  jitterMs: number;
  maxDelayMs: number;
  maxAttempts: number;
  gapTimeoutMs: number;
  offlineTtlMs: number;
  upgradeRetryMs: number;
  refreshBeforeMs: number;
  openTimeoutMs: number;
  commandTimeoutMs: number;
  pingTimeoutMs: number;
  probeTimeoutMs: number;
  httpIdleTimeoutMs: number;
  maxInFlight: number;
  gapBufferLimit: number;
  maxFrameBytes: number;
}>;

export type ClientState = "disconnected" | "connecting" | "connected" | "closed";

/** A channel position: the epoch and the last seq applied. */
export interface Position {
  epoch: string;
  seq: number;
}

export interface StateEvent {
  state: ClientState;
  transport: TransportName | null;
  /** why: `connect`, `gave_up`, `unauthorized`, `forbidden`, `closed`, `pagehide`, `upgrade`, a transport reason… */
  reason?: string;
  /** the WebSocket close code, when one caused the change */
  code?: number;
  /** while `connecting`: the wait before the next attempt */
  delayMs?: number;
  error?: SyncwireError;
}

export interface Publication {
  channel: string;
  epoch: string;
  seq: number;
  data?: unknown;
  patch?: Patch & { versions?: Record<string, number> };
  /** first position a merged patch push covers (docs/protocol.md §8.2) */
  from?: number;
  key?: string;
  /** true when it came from a recovery replay */
  recovered?: true;
}

export interface ResetEvent {
  channel: string;
  /** `not_recovered`, or the reason of a `reset` push: `gap`, `epoch_changed`, `history_lost`, `slow_consumer`, `subscribe_timeout` */
  reason: string;
  recovered: boolean;
  epoch: string;
  seq: number;
  /** state channels: the fresh snapshot the replica was rebuilt from */
  snapshot?: Snapshot;
}

export interface Snapshot {
  seq: number;
  entities: Record<string, Record<string, { v: unknown; seq: number }>>;
}

export type Fields = Record<string, unknown>;

export interface EntityEvent {
  channel: string;
  id: string;
  /** undefined when the entity was removed */
  fields: Fields | undefined;
  versions: Record<string, number> | undefined;
}

export interface Patch {
  entity: string;
  set?: Record<string, unknown>;
  unset?: string[];
  inc?: Record<string, number>;
  if?: Record<string, number>;
}

export interface Ack {
  epoch: string;
  seq: number;
  duplicate: boolean;
}

export interface OutboxEvent {
  key: string;
  channel: string;
  status: "acked" | "duplicate" | "expired" | "refused";
  seq?: number;
  epoch?: string;
  error?: SyncwireError;
}

export interface SubscribeOptions {
  /** a position the page already has, for example from its server-rendered snapshot */
  since?: Position;
  onPublication?(publication: Publication): void;
  onReset?(event: ResetEvent): void;
  /** state channels: entity id → fields, and the ids that changed */
  onState?(entities: ReadonlyMap<string, Fields>, changed: string[]): void;
  /** state channels: one call per changed entity */
  onEntity?(event: EntityEvent): void;
  /** the subscription was refused (`forbidden`, `bad_request`, `too_large`) */
  onError?(error: SyncwireError): void;
  onSubscribed?(event: { channel: string; epoch: string; seq: number; recovered: boolean; transport: TransportName }): void;
}

export interface PublishOptions {
  /** idempotency key, 1-128 characters; generated when absent */
  key?: string;
  /** this publication's offline expiry instead of `offlineTtlMs` */
  ttlMs?: number;
}

/** The storage behind the outbox; `MemoryOutboxStore` and `IndexedDbOutboxStore` implement it. */
export interface OutboxStore {
  readonly durable: boolean;
  open(): Promise<void>;
  liveness(): OwnerLiveness;
  add(entry: OutboxEntry): Promise<void>;
  remove(id: string): Promise<void>;
  list(scope: string): Promise<OutboxEntry[]>;
  claim(scope: string, owner: string, deadOwners: string[]): Promise<OutboxEntry[]>;
  release(scope: string, owner: string): Promise<void>;
  addReceipt(receipt: object): Promise<void>;
  takeReceipts(scope: string): Promise<any[]>;
  saveCredentials(record: Credentials): Promise<void>;
  credentials(): Promise<Credentials[]>;
  close(): void;
}

export interface OutboxEntry {
  id: string;
  scope: string;
  channel: string;
  key: string;
  kind: "data" | "patch";
  /** the JSON text of the data or patch */
  body: string;
  createdAt: number;
  expiresAt: number;
  n: number;
  owner: string | null;
}

/** Which outbox owners (clients, workers) are still alive. */
export interface OwnerLiveness {
  hold(owner: string): Promise<void>;
  release(owner: string): void;
  alive(owners: string[]): Promise<Set<string>>;
}

export interface Credentials {
  scope: string;
  url: string;
  tenant: string | null;
  token: string | null;
  updatedAt: number;
}

export interface SyncwireOptions {
  /** for tenants that admit anonymous users */
  tenant?: string;
  token?: string;
  /** called before a connect when there is no valid token, after a 4001, and ~refreshBeforeMs before exp */
  getToken?: () => string | Promise<string>;
  /** user id of the outbox scope when no token is at hand yet (with getToken while offline) */
  user?: string;
  transports?: TransportName[];
  baseDelayMs?: number;
  jitterMs?: number;
  maxDelayMs?: number;
  /** failed reconnects before `gave_up`; 0 = unlimited */
  maxAttempts?: number;
  gapTimeoutMs?: number;
  /** durable outbox in IndexedDB (default true where IndexedDB exists) */
  offline?: boolean;
  offlineTtlMs?: number;
  /** after a fallback, when to try the better transport again */
  upgradeRetryMs?: number;
  refreshBeforeMs?: number;
  openTimeoutMs?: number;
  commandTimeoutMs?: number;
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  probeTimeoutMs?: number;
  httpIdleTimeoutMs?: number;
  /** outbox publications on the wire at once; 1 keeps the outbox strictly ordered under refusals */
  maxInFlight?: number;
  gapBufferLimit?: number;
  /** the server's limits.maxFrameBytes: a larger publication is refused with `too_large` at once (65536) */
  maxFrameBytes?: number;
  /** a WebSocket constructor (Node 20 has none global) */
  WebSocket?: any;
  fetch?: typeof fetch;
  /** the outbox storage (tests: `new MemoryOutboxStore()`) */
  store?: OutboxStore;
  liveness?: OwnerLiveness;
  /** overrides the outbox scope (server URL, tenant, user) */
  scope?: string;
  /**
   * one connection per origin and scope across tabs: a leader tab elected with Web Locks connects, the
   * others use it over BroadcastChannel (default true where both exist)
   */
  sharedConnection?: boolean;
  /** a LockManager instead of `navigator.locks` */
  locks?: any;
  /** a BroadcastChannel constructor instead of the global one */
  BroadcastChannel?: any;
  /**
   * FOR TESTS ONLY. Sees every frame that arrives after `connected`, replies and pushes alike, and decides
   * when it reaches the client: call `deliver(frame)` now, later, with another frame, or never.
   */
  _transportFilter?: (frame: any, deliver: (frame?: any) => void, info: { transport: TransportName }) => void;
}

export declare class SyncwireError extends Error {
  constructor(code: string, message?: string, extra?: object);
  /** a wire code (`conflict`, `forbidden`, …) or the client's: `closed`, `disconnected`, `expired`, `timeout`, `transport_failed`, `quota_exceeded`, `storage`, `token` */
  code: string;
  retry: boolean;
  retryAfterMs?: number;
  /** `conflict`: the current value and version of each field named in `if` */
  current?: Record<string, { v?: unknown; seq: number }>;
  status?: number;
  closeCode?: number;
}

export interface ClientEvents {
  state: StateEvent;
  outbox: OutboxEvent;
  error: SyncwireError;
  connected: { session: string; key: string; user: string; tenant: string; node: string; heartbeatMs: number; transport: TransportName; reason?: string };
  reconnecting: { delayMs: number; failures: number; reason: string };
  /** a publication made while not connected is stored (on disk when `durable`: its transaction committed) */
  queued: { key: string; channel: string; durable: boolean };
  token: { token: string; expiresAt: number | null };
}

declare class Emitter<E> {
  on<K extends keyof E & string>(event: K, listener: (event: E[K]) => void): () => void;
  once<K extends keyof E & string>(event: K, listener: (event: E[K]) => void): () => void;
  off<K extends keyof E & string>(event: K, listener: (event: E[K]) => void): void;
  removeAllListeners(): void;
}

export interface SubscriptionEvents {
  publication: Publication;
  reset: ResetEvent;
  entity: EntityEvent;
  error: SyncwireError;
  subscribed: { channel: string; epoch: string; seq: number; recovered: boolean; transport: TransportName };
}

export declare class Subscription extends Emitter<SubscriptionEvents> {
  readonly channel: string;
  /** resolves at the first `subscribed`; rejects when the subscription is refused */
  readonly ready: Promise<void>;
  readonly state: "unsubscribed" | "subscribing" | "subscribed" | "failed";
  /** the last applied position */
  readonly position: Position | null;
  /** the state replica: entity id → fields */
  readonly entities: ReadonlyMap<string, Fields>;
  versions(id: string): Record<string, number>;
  unsubscribe(): void;
}

export declare class Syncwire extends Emitter<ClientEvents> {
  constructor(url: string, options?: SyncwireOptions);
  readonly url: string;
  readonly options: Required<Pick<SyncwireOptions, "baseDelayMs" | "jitterMs" | "maxDelayMs" | "maxAttempts" | "gapTimeoutMs" | "offlineTtlMs">> & SyncwireOptions;
  readonly state: ClientState;
  readonly transport: TransportName | null;
  /** the `connected` reply of the current session */
  readonly session: { session: string; user: string; tenant: string; node: string; heartbeatMs: number } | null;
  /** false when the outbox can only live in memory */
  readonly durable: boolean;
  connect(): void;
  subscribe(channel: string, options?: SubscribeOptions): Subscription;
  publish(channel: string, data: unknown, options?: PublishOptions): Promise<Ack>;
  patch(channel: string, patch: Patch, options?: PublishOptions): Promise<Ack>;
  /** publications handed to publish/patch and not yet acknowledged, queued offline and in flight alike */
  pending(): Promise<number>;
  credentials(): Promise<Credentials>;
  close(): void;
  dispose(): void;
}

/** min(base × 2^attempt + random(0, jitter), cap), docs/protocol.md §14.1 */
export declare function backoffDelay(
  attempt: number,
  options?: { baseDelayMs?: number; jitterMs?: number; maxDelayMs?: number },
  random?: () => number,
): number;

export declare function decodeToken(token: string): Record<string, any> | null;
export declare function outboxScope(baseUrl: string, tenant: string | null | undefined, user: string | null | undefined): string;

export declare class Sequencer {
  constructor(limit?: number);
  epoch: string | null;
  last: number;
  readonly gap: boolean;
  reset(epoch: string, seq: number): void;
  offer(pub: any): { ready: any[]; epochChanged: boolean; overflow: boolean };
}

export declare class Replica {
  entities: Map<string, Fields>;
  versions: Map<string, Record<string, number>>;
  seq: number;
  load(snapshot: Snapshot): string[];
  apply(patch: Patch & { versions?: Record<string, number> }, seq: number): string | null;
}

export declare class MemoryOutboxStore implements OutboxStore {
  readonly durable: false;
  open(): Promise<void>;
  liveness(): OwnerLiveness;
  add(entry: OutboxEntry): Promise<void>;
  remove(id: string): Promise<void>;
  list(scope: string): Promise<OutboxEntry[]>;
  claim(scope: string, owner: string, deadOwners: string[]): Promise<OutboxEntry[]>;
  release(scope: string, owner: string): Promise<void>;
  addReceipt(receipt: object): Promise<void>;
  takeReceipts(scope: string): Promise<any[]>;
  saveCredentials(record: Credentials): Promise<void>;
  credentials(): Promise<Credentials[]>;
  close(): void;
}

export declare class IndexedDbOutboxStore implements OutboxStore {
  constructor(options?: { indexedDB?: IDBFactory; name?: string });
  readonly durable: true;
  open(): Promise<void>;
  liveness(): OwnerLiveness;
  add(entry: OutboxEntry): Promise<void>;
  remove(id: string): Promise<void>;
  list(scope: string): Promise<OutboxEntry[]>;
  claim(scope: string, owner: string, deadOwners: string[]): Promise<OutboxEntry[]>;
  release(scope: string, owner: string): Promise<void>;
  addReceipt(receipt: object): Promise<void>;
  takeReceipts(scope: string): Promise<any[]>;
  saveCredentials(record: Credentials): Promise<void>;
  credentials(): Promise<Credentials[]>;
  close(): void;
}

export declare class WebLocksLiveness implements OwnerLiveness {
  constructor(locks?: any);
  hold(owner: string): Promise<void>;
  release(owner: string): void;
  alive(owners: string[]): Promise<Set<string>>;
}

export interface DrainSummary {
  acked: number;
  duplicate: number;
  refused: number;
  expired: number;
  /** something waits for a retry (a retryable refusal, the network): the sync should run again */
  retryLater: boolean;
}

export declare function drainOutbox(options?: { store?: OutboxStore; liveness?: OwnerLiveness; fetch?: typeof fetch }): Promise<DrainSummary>;
