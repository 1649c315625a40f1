/**
 * The LMDB store's writes not yet committed (its overlay), kept compact: a hash map from the key's bytes as a latin1
 * string (one code unit per byte, so the strings order as the bytes do) to a slot, and every value's bytes in one
 * arena. A pending write costs the key string and a few arena bytes rather than a write object and two Buffers:
 * pending writes live from one commit to the next, long enough for the garbage collector to move each of those
 * objects to the old generation, where they piled up between its full collections.
 *
 * Values handed out (`get`, `range`) are copies: a later write may reuse the arena bytes in place.
 */
import type { KeyValue } from '../api/record.js';
import { BTree } from './btree.js';

/** Latin1 strings compare as their bytes do (unsigned, shorter prefix first). */
const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const INITIAL_ARENA = 64 * 1024;
const INITIAL_SLOTS = 1024;
/** A store that wrote large values once keeps no larger arena than this past a commit. */
const KEPT_ARENA = 1024 * 1024;
const DELETED = -1;

export class PendingWrites {
  private readonly slots = new Map<string, number>();
  private offsets = new Int32Array(INITIAL_SLOTS);
  /** Value length per slot; DELETED for a delete. */
  private lengths = new Int32Array(INITIAL_SLOTS);
  private arena = Buffer.allocUnsafe(INITIAL_ARENA);
  private used = 0;
  /** The pending keys in order, kept from the first range scan on (undefined until then). */
  private sorted: BTree<string, number> | undefined;

  /** Keys pending. */
  get size(): number {
    return this.slots.size;
  }

  /** Arena bytes in use (values, and values overwritten by longer ones). */
  get bytes(): number {
    return this.used;
  }

  /** The pending value of `id` (a copy; null: deleted), or undefined when nothing is pending for it. */
  get(id: string): Buffer | null | undefined {
    const slot = this.slots.get(id);
    return slot === undefined ? undefined : this.valueCopy(slot);
  }

  put(id: string, value: Buffer | null): void {
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.slots.size;
      if (slot === this.lengths.length) this.growSlots();
      this.slots.set(id, slot);
      this.sorted?.set(id, slot);
    } else if (value !== null && this.lengths[slot] === value.length) {
      // The same length again (an aggregate of fixed size, the usual case): in place.
      value.copy(this.arena, this.offsets[slot]);
      return;
    }
    if (value === null) {
      this.lengths[slot] = DELETED;
      return;
    }
    if (this.used + value.length > this.arena.length) this.growArena(value.length);
    value.copy(this.arena, this.used);
    this.offsets[slot] = this.used;
    this.lengths[slot] = value.length;
    this.used += value.length;
  }

  /**
   * Visits every pending write; `value` is a view into the arena (null: a delete), valid only during the call, for
   * a writer that copies it at once (LMDB does).
   */
  forEach(visit: (id: string, value: Buffer | null) => void): void {
    for (const [id, slot] of this.slots) {
      const length = this.lengths[slot]!;
      visit(id, length === DELETED ? null : this.arena.subarray(this.offsets[slot]!, this.offsets[slot]! + length));
    }
  }

  /** Copies of the pending writes with keys in [low, high] (undefined: open), in key order or reversed. */
  range(low: string | undefined, high: string | undefined, reverse: boolean): Array<KeyValue<Buffer, Buffer | null>> {
    const sorted = this.sortedKeys();
    const out: Array<KeyValue<Buffer, Buffer | null>> = [];
    const entries = reverse ? sorted.entriesReversed(high) : sorted.entries(low);
    for (const [id, slot] of entries) {
      if (reverse ? low !== undefined && id < low : high !== undefined && id > high) break;
      out.push({ key: Buffer.from(id, 'latin1'), value: this.valueCopy(slot) });
    }
    return out;
  }

  clear(): void {
    this.slots.clear();
    this.used = 0;
    if (this.arena.length > KEPT_ARENA) this.arena = Buffer.allocUnsafe(INITIAL_ARENA);
    if (this.sorted !== undefined) this.sorted = new BTree<string, number>(undefined, compareStrings);
  }

  private valueCopy(slot: number): Buffer | null {
    const length = this.lengths[slot]!;
    if (length === DELETED) return null;
    const out = Buffer.allocUnsafe(length);
    this.arena.copy(out, 0, this.offsets[slot]!, this.offsets[slot]! + length);
    return out;
  }

  private sortedKeys(): BTree<string, number> {
    if (this.sorted === undefined) {
      this.sorted = new BTree<string, number>(undefined, compareStrings);
      for (const [id, slot] of this.slots) this.sorted.set(id, slot);
    }
    return this.sorted;
  }

  private growSlots(): void {
    const offsets = new Int32Array(this.offsets.length * 2);
    offsets.set(this.offsets);
    this.offsets = offsets;
    const lengths = new Int32Array(this.lengths.length * 2);
    lengths.set(this.lengths);
    this.lengths = lengths;
  }

  private growArena(needed: number): void {
    const arena = Buffer.allocUnsafe(Math.max(this.arena.length * 2, this.used + needed));
    this.arena.copy(arena, 0, 0, this.used);
    this.arena = arena;
  }
}
