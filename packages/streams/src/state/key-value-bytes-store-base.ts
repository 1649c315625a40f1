/**
 * The operations every bytes store derives from `get`, `put` and the range scans, written once. A store overrides
 * one when it can do better or must differ (the cache deletes unconditionally, LMDB defers its prefix scan).
 */
import type { KeyValue } from '../api/record.js';
import { takeWithPrefix } from './bytes.js';
import type { KeyValueBytesStore } from './key-value-bytes-store.js';
import type { StateStoreContext } from './store.js';

export abstract class KeyValueBytesStoreBase implements KeyValueBytesStore {
  abstract readonly name: string;
  abstract readonly persistent: boolean;
  abstract init(context: StateStoreContext): void;
  abstract get(key: Buffer): Buffer | null;
  abstract put(key: Buffer, value: Buffer | null): void;
  abstract range(from: Buffer | null, to: Buffer | null): Iterable<KeyValue<Buffer, Buffer>>;
  abstract reverseRange(from: Buffer | null, to: Buffer | null): Iterable<KeyValue<Buffer, Buffer>>;
  abstract approximateNumEntries(): number;
  abstract flush(): void;
  abstract close(): void;
  abstract isOpen(): boolean;

  putIfAbsent(key: Buffer, value: Buffer | null): Buffer | null {
    const old = this.get(key);
    if (old === null) this.put(key, value);
    return old;
  }

  putAll(entries: ReadonlyArray<KeyValue<Buffer, Buffer | null>>): void {
    for (const { key, value } of entries) this.put(key, value);
  }

  delete(key: Buffer): Buffer | null {
    const old = this.get(key);
    if (old !== null) this.put(key, null);
    return old;
  }

  all(): Iterable<KeyValue<Buffer, Buffer>> {
    return this.range(null, null);
  }

  reverseAll(): Iterable<KeyValue<Buffer, Buffer>> {
    return this.reverseRange(null, null);
  }

  prefixScan(prefix: Buffer): Iterable<KeyValue<Buffer, Buffer>> {
    return takeWithPrefix(this.range(prefix, null), prefix);
  }
}
