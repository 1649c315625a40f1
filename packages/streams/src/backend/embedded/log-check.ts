import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, writeSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fsyncDir } from './fs-sync.js';
import { encodeMetaLine, metaLines, parseMetaLine, type MetaEntry } from './meta-log.js';
import { parseSegmentFileName, segmentFileName } from './segment.js';
import { scanSegment, type Damage } from './segment-scan.js';

/** One damaged range found by `checkDataDir`. */
export interface DamageReport {
  readonly file: string;
  /** Byte range [start, end) of the damage. */
  readonly start: number;
  readonly end: number;
  readonly reason: string;
  /** What is lost if the range is removed, in words ("offsets 41..49", "entries after offset 120 (torn tail)"). */
  readonly lost: string;
  /** True for a torn last entry, which opening the log cuts by itself (a crash mid-append, never acknowledged). */
  readonly tornTail: boolean;
}

export interface CheckReport {
  readonly damages: DamageReport[];
  /** Other findings: topics without a directory, directories without a topic, per-partition summaries. */
  readonly notes: string[];
  /** Partitions looked at and entries found valid. */
  readonly partitions: number;
  readonly entries: number;
}

interface PartitionDir {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
}

/** Every partition directory under `<dataDir>/topics` (`<topic>/<partition>/`). */
function partitionDirs(dataDir: string): PartitionDir[] {
  const topicsDir = join(dataDir, 'topics');
  if (!existsSync(topicsDir)) return [];
  const out: PartitionDir[] = [];
  for (const t of readdirSync(topicsDir).sort()) {
    const topicDir = join(topicsDir, t);
    if (!statSync(topicDir).isDirectory()) continue;
    for (const p of readdirSync(topicDir)) {
      const dir = join(topicDir, p);
      if (/^\d+$/.test(p) && statSync(dir).isDirectory()) out.push({ topic: decodeURIComponent(t), partition: Number(p), dir });
      else if (/^\d+\.log$/.test(p)) {
        out.push({ topic: decodeURIComponent(t), partition: Number(p.slice(0, -4)), dir: join(topicDir, p.slice(0, -4)) });
      }
    }
  }
  return out.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
}

/** Segment files of a partition in base-offset order (a pre-segment `<partition>.log` counts as base 0). */
function segmentPaths(p: PartitionDir): Array<{ path: string; base: number }> {
  const legacy = `${p.dir}.log`;
  if (existsSync(legacy) && !existsSync(p.dir)) return [{ path: legacy, base: 0 }];
  if (!existsSync(p.dir)) return [];
  return readdirSync(p.dir)
    .map((name) => ({ name, base: parseSegmentFileName(name) }))
    .filter((s): s is { name: string; base: number } => s.base !== undefined)
    .sort((a, b) => a.base - b.base)
    .map((s) => ({ path: join(p.dir, s.name), base: s.base }));
}

function lostOffsets(d: Damage, lastSegmentWithData: boolean): { lost: string; tornTail: boolean } {
  if (d.offsetAfter !== undefined) {
    const first = d.offsetBefore + 1;
    const last = d.offsetAfter - 1;
    return { lost: last < first ? 'no offset (the damage lies between consecutive entries)' : `offsets ${first}..${last}`, tornTail: false };
  }
  if (d.outOfOrder) return { lost: `the entry at this position (${d.reason})`, tornTail: false };
  return {
    lost: `every entry after offset ${d.offsetBefore} in this file${lastSegmentWithData ? ' (a torn tail: cut on open)' : ''}`,
    tornTail: lastSegmentWithData,
  };
}

function scanPartition(
  dataDir: string,
  p: PartitionDir,
): { damages: Array<{ damage: Damage; report: DamageReport; segment: number }>; entries: number; lastBefore: number[] } {
  const segments = segmentPaths(p);
  const damages: Array<{ damage: Damage; report: DamageReport; segment: number }> = [];
  const lastBefore: number[] = [];
  let last = -1;
  let entries = 0;
  const lastWithData = segments.map((s) => statSync(s.path).size > 0).lastIndexOf(true);
  segments.forEach((s, i) => {
    lastBefore.push(last);
    const next = segments[i + 1]?.base ?? Infinity;
    const scan = scanSegment(s.path, s.base, next, last, 'all', (h) => {
      last = h.offset;
      entries++;
    });
    for (const d of scan.damages) {
      const endsFile = d.end === scan.fileSize && d.offsetAfter === undefined;
      const { lost, tornTail } = lostOffsets(d, endsFile && i === lastWithData && scan.damages.length === 1);
      damages.push({
        damage: d,
        segment: i,
        report: { file: relative(dataDir, s.path), start: d.position, end: d.end, reason: d.reason, lost, tornTail },
      });
    }
  });
  return { damages, entries, lastBefore };
}

