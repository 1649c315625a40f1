import type { KeyValue } from '../api/record.js';
import { BTree } from './btree.js';
import { compareBytes, isInvertedRange, takeWithPrefix } from './bytes.js';
import type { KeyValueBytesStore } from './key-value-bytes-store.js';
import type { StateStoreContext } from './store.js';

/** A sorted in-memory map (B+ tree). Iterators walk an O(1) copy-on-write clone, so writes during iteration are safe. */
export class InMemoryKeyValueBytesStore implements KeyValueBytesStore {
  readonly persistent = false;
  private tree = new BTree<Buffer, Buffer>(undefined, compareBytes);
  private open = false;

  constructor(readonly name: string) {}

  init(_context: StateStoreContext): void {
    this.open = true;
  }

  get(key: Buffer): Buffer | null {
    return this.tree.get(key) ?? null;
  }

  put(key: Buffer, value: Buffer | null): void {
    if (value === null) this.tree.delete(key);
    else this.tree.set(key, value, true);
  }

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
    if (old !== null) this.tree.delete(key);
    return old;
  }

  range(from: Buffer | null, to: Buffer | null): Iterable<KeyValue<Buffer, Buffer>> {
    if (isInvertedRange(from, to)) return [];
    return forward(this.tree.clone(), from, to);
  }

  reverseRange(from: Buffer | null, to: Buffer | null): Iterable<KeyValue<Buffer, Buffer>> {
    if (isInvertedRange(from, to)) return [];
    return backward(this.tree.clone(), from, to);
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

  approximateNumEntries(): number {
    return this.tree.size;
  }

  flush(): void {}

  close(): void {
    this.open = false;
  }

  isOpen(): boolean {
    return this.open;
  }
}

function* forward(tree: BTree<Buffer, Buffer>, from: Buffer | null, to: Buffer | null): Generator<KeyValue<Buffer, Buffer>> {
  for (const [key, value] of tree.entries(from ?? undefined)) {
    if (to !== null && Buffer.compare(key, to) > 0) return;
    yield { key, value };
  }
}

function* backward(tree: BTree<Buffer, Buffer>, from: Buffer | null, to: Buffer | null): Generator<KeyValue<Buffer, Buffer>> {
  for (const [key, value] of tree.entriesReversed(to ?? undefined)) {
    if (from !== null && Buffer.compare(key, from) < 0) return;
    yield { key, value };
  }
}
