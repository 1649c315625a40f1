import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import type { KeyValue } from '../api/record.js';
import { isInvertedRange, mergeOverlay, takeWithPrefix } from './bytes.js';
import { KeyValueBytesStoreBase } from './key-value-bytes-store-base.js';
import { PendingWrites } from './pending-writes.js';
import type { StateStoreContext } from './store.js';

/** LMDB rejects empty keys; a one-byte prefix on every key keeps byte order and allows the empty key. */
const KEY_PREFIX = 0x00;
const LOWEST = Buffer.from([KEY_PREFIX]);
const ABOVE_ALL = Buffer.from([KEY_PREFIX + 1]);
/** Keys up to this length get a reused scratch LMDB key (longer ones are rare: a fresh buffer each). */
const MAX_SCRATCH_KEY = 512;
/** Pending writes are committed early once their values take this many bytes (large values, many overwrites). */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;

export interface LmdbStoreOptions {
  /** Pending writes are committed early once this many keys are buffered (bounds memory between commits). */
  readonly maxPendingWrites?: number;
}

/**
 * A persistent bytes store on LMDB, one environment per store under `<taskDir>/<name>/`.
 *
 * Durability and throughput: writes go to an in-memory overlay of pending writes and are committed to LMDB in
 * one synchronous transaction per `flush()` (the runtime flushes before each commit), or earlier when the overlay
 * grows past `maxPendingWrites` keys or 4 MiB of values. Commits are fsync'ed when they return, except where the
 * context offers `registerSync` (the runtime does under exactly-once only): there commits skip the fsync (LMDB's
 * `noSync`; they survive a process crash, the page cache holds them, but not a power loss) and the runtime calls
 * `sync()` before a checkpoint file names the store's state; `close()` syncs what it committed. Exactly-once writes
 * no checkpoint while a task runs and wipes a task's state that has none at start, so a power loss can only tear
 * state that is thrown away; a per-commit fsync took ≈45 % of the shop's main thread at 100 orders/s. Under
 * at-least-once a checkpoint vouches for state that later unsynced commits could damage in place (without sync,
 * LMDB may reuse pages of the synced snapshot and the disk may write them in any order), so there every commit
 * is synchronous, as before. Kafka Streams likewise
 * keeps RocksDB writes in memtables with the WAL off and relies on the changelog (replayed from the checkpoint) for
 * anything not yet flushed. Reads consult the overlay first, so they always see the latest writes.
 *
 * The overlay (`PendingWrites`) is a hash map keyed by the key's bytes as a latin1 string, values in one arena: point
 * reads and writes, all an aggregation does, cost a hash lookup. The sorted index that range scans merge from is
 * kept only once the store was scanned.
 */
export class LmdbKeyValueBytesStore extends KeyValueBytesStoreBase {
  readonly persistent = true;
  private db: RootDatabase<Buffer, Buffer> | undefined;
  private readonly pending = new PendingWrites();
  private readonly maxPendingWrites: number;
  /** The overlay key of the last key seen: a read-modify-write passes the same key buffer twice. */
  private lastKey: Buffer | undefined;
  private lastKeyString = '';
  /** Reused LMDB keys by length (reads copy the key into LMDB's own buffer, so one scratch key per length serves). */
  private readonly scratchKeys: Buffer[] = [];
  /** Committed writes not yet synced; true on open, as a crashed earlier process may have left some in the page cache. */
  private unsynced = false;
  /** Commits skip the fsync and wait for `sync()` (see the class comment). */
  private deferSync = false;
  private unregisterSync: (() => void) | undefined;

  constructor(
    readonly name: string,
    options: LmdbStoreOptions = {},
    /** Directory override (segmented stores place segments themselves); defaults to `<taskDir>/<name>`. */
    private readonly directory?: string,
  ) {
    super();
    this.maxPendingWrites = options.maxPendingWrites ?? 10_000;
  }

  init(context: StateStoreContext): void {
    const path = this.directory ?? join(context.taskDir, this.name);
    this.openAt(path, context.registerSync !== undefined);
    this.unregisterSync = context.registerSync?.(() => this.sync());
  }

  /** Opens without a context (segments, tools). */
  openAt(path: string, deferSync = false): void {
    mkdirSync(path, { recursive: true });
    // noSubdir: false, or lmdb-js takes a directory name with a dot (segments: `name.60000`) for a file name.
    // deferSync → noSync: commits are not fsync'ed; `sync()` makes them durable before a checkpoint names them (see
    // the class comment). Otherwise overlappingSync: false (lmdb-js's default on Linux is true), so that a
    // synchronous commit returns only once it is on disk: a checkpoint written right after `flush()` must not be
    // ahead of the store.
    this.db = open<Buffer, Buffer>({
      path,
      keyEncoding: 'binary',
      encoding: 'binary',
      noSubdir: false,
      noSync: deferSync,
      overlappingSync: false,
    });
    this.deferSync = deferSync;
    this.unsynced = deferSync;
  }

  get(key: Buffer): Buffer | null {
    const pending = this.pending.get(this.overlayKey(key));
    if (pending !== undefined) return pending;
    return this.database().getBinary(this.scratchDbKey(key)) ?? null;
  }

  put(key: Buffer, value: Buffer | null): void {
    this.database();
    this.pending.put(this.overlayKey(key), value);
    if (this.pending.size >= this.maxPendingWrites || this.pending.bytes >= MAX_PENDING_BYTES) this.commit();
  }

