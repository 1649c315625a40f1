import type { KeyValue } from '../api/record.js';
import { ChangeLoggingStore } from './change-logging-store.js';
import type { KeyValueBytesStore, WrappingStore } from './key-value-bytes-store.js';

/** Sends every write to the store's changelog (`context.logChange`) after applying it to the wrapped store. */
export class ChangeLoggingKeyValueBytesStore extends ChangeLoggingStore<KeyValueBytesStore> implements KeyValueBytesStore, WrappingStore {
  get(key: Buffer): Buffer | null {
    return this.wrapped.get(key);
  }

  put(key: Buffer, value: Buffer | null): void {
    this.wrapped.put(key, value);
    this.logChange(key, value);
  }

  putIfAbsent(key: Buffer, value: Buffer | null): Buffer | null {
    const old = this.wrapped.putIfAbsent(key, value);
    if (old === null) this.logChange(key, value);
    return old;
  }

  putAll(entries: ReadonlyArray<KeyValue<Buffer, Buffer | null>>): void {
    this.wrapped.putAll(entries);
    for (const { key, value } of entries) this.logChange(key, value);
  }

  delete(key: Buffer): Buffer | null {
    const old = this.wrapped.delete(key);
    this.logChange(key, null);
    return old;
  }

  range(from: Buffer | null, to: Buffer | null): Iterable<KeyValue<Buffer, Buffer>> {
    return this.wrapped.range(from, to);
  }
  reverseRange(from: Buffer | null, to: Buffer | null): Iterable<KeyValue<Buffer, Buffer>> {
    return this.wrapped.reverseRange(from, to);
  }
  all(): Iterable<KeyValue<Buffer, Buffer>> {
    return this.wrapped.all();
  }
  reverseAll(): Iterable<KeyValue<Buffer, Buffer>> {
    return this.wrapped.reverseAll();
  }
  prefixScan(prefix: Buffer): Iterable<KeyValue<Buffer, Buffer>> {
    return this.wrapped.prefixScan(prefix);
  }
  approximateNumEntries(): number {
    return this.wrapped.approximateNumEntries();
  }

  /** A write before `init` throws here, as it always has; the window and session layers log nothing then. */
  private logChange(key: Buffer, value: Buffer | null): void {
    if (!this.log(key, value)) throw new Error(`state store ${this.name} is not initialised`);
  }
}
