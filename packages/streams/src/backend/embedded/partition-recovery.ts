import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fsyncDir } from './fs-sync.js';
import { CorruptLogError } from './log-errors.js';
import type { EntryHeader } from './record-codec.js';
import { parseSegmentFileName, Segment, segmentFileName } from './segment.js';
import { scanSegment } from './segment-scan.js';

/** A partition's segments as found on open, verified, and the offset its next entry takes. */
export interface RecoveredSegments {
  readonly segments: Segment[];
  readonly nextOffset: number;
}

/**
 * Opens the partition directory (creating it, or moving a pre-segment `<partition>.log` file into it), verifying
 * every entry: checksums, and offsets that rise within and across segments. A torn last entry (a crash mid-append)
 * is cut; any other damage throws `CorruptLogError`. `onEntry` sees each valid entry's fixed fields in order.
 */
export function recoverSegments(dir: string, onEntry: (header: EntryHeader) => void, cleanShutdown: boolean): RecoveredSegments {
  migrateSingleFile(dir);
  mkdirSync(dir, { recursive: true });
  // A compaction or repair a crash interrupted leaves its temporary file; the segment it was to replace is intact.
  for (const name of readdirSync(dir)) if (name.endsWith('.cleaned') || name.endsWith('.repair-tmp')) rmSync(join(dir, name), { force: true });
  const bases = readdirSync(dir)
    .map(parseSegmentFileName)
    .filter((b): b is number => b !== undefined)
    .sort((a, b) => a - b);
  const segments: Segment[] = [];
  let last = -1;
  for (let i = 0; i < bases.length; i++) {
    const base = bases[i]!;
    const path = join(dir, segmentFileName(base));
    const nextBase = bases[i + 1] ?? Infinity;
    const segment = Segment.open(dir, base);
    const scan = scanSegment(path, base, nextBase, last, 'first', (header, position) => {
      segment.note(header.offset, position, header.timestamp);
      onEntry(header);
    });
    segments.push(segment);
    if (segment.lastOffset >= 0) last = segment.lastOffset;
    const damage = scan.damages[0];
    if (damage === undefined) {
      segment.size = scan.fileSize;
      continue;
    }
    const laterData = bases.slice(i + 1).some((b) => statSync(join(dir, segmentFileName(b))).size > 0);
    if (damage.offsetAfter !== undefined || damage.outOfOrder || laterData || cleanShutdown) {
      for (const s of segments) s.close();
      const after =
        damage.offsetAfter !== undefined
          ? `valid entries follow (offset ${damage.offsetAfter} at byte ${damage.end})`
          : laterData
            ? 'later segments hold entries'
            : cleanShutdown
              ? 'the log was shut down cleanly, so no write can have been torn'
              : 'an entry out of order';
      throw new CorruptLogError(path, damage.position, `${damage.reason}; ${after}`);
    }
    // Only a torn last entry: what a crash in the middle of an append leaves. Cut, as Kafka's recovery does.
    process.emitWarning(
      `${path}: cut a torn last entry (${scan.fileSize - scan.validLength} bytes at byte ${scan.validLength}, after offset ${last})`,
      'TributaryLogRecovery',
    );
    segment.truncate(scan.validLength);
    segment.syncNow();
  }
  if (segments.length === 0) {
    segments.push(Segment.open(dir, 0));
    fsyncDir(dir);
  }
  const active = segments[segments.length - 1]!;
  return { segments, nextOffset: Math.max(last + 1, active.baseOffset) };
}

/** Moves `<topicDir>/<p>.log` (one file per partition, the format before segments) to `<topicDir>/<p>/000…0.log`. */
function migrateSingleFile(dir: string): void {
  const legacy = join(dirname(dir), `${basename(dir)}.log`);
  if (!existsSync(legacy) || existsSync(dir)) return;
  mkdirSync(dir);
  renameSync(legacy, join(dir, segmentFileName(0)));
  fsyncDir(dir);
  fsyncDir(dirname(dir));
}