  range(from: Buffer | null, to: Buffer | null): Iterable<KeyValue<Buffer, Buffer>> {
    if (isInvertedRange(from, to)) return [];
    const overlay = this.pending.range(latin1(from), latin1(to), false);
    const base = this.dbRange(from, to, false);
    return lazy(() => mergeOverlay(overlay, base, false));
  }

  reverseRange(from: Buffer | null, to: Buffer | null): Iterable<KeyValue<Buffer, Buffer>> {
    if (isInvertedRange(from, to)) return [];
    const overlay = this.pending.range(latin1(from), latin1(to), true);
    const base = this.dbRange(from, to, true);
    return lazy(() => mergeOverlay(overlay, base, true));
  }

  override prefixScan(prefix: Buffer): Iterable<KeyValue<Buffer, Buffer>> {
    return lazy(() => takeWithPrefix(this.range(prefix, null), prefix));
  }

  /** Committed entries plus pending inserts (pending overwrites and deletes are not netted out: approximate). */
  approximateNumEntries(): number {
    const stats = this.database().getStats() as { entryCount?: number };
    return (stats.entryCount ?? 0) + this.pending.size;
  }

  flush(): void {
    this.commit();
  }

  /** Makes committed writes durable (fsync of the environment); pending ones are not committed here (`flush()`). */
  sync(): void {
    if (!this.unsynced || this.db === undefined) return;
    environmentOf(this.db).sync();
    this.unsynced = false;
  }

  close(): void {
    if (this.db === undefined) return;
    this.commit();
    // A clean close leaves the files durable: the last checkpoint may name what this store holds.
    this.sync();
    this.unregisterSync?.();
    this.unregisterSync = undefined;
    // close() is asynchronous in lmdb-js but takes effect at once for this handle; reopening the path works.
    void this.db.close();
    this.db = undefined;
  }

  isOpen(): boolean {
    return this.db !== undefined;
  }

  /** Drops all data (segment expiry, wiping state). */
  clear(): void {
    this.pending.clear();
    this.database().clearSync();
    this.unsynced = this.deferSync;
  }

  private commit(): void {
    if (this.pending.size === 0 || this.db === undefined) return;
    const db = this.db;
    db.transactionSync(() => {
      // LMDB copies keys and values within each call, so the scratch key and the arena views are safe to reuse.
      this.pending.forEach((id, value) => {
        if (value === null) db.removeSync(this.scratchDbKeyOf(id));
        else db.putSync(this.scratchDbKeyOf(id), value);
      });
    });
    this.pending.clear();
    this.unsynced = this.deferSync;
  }

  private overlayKey(key: Buffer): string {
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.lastKeyString = key.toString('latin1');
    }
    return this.lastKeyString;
  }

  /** The LMDB key of `key` in a reused buffer: valid until the next call (LMDB copies keys it is given). */
  private scratchDbKey(key: Buffer): Buffer {
    let out = this.scratchKeys[key.length];
    if (out === undefined) {
      out = toDbKey(key);
      if (key.length <= MAX_SCRATCH_KEY) this.scratchKeys[key.length] = out;
      return out;
    }
    out.set(key, 1);
    return out;
  }

  /** As `scratchDbKey`, for a key held as its latin1 string. */
  private scratchDbKeyOf(id: string): Buffer {
    let out = this.scratchKeys[id.length];
    if (out === undefined) {
      out = Buffer.allocUnsafe(id.length + 1);
      out[0] = KEY_PREFIX;
      if (id.length <= MAX_SCRATCH_KEY) this.scratchKeys[id.length] = out;
    }
    out.write(id, 1, 'latin1');
    return out;
  }

  private dbRange(from: Buffer | null, to: Buffer | null, reverse: boolean): Iterable<KeyValue<Buffer, Buffer>> {
    const low = from === null ? LOWEST : toDbKey(from);
    const high = to === null ? ABOVE_ALL : toDbKey(to);
    const options = reverse
      ? { start: high, end: low, inclusiveEnd: true, exclusiveStart: to === null, reverse: true }
      : { start: low, end: high, inclusiveEnd: to !== null };
    const db = this.database();
    return lazy(function* () {
      for (const { key, value } of db.getRange(options)) yield { key: key.subarray(1), value };
    });
  }

  private database(): RootDatabase<Buffer, Buffer> {
    if (this.db === undefined) throw new Error(`state store ${this.name} is not open`);
    return this.db;
  }
}

/**
 * The native environment of `db`. lmdb-js's documented `db.sync(callback)` syncs on a worker thread; called without a
 * callback the native `env.sync()` runs `mdb_env_sync(env, 1)` synchronously, which a checkpoint must wait for.
 */
function environmentOf(db: RootDatabase<Buffer, Buffer>): { sync(): void } {
  const env = (db as unknown as { env?: { sync?: unknown } }).env;
  if (env === undefined || typeof env.sync !== 'function') throw new Error('lmdb-js exposes no synchronous env.sync(): cannot make state durable');
  return env as { sync(): void };
}

function toDbKey(key: Buffer): Buffer {
  const out = Buffer.allocUnsafe(key.length + 1);
  out[0] = KEY_PREFIX;
  key.copy(out, 1);
  return out;
}

function latin1(bound: Buffer | null): string | undefined {
  return bound === null ? undefined : bound.toString('latin1');
}

/** Re-iterable wrapper over a generator factory, so a returned range can be iterated more than once. */
function lazy<T>(make: () => Iterator<T>): Iterable<T> {
  return { [Symbol.iterator]: make };
}
