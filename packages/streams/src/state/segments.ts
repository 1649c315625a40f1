import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyValueBytesStore } from './key-value-bytes-store.js';
import type { StateStoreContext } from './store.js';

/** Kafka Streams' default: at least a minute, about two segments per retention period. */
export function defaultSegmentInterval(retentionMs: number): number {
  return Math.max(Math.floor(retentionMs / 2), 60_000);
}

export type SegmentFactory = (segmentName: string, directory: string | undefined) => KeyValueBytesStore;

/**
 * Time-partitioned bytes stores, so that expired data goes by dropping whole segments. Persistent segments live in
 * `<taskDir>/<name>/<name>.<segmentStartMs>/` (Kafka's layout) and are found again on restart.
 */
export class Segments {
  private readonly live = new Map<number, KeyValueBytesStore>();
  private context: StateStoreContext | undefined;
  private baseDir: string | undefined;
  /** The oldest segment id the last `expire` kept: it runs per write, and has work only when this moves. */
  private minLiveId = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly name: string,
    readonly retentionMs: number,
    readonly intervalMs: number,
    private readonly persistent: boolean,
    private readonly factory: SegmentFactory,
  ) {}

  open(context: StateStoreContext): void {
    this.context = context;
    // Segments found on disk are expired by the next write's `expire`, whatever an earlier life of this object saw.
    this.minLiveId = Number.NEGATIVE_INFINITY;
    if (!this.persistent) return;
    this.baseDir = join(context.taskDir, this.name);
    let entries: string[] = [];
    try {
      entries = readdirSync(this.baseDir);
    } catch {
      entries = [];
    }
    const pattern = new RegExp(`^${escapeRegExp(this.name)}\\.(\\d+)$`);
    for (const entry of entries) {
      const match = pattern.exec(entry);
      if (match?.[1] !== undefined) this.segment(Math.floor(Number(match[1]) / this.intervalMs), true);
    }
  }

  idOf(timestamp: number): number {
    return Math.floor(timestamp / this.intervalMs);
  }

  segment(id: number, create: boolean): KeyValueBytesStore | undefined {
    const existing = this.live.get(id);
    if (existing !== undefined || !create) return existing;
    const context = this.requireContext();
    const segmentName = `${this.name}.${id * this.intervalMs}`;
    const directory = this.baseDir === undefined ? undefined : join(this.baseDir, segmentName);
    const store = this.factory(segmentName, directory);
    store.init(context);
    this.live.set(id, store);
    return store;
  }

  /** Segments overlapping [timeFrom, timeTo], oldest first (or newest first when `reverse`). */
  between(timeFrom: number, timeTo: number, reverse: boolean): KeyValueBytesStore[] {
    const from = this.idOf(timeFrom);
    const to = this.idOf(timeTo);
    const ids = [...this.live.keys()].filter((id) => id >= from && id <= to).sort((a, b) => a - b);
    if (reverse) ids.reverse();
    return ids.map((id) => this.live.get(id)).filter((s): s is KeyValueBytesStore => s !== undefined);
  }

  all(reverse: boolean): KeyValueBytesStore[] {
    return this.between(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, reverse);
  }

  /** Drops segments that hold only data older than `observedStreamTime - retention`. */
  expire(observedStreamTime: number): void {
    const minLiveId = this.idOf(observedStreamTime - this.retentionMs + 1);
    if (minLiveId <= this.minLiveId) return;
    this.minLiveId = minLiveId;
    for (const [id, store] of this.live) {
      if (id >= minLiveId) continue;
      store.close();
      this.live.delete(id);
      if (this.baseDir !== undefined) rmSync(join(this.baseDir, `${this.name}.${id * this.intervalMs}`), { recursive: true, force: true });
    }
  }

  flush(): void {
    for (const store of this.live.values()) store.flush();
  }

  close(): void {
    for (const store of this.live.values()) store.close();
    this.live.clear();
    this.context = undefined;
  }

  isOpen(): boolean {
    return this.context !== undefined;
  }

  private requireContext(): StateStoreContext {
    if (this.context === undefined) throw new Error(`state store ${this.name} is not open`);
    return this.context;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