/**
 * Reads the whole data directory without changing it: every metadata line and every entry of every segment
 * (checksums, offsets rising within and across segments). Safe while nothing writes to the directory.
 */
export function checkDataDir(dataDir: string): CheckReport {
  const damages: DamageReport[] = [];
  const notes: string[] = [];
  const meta = readMeta(dataDir);
  for (const bad of meta.bad) {
    damages.push({
      file: 'meta.jsonl',
      start: bad.position,
      end: bad.end,
      reason: `metadata line ${bad.line} is unreadable (${bad.error})`,
      lost: bad.last ? 'the last metadata change (a torn tail: ignored on open)' : 'one metadata change (a topic, offset commit or transaction commit)',
      tornTail: bad.last,
    });
  }
  const dirs = partitionDirs(dataDir);
  let entries = 0;
  for (const p of dirs) {
    const scan = scanPartition(dataDir, p);
    entries += scan.entries;
    for (const d of scan.damages) damages.push(d.report);
  }
  const onDisk = new Set(dirs.map((d) => d.topic));
  for (const name of meta.topics.keys()) if (!onDisk.has(name)) notes.push(`topic "${name}" is in the metadata but has no directory (no records yet)`);
  for (const name of onDisk) {
    if (!meta.topics.has(name)) notes.push(`directory of topic "${name}" is not in the metadata (deleted, or its metadata line was lost)`);
  }
  return { damages, notes, partitions: dirs.length, entries };
}

interface MetaScan {
  readonly good: MetaEntry[];
  readonly bad: Array<{ line: number; position: number; end: number; error: string; last: boolean; text: string }>;
  /** Topics as the good lines leave them: name → partition count. */
  readonly topics: Map<string, number>;
}

function readMeta(dataDir: string): MetaScan {
  const path = join(dataDir, 'meta.jsonl');
  const good: MetaEntry[] = [];
  const bad: MetaScan['bad'] = [];
  const topics = new Map<string, number>();
  if (!existsSync(path)) return { good, bad, topics };
  const lines = metaLines(readFileSync(path, 'utf8'));
  lines.forEach(({ line, position, terminated }, i) => {
    if (line.length === 0) return;
    const parsed = parseMetaLine(line);
    if ('entry' in parsed && terminated) {
      good.push(parsed.entry);
      if (parsed.entry.t === 'topic') topics.set(parsed.entry.name, parsed.entry.partitions);
      if (parsed.entry.t === 'delete-topic') topics.delete(parsed.entry.name);
      return;
    }
    const end = position + Buffer.byteLength(line, 'utf8') + (terminated ? 1 : 0);
    bad.push({ line: i + 1, position, end, error: 'error' in parsed ? parsed.error : 'unterminated', last: i === lines.length - 1, text: line });
  });
  return { good, bad, topics };
}

export interface RepairOptions {
  /** Cut each damaged partition at its first damage (dropping valid entries after it) instead of only the damage. */
  readonly truncate?: boolean;
}

export interface RepairReport {
  readonly repaired: DamageReport[];
  /** Where the removed bytes were saved. */
  readonly quarantineDir: string | undefined;
  readonly notes: string[];
}

/**
 * Repairs the data directory (which no process may have open): every damaged range of a segment is removed and its
 * bytes saved under `<dataDir>/quarantine/<time>/` (with `truncate`, everything from a partition's first damage on);
 * unreadable metadata lines likewise; topics whose directories exist but whose metadata line was lost are
 * re-registered (with their partition count; their config is lost), so that opening does not delete them. Each
 * rewritten file is written beside the original, fsynced, and renamed over it.
 */
