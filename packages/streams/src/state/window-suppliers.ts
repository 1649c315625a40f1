import { InMemoryKeyValueBytesStore } from './in-memory-key-value-bytes-store.js';
import { LmdbKeyValueBytesStore } from './lmdb-key-value-bytes-store.js';
import { defaultSegmentInterval, type SegmentFactory } from './segments.js';
import type { StoreBuilderSettings } from './store-builder.js';
import { SessionBytesStore } from './session-bytes-store.js';
import { WindowBytesStore } from './window-bytes-store.js';

export interface WindowBytesStoreSupplier {
  readonly name: string;
  readonly persistent: boolean;
  readonly retentionMs: number;
  readonly windowSizeMs: number;
  readonly retainDuplicates: boolean;
  readonly segmentIntervalMs: number;
  /** @internal Window stores are built from the library's own segmented bytes store: get suppliers from `Stores`. */
  get(): WindowBytesStore;
}

export interface SessionBytesStoreSupplier {
  readonly name: string;
  readonly persistent: boolean;
  readonly retentionMs: number;
  readonly segmentIntervalMs: number;
  /** @internal Session stores are built from the library's own segmented bytes store: get suppliers from `Stores`. */
  get(): SessionBytesStore;
}

const inMemorySegment: SegmentFactory = (segmentName) => new InMemoryKeyValueBytesStore(segmentName);
const lmdbSegment: SegmentFactory = (segmentName, directory) => new LmdbKeyValueBytesStore(segmentName, {}, directory);

function checkTime(what: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${what} must be a non-negative number of ms, got ${value}`);
}

export function windowSupplier(
  name: string,
  persistent: boolean,
  retentionMs: number,
  windowSizeMs: number,
  retainDuplicates: boolean,
): WindowBytesStoreSupplier {
  checkTime('retentionMs', retentionMs);
  checkTime('windowSizeMs', windowSizeMs);
  if (windowSizeMs > retentionMs) {
    throw new RangeError(`window store ${name}: retention (${retentionMs} ms) must be at least the window size (${windowSizeMs} ms)`);
  }
  const segmentIntervalMs = defaultSegmentInterval(retentionMs);
  const factory = persistent ? lmdbSegment : inMemorySegment;
  return {
    name,
    persistent,
    retentionMs,
    windowSizeMs,
    retainDuplicates,
    segmentIntervalMs,
    get: () => new WindowBytesStore(name, persistent, retentionMs, windowSizeMs, retainDuplicates, factory, segmentIntervalMs),
  };
}

export function sessionSupplier(name: string, persistent: boolean, retentionMs: number): SessionBytesStoreSupplier {
  checkTime('retentionMs', retentionMs);
  const segmentIntervalMs = defaultSegmentInterval(retentionMs);
  const factory = persistent ? lmdbSegment : inMemorySegment;
  return { name, persistent, retentionMs, segmentIntervalMs, get: () => new SessionBytesStore(name, persistent, retentionMs, factory, segmentIntervalMs) };
}

/**
 * Windowed changelogs are compacted and deleted; their `retention.ms` (store retention + the app's
 * `windowStoreChangeLogAdditionalRetentionMs`) is set when the topic is created, from `changelogRetention`.
 */
export function windowedChangelogSettings(retentionMs: number): Pick<StoreBuilderSettings, 'logConfig' | 'changelogRetention'> {
  return { logConfig: { 'cleanup.policy': 'compact,delete' }, changelogRetention: { config: 'retention.ms', baseMs: retentionMs } };
}
