import type { KeyValue } from '../api/record.js';
import type { ChangelogFormat } from './changelog-format.js';
import type { KeyValueBytesStore, WrappingStore } from './key-value-bytes-store.js';
import { recordTimestamp } from './record-timestamp.js';
import type { StateStoreContext } from './store.js';

/** Sends every write to the store's changelog (`context.logChange`) after applying it to the wrapped store. */
export class ChangeLoggingKeyValueBytesStore implements KeyValueBytesStore, WrappingStore {
  private context: StateStoreContext | undefined;

  constructor(
    readonly wrapped: KeyValueBytesStore,
    private readonly format: ChangelogFormat,
  ) {}

  get name(): string {
    return this.wrapped.name;
  }
  get persistent(): boolean {
    return this.wrapped.persistent;
  }

  init(context: StateStoreContext): void {
    this.context = context;
    this.wrapped.init(context);
  }

  get(key: Buffer): Buffer | null {
    return this.wrapped.get(key);
  }

  put(key: Buffer, value: Buffer | null): void {
    this.wrapped.put(key, value);
    this.log(key, value);
  }

  putIfAbsent(key: Buffer, value: Buffer | null): Buffer | null {
    const old = this.wrapped.putIfAbsent(key, value);
    if (old === null) this.log(key, value);
    return old;
  }

  putAll(entries: ReadonlyArray<KeyValue<Buffer, Buffer | null>>): void {
    this.wrapped.putAll(entries);
    for (const { key, value } of entries) this.log(key, value);
  }

  delete(key: Buffer): Buffer | null {
    const old = this.wrapped.delete(key);
    this.log(key, null);
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
  flush(): void {
    this.wrapped.flush();
  }
  close(): void {
    this.wrapped.close();
  }
  isOpen(): boolean {
    return this.wrapped.isOpen();
  }

  private log(key: Buffer, value: Buffer | null): void {
    const context = this.context;
    if (context === undefined) throw new Error(`state store ${this.name} is not initialised`);
    context.logChange(this.name, key, this.format.changelogValue(value), this.format.changelogTimestamp(value, recordTimestamp(context)));
  }
}