export function repairDataDir(dataDir: string, options: RepairOptions = {}): RepairReport {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const quarantineRoot = join(dataDir, 'quarantine', stamp);
  const repaired: DamageReport[] = [];
  const notes: string[] = [];
  const quarantine = (name: string, bytes: Buffer): void => {
    const target = join(quarantineRoot, name);
    mkdirSync(join(target, '..'), { recursive: true });
    writeDurably(target, [bytes]);
  };

  for (const p of partitionDirs(dataDir)) {
    const scan = scanPartition(dataDir, p);
    if (scan.damages.length === 0) continue;
    const segments = segmentPaths(p);
    for (const d of scan.damages) {
      const s = segments[d.segment]!;
      quarantine(`${relative(join(dataDir, 'topics'), s.path)}.${d.damage.position}-${d.damage.end}`, readRange(s.path, d.damage.position, d.damage.end));
      repaired.push(d.report);
    }
    if (existsSync(`${p.dir}.log`) && !existsSync(p.dir)) {
      // A pre-segment partition file: moved into the segment layout first.
      mkdirSync(p.dir);
      renameSync(`${p.dir}.log`, join(p.dir, segmentFileName(0)));
      fsyncDir(join(p.dir, '..'));
    }
    const first = scan.damages[0]!;
    segments.forEach((s, i) => {
      const damaged = scan.damages.some((d) => d.segment === i);
      const cut = options.truncate === true && i >= first.segment;
      if (!damaged && !cut) return;
      const path = join(p.dir, segmentFileName(s.base));
      // Valid entries streamed into a new file; with --truncate only those before the partition's first damage.
      const limit = !cut ? Infinity : i === first.segment ? first.damage.position : 0;
      const tmp = `${path}.repair-tmp`;
      const fd = openSync(tmp, 'w');
      let cutEntries = 0;
      try {
        const next = segments[i + 1]?.base ?? Infinity;
        scanSegment(path, s.base, next, scan.lastBefore[i]!, 'all', (h, position, size, chunk, chunkPos) => {
          if (position + size > limit) {
            cutEntries++;
            return;
          }
          writeSync(fd, chunk, position - chunkPos, size);
        });
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      if (cutEntries > 0) notes.push(`${relative(dataDir, path)}: cut ${cutEntries} valid entries after the first damage (--truncate)`);
      if (cutEntries > 0 && limit < Infinity) {
        quarantine(`${relative(join(dataDir, 'topics'), path)}.from-${Math.max(0, limit)}`, readRange(path, Math.max(0, limit), statSync(path).size));
      }
      renameSync(tmp, path);
    });
    fsyncDir(p.dir);
  }

  const meta = readMeta(dataDir);
  const dirs = partitionDirs(dataDir);
  const counts = new Map<string, number>();
  for (const d of dirs) counts.set(d.topic, Math.max(counts.get(d.topic) ?? 0, d.partition + 1));
  const missing = [...counts].filter(([name]) => !meta.topics.has(name));
  if (meta.bad.length > 0 || missing.length > 0) {
    for (const bad of meta.bad) {
      quarantine(`meta.jsonl.line-${bad.line}`, Buffer.from(bad.text, 'utf8'));
      repaired.push({
        file: 'meta.jsonl',
        start: bad.position,
        end: bad.end,
        reason: `metadata line ${bad.line} is unreadable (${bad.error})`,
        lost: 'one metadata change',
        tornTail: bad.last,
      });
    }
    const entries = [...meta.good];
    for (const [name, partitions] of missing) {
      entries.push({ t: 'topic', name, partitions, config: {} });
      notes.push(`topic "${name}" had a directory but no metadata line: re-registered with ${partitions} partition(s), default config`);
    }
    const path = join(dataDir, 'meta.jsonl');
    writeDurably(path, [Buffer.from(entries.map(encodeMetaLine).join(''), 'utf8')]);
  }
  return { repaired, quarantineDir: existsSync(quarantineRoot) ? quarantineRoot : undefined, notes };
}

function readRange(path: string, start: number, end: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(end - start);
    let done = 0;
    while (done < buf.length) {
      const got = readSync(fd, buf, done, buf.length - done, start + done);
      if (got === 0) break;
      done += got;
    }
    return buf.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

/** Writes `path` atomically: a synced temporary file renamed over it, then the directory synced. */
function writeDurably(path: string, parts: ReadonlyArray<Buffer>): void {
  const tmp = `${path}.repair-tmp`;
  const fd = openSync(tmp, 'w');
  try {
    for (const part of parts) {
      let done = 0;
      while (done < part.length) done += writeSync(fd, part, done, part.length - done);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncDir(join(path, '..'));
}
