import { CleanedSegmentWriter } from './cleaned-segment-writer.js';
import { DEFAULT_SEGMENT_BYTES, DEFAULT_SEGMENT_MS, type SegmentConfig } from './partition-file.js';
import type { PartitionLog } from './partition-log.js';
import { EntryKind, isTombstone, keyView } from './record-codec.js';
import { scanSegment } from './segment-scan.js';
import type { Segment } from './segment.js';

/** Kafka's defaults: `retention.ms` 7 days, `retention.bytes` unlimited, `delete.retention.ms` 1 day. */
const DEFAULT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
const DEFAULT_DELETE_RETENTION_MS = 24 * 60 * 60 * 1000;

function numberConfig(config: Readonly<Record<string, string>>, name: string, fallback: number): number {
  const raw = config[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  return Number.isFinite(n) ? n : fallback;
}

export function segmentConfigOf(config: Readonly<Record<string, string>>): SegmentConfig {
  return {
    segmentBytes: Math.max(1, numberConfig(config, 'segment.bytes', DEFAULT_SEGMENT_BYTES)),
    segmentMs: Math.max(1, numberConfig(config, 'segment.ms', DEFAULT_SEGMENT_MS)),
    segmentJitterMs: Math.max(0, numberConfig(config, 'segment.jitter.ms', 0)),
  };
}

function policies(config: Readonly<Record<string, string>>): Set<string> {
  return new Set((config['cleanup.policy'] ?? 'delete').split(',').map((s) => s.trim()));
}

/** What the cleaner remembers of a partition between rounds, so that it does not rewrite what did not change. */
interface CleanerState {
  /** Last offset of the closed segments cleaned in the last pass. */
  cleanedThrough: number;
  /** When a tombstone or a marker kept last pass becomes old enough to drop (Infinity: none kept). */
  nextTombstoneExpiry: number;
}

const states = new WeakMap<PartitionLog, CleanerState>();

/** The latest record of a key in a compaction pass. */
interface LatestRecord {
  offset: number;
  txnId: number;
  /** The tombstone's timestamp, or `NOT_A_TOMBSTONE`. */
  tombstoneAt: number;
}
const NOT_A_TOMBSTONE = -Infinity;

/**
 * Retention and compaction of one partition, as Kafka's log manager and log cleaner do them, on whole closed
 * segments only (the active segment is never deleted nor compacted; `segment.ms`/`segment.bytes` roll it):
 * - `cleanup.policy` with `delete`: segments whose newest record is older than `retention.ms`, and the oldest segments
 *   while the partition stays above `retention.bytes` without them, are deleted; the log-start offset moves to the
 *   first segment kept.
 * - with `compact`: closed segments below the LSO are rewritten keeping, per key, only the latest record (records of
 *   aborted transactions are dropped; tombstones are kept `delete.retention.ms` past their timestamp, then dropped;
 *   transaction markers once no record of their transaction is left, after `delete.retention.ms` too); a segment left
 *   with no entry at all is deleted, unless it is the first.
 *
 * In steps: the generator pauses between segments, so that a caller stepping it over several turns of the event loop
 * (the cleaner's timer rounds) keeps a compaction of a large partition from holding the loop (one pass reads the
 * whole partition and rewrites its closed segments). While it is paused, appends, rolls and the log start may move
 * on: each step after a pause first checks that the segments it is about to rewrite are still the partition's, and
 * gives up the pass otherwise (what it rewrote so far is valid on its own; the next round starts afresh).
 */
export function* cleanerSteps(p: PartitionLog, config: Readonly<Record<string, string>>, now: number): Generator<void, void, void> {
  const file = p.file;
  if (file === null || file.failure !== null) return;
  file.setConfig(segmentConfigOf(config));
  const policy = policies(config);
  if (policy.has('delete')) enforceRetention(p, config, now);
  if (policy.has('compact')) yield* compact(p, numberConfig(config, 'delete.retention.ms', DEFAULT_DELETE_RETENTION_MS), now);
}

function enforceRetention(p: PartitionLog, config: Readonly<Record<string, string>>, now: number): void {
  const file = p.file!;
  const retentionMs = numberConfig(config, 'retention.ms', DEFAULT_RETENTION_MS);
  const retentionBytes = numberConfig(config, 'retention.bytes', -1);
  const segments = file.segments;
  let total = 0;
  for (const s of segments) total += s.size;
  let deleteBelow = -1;
  // Never the active segment, and never past the high watermark.
  for (let i = 0; i < segments.length - 1; i++) {
    const s = segments[i]!;
    const expired = retentionMs >= 0 && s.maxTimestamp < now - retentionMs;
    const oversize = retentionBytes >= 0 && total - s.size >= retentionBytes;
    if (!expired && !oversize) break;
    total -= s.size;
    deleteBelow = segments[i + 1]!.baseOffset;
  }
  if (deleteBelow > p.logStartOffset) p.advanceLogStart(deleteBelow);
}

function* compact(p: PartitionLog, deleteRetentionMs: number, now: number): Generator<void, void, void> {
  const file = p.file!;
  let state = states.get(p);
  if (state === undefined) {
    state = { cleanedThrough: -1, nextTombstoneExpiry: Infinity };
    states.set(p, state);
  }
  const lso = p.lastStableOffset;
  // Closed segments wholly below the LSO: an open transaction's records may still abort.
  let cleanable = 0;
  while (cleanable < file.segments.length - 1 && file.segments[cleanable]!.lastOffset < lso) cleanable++;
  if (cleanable === 0) return;
  const lastCleanable = file.segments[cleanable - 1]!.lastOffset;
  if (lastCleanable <= state.cleanedThrough && now < state.nextTombstoneExpiry) return;
  // Only what is on disk may supersede: a record dropped for a newer one that a crash then loses would be gone.
  file.syncNow();

  // Pass 1: the latest record of every key, over everything written below the LSO (the active segment included),
  // and the transactions that keep a record after this pass: only their markers still say something.
  const latest = new Map<string, LatestRecord>();
  const liveTxns = new Set<number>();
  // The segments of this pass, by identity: positions in `file.segments` shift when the log start moves.
  const cleaned = file.segments.slice(0, cleanable);
  const scanned = file.segments.slice();
  const stillOurs = (segments: ReadonlyArray<Segment>): boolean => file.failure === null && segments.every((s) => file.segments.includes(s));
  for (let i = 0; i < scanned.length; i++) {
    if (i > 0) {
      yield;
      if (!stillOurs(cleaned)) return;
    }
    const s = scanned[i]!;
    // The last segment read as far as it then went (it may have been rolled since: its successor is not read).
    const next = scanned[i + 1]?.baseOffset ?? Infinity;
    scanSegment(s.path, s.baseOffset, next, -1, 'first', (h, position, _size, chunk, chunkPos) => {
      if (h.kind !== EntryKind.Data) return;
      const rel = position - chunkPos;
      const key = keyView(chunk, rel);
      // Not rewritten by this pass: above the LSO, in the segments not cleaned, or without a key.
      if (h.offset >= lso || i >= cleanable || key === null) {
        if (h.txnId !== 0) liveTxns.add(h.txnId);
        if (h.offset >= lso || p.abortedTxns.has(h.txnId) || key === null) return;
      } else if (p.abortedTxns.has(h.txnId)) return;
      const name = key.toString('latin1');
      const record = latest.get(name);
      const tombstoneAt = isTombstone(chunk, rel) ? h.timestamp : NOT_A_TOMBSTONE;
      if (record === undefined) latest.set(name, { offset: h.offset, txnId: h.txnId, tombstoneAt });
      else {
        record.offset = h.offset;
        record.txnId = h.txnId;
        record.tombstoneAt = tombstoneAt;
      }
    });
  }
  for (const record of latest.values()) {
    const kept = record.tombstoneAt === NOT_A_TOMBSTONE || record.tombstoneAt + deleteRetentionMs > now;
    if (kept && record.txnId !== 0) liveTxns.add(record.txnId);
  }

  // Pass 2: rewrite each cleanable segment without what is superseded.
  let nextExpiry = Infinity;
  /** Aborted transactions whose marker goes: none of their records is left for readers to skip. */
  const forgotten: number[] = [];
  for (let k = 0; k < cleaned.length; k++) {
    yield;
    // The ones already rewritten are new segment objects: only those still to do must be there.
    if (!stillOurs(cleaned.slice(k))) return;
    const s = cleaned[k]!;
    const i = file.segments.indexOf(s);
    const out = new CleanedSegmentWriter(`${s.path}.cleaned`);
    let dropped = 0;
    let kept = 0;
    try {
      scanSegment(s.path, s.baseOffset, file.segments[i + 1]!.baseOffset, -1, 'first', (h, position, size, chunk, chunkPos) => {
        const rel = position - chunkPos;
        let keep = true;
        if (h.kind === EntryKind.Data) {
          const key = keyView(chunk, rel);
          if (p.abortedTxns.has(h.txnId)) keep = false;
          else if (key !== null && latest.get(key.toString('latin1'))?.offset !== h.offset) keep = false;
          else if (key !== null && isTombstone(chunk, rel)) {
            const expiry = h.timestamp + deleteRetentionMs;
            if (expiry <= now) keep = false;
            else if (expiry < nextExpiry) nextExpiry = expiry;
          }
        } else if (!liveTxns.has(h.txnId)) {
          // A marker whose transaction has no record left, kept `delete.retention.ms` like a tombstone (as Kafka's
          // cleaner does), so a reader that saw the records also sees their end.
          const expiry = h.timestamp + deleteRetentionMs;
          if (expiry <= now) {
            keep = false;
            if (h.kind === EntryKind.AbortMarker) forgotten.push(h.txnId);
          } else if (expiry < nextExpiry) nextExpiry = expiry;
        }
        if (keep) {
          out.add(chunk, rel, size);
          kept++;
        } else dropped++;
      });
    } catch (err) {
      out.discard();
      throw err;
    }
    if (dropped === 0) out.discard();
    else if (kept === 0 && i > 0) {
      // Nothing left: the file goes (segments are not merged, so with short segments these would pile up).
      out.discard();
      file.removeSegment(i);
    } else {
      out.finish();
      file.replaceSegment(i, out.path);
    }
  }
  for (const txnId of forgotten) p.abortedTxns.delete(txnId);
  // Readers see the compacted segments, not the superseded records still held in memory.
  p.evictThrough(lastCleanable);
  state.cleanedThrough = lastCleanable;
  state.nextTombstoneExpiry = nextExpiry;
}
