import type { KeyValue } from '../api/record.js';
import { BTree } from './btree.js';
import { compareBytes, isInvertedRange } from './bytes.js';
import { KeyValueBytesStoreBase } from './key-value-bytes-store-base.js';
import type { StateStoreContext } from './store.js';

/** A sorted in-memory map (B+ tree). Iterators walk an O(1) copy-on-write clone, so writes during iteration are safe. */
export class InMemoryKeyValueBytesStore extends KeyValueBytesStoreBase {
  readonly persistent = false;
  private tree = new BTree<Buffer, Buffer>(undefined, compareBytes);
  private open = false;

  constructor(readonly name: string) {
    super();
  }

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

  range(from: Buffer | null, to: Buffer | null): Iterable<KeyValue<Buffer, Buffer>> {
    if (isInvertedRange(from, to)) return [];
    return forward(this.tree.clone(), from, to);
  }

  reverseRange(from: Buffer | null, to: Buffer | null): Iterable<KeyValue<Buffer, Buffer>> {
    if (isInvertedRange(from, to)) return [];
    return backward(this.tree.clone(), from, to);
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
