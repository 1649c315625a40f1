import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmbeddedConsumer } from '../../../src/backend/embedded/embedded-consumer.js';
import { EmbeddedLog } from '../../../src/backend/embedded/embedded-log.js';
import { CorruptLogError } from '../../../src/backend/embedded/log-errors.js';
import { EntryKind, encodeEntry } from '../../../src/backend/embedded/record-codec.js';
import type { ConsumedRecord } from '../../../src/backend/port.js';

// Crash consistency: a child process (crash-child.ts) produces and commits on a data directory and is SIGKILLed at
// random points; between kills the directory gets torn tails, flipped bits and a full disk (a file size limit). After
// each, the log must open (or refuse loudly, for flipped bits) with every acknowledged record where it was
// acknowledged, and read_committed readers must see every committed transaction whole and no aborted one.

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const ROUNDS = 30;
const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 100000);

let seed = SEED || 1;
function random(): number {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed / 0x100000000;
}

interface Expected {
  /** `partition:offset` → value of every acknowledged plain record. */
  readonly plain: Map<string, string>;
  /** Transactions acknowledged as committed, with their record counts. */
  readonly committed: Map<number, number>;
  /** Transactions aborted or failed: never visible to read_committed. */
  readonly invisible: Set<number>;
  /** Latest acknowledged version of each key of the compacted topic. */
  readonly table: Map<string, number>;
  tableWrites: number;
  errors: number;
}

function runChild(dataDir: string, run: number, killAfterMs: number, fileSizeLimitKb?: number): Promise<string[]> {
  const args = ['--import', 'tsx', CHILD, dataDir, String(run), String(Math.floor(random() * 1e9))];
  const child =
    fileSizeLimitKb === undefined
      ? spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('bash', ['-c', `ulimit -f ${fileSizeLimitKb}; exec "$0" "$@"`, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let timer: NodeJS.Timeout | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    if (timer === undefined && stdout.includes('READY\n')) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL' && code !== 3 && !(code === 4 && fileSizeLimitKb !== undefined)) {
        reject(new Error(`child exited with ${code ?? signal} (seed ${SEED}): ${stderr}`));
        return;
      }
      // Only complete lines: a line cut by the kill was never fully acknowledged to the parent.
      resolve(stdout.split('\n').slice(0, -1));
    });
  });
}

function record(lines: ReadonlyArray<string>, expected: Expected): void {
  for (const line of lines) {
    const [kind, a, b, c] = line.split(' ');
    if (kind === 'A') expected.plain.set(`${a}:${b}`, c!);
    else if (kind === 'C') expected.committed.set(Number(a), Number(b));
    else if (kind === 'X' || kind === 'F') expected.invisible.add(Number(a));
    else if (kind === 'E') expected.errors++;
    else if (kind === 'K') {
      expected.table.set(a!, Math.max(expected.table.get(a!) ?? -1, Number(b)));
      expected.tableWrites++;
    }
  }
}

async function readAll(log: EmbeddedLog, topic: string, partition: number, isolation: 'read_committed' | 'read_uncommitted'): Promise<ConsumedRecord[]> {
  const consumer = new EmbeddedConsumer(log, { clientId: 'check', isolationLevel: isolation, autoOffsetReset: 'earliest' });
  await consumer.assign([{ topic, partition, offset: -1 }]);
  const out: ConsumedRecord[] = [];
  for (;;) {
    const batch = await consumer.poll(5000, 0);
    if (batch.length === 0) return out;
    out.push(...batch);
  }
}

const text = (r: ConsumedRecord): string => r.value!.toString('utf8').replace(/\.+$/, '');

/** Opens the directory (recovery), checks every expectation, closes it cleanly. */
async function verify(dataDir: string, expected: Expected, context: string): Promise<void> {
  const log = new EmbeddedLog(dataDir, undefined);
  try {
    if (log.topic('plain') === undefined) return;
    for (const partition of [0, 1]) {
      const byOffset = new Map((await readAll(log, 'plain', partition, 'read_uncommitted')).map((r) => [r.offset, text(r)]));
      for (const [key, value] of expected.plain) {
        const [p, offset] = key.split(':').map(Number) as [number, number];
        if (p !== partition) continue;
        assert.equal(byOffset.get(offset), value, `${context}: acknowledged plain-${p}@${offset} (seed ${SEED})`);
      }
    }
    const visible = new Map<number, { count: number; n: number; flag: string }>();
    for (const partition of [0, 1]) {
      for (const r of await readAll(log, 'txn-out', partition, 'read_committed')) {
        const [, k, , n, flag] = text(r).split(':');
        const entry = visible.get(Number(k)) ?? { count: 0, n: Number(n), flag: flag! };
        entry.count++;
        visible.set(Number(k), entry);
      }
    }
    for (const [k, v] of visible) {
      assert.equal(v.flag, 'c', `${context}: records of aborted transaction ${k} visible to read_committed (seed ${SEED})`);
      assert.ok(!expected.invisible.has(k), `${context}: failed/aborted transaction ${k} visible (seed ${SEED})`);
      assert.equal(v.count, v.n, `${context}: transaction ${k} partly visible (seed ${SEED})`);
    }
    for (const [k, n] of expected.committed) {
      assert.equal(visible.get(k)?.count, n, `${context}: acknowledged transaction ${k} not (wholly) visible (seed ${SEED})`);
    }
    // Compaction may drop superseded versions, never the latest acknowledged one (nor put an older one last).
    const latest = new Map<string, number>();
    for (const r of await readAll(log, 'table', 0, 'read_uncommitted')) latest.set(r.key!.toString('utf8'), Number(text(r)));
    for (const [key, version] of expected.table) {
      assert.ok((latest.get(key) ?? -1) >= version, `${context}: key ${key} reads ${latest.get(key)}, acknowledged ${version} (seed ${SEED})`);
    }
    // Offsets committed with a transaction become visible with its records, atomically.
    const offset = log.group('g').offsets.get('src\u00000');
    if (expected.committed.size > 0) {
      assert.ok(offset !== undefined && offset >= Math.max(...expected.committed.keys()) + 1, `${context}: group offset ${offset} behind an acknowledged commit`);
    }
    if (offset !== undefined) assert.ok(visible.has(offset - 1), `${context}: group offset ${offset} without its transaction's records`);
  } finally {
    log.close();
  }
}

function dataFiles(dataDir: string): string[] {
  const out: string[] = [];
  for (const topic of ['plain', 'txn-out', 'table']) {
    for (const partition of ['0', '1']) {
      const dir = join(dataDir, 'topics', topic, partition);
      if (!existsSync(dir)) continue;
      for (const name of readdirSync(dir)) if (name.endsWith('.log') && statSync(join(dir, name)).size > 0) out.push(join(dir, name));
    }
  }
  return out;
}

function lastSegment(dataDir: string, topic: string, partition: number): string {
  const dir = join(dataDir, 'topics', topic, String(partition));
  const names = readdirSync(dir).filter((n) => n.endsWith('.log')).sort();
  return join(dir, names[names.length - 1]!);
}

test(`SIGKILL at random points of produce/commit loops, torn tails, flipped bits and a full disk lose no acknowledged record (${ROUNDS} rounds)`, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-crash-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const expected: Expected = { plain: new Map(), committed: new Map(), invisible: new Set(), table: new Map(), tableWrites: 0, errors: 0 };
  let refusals = 0;
  let tornTails = 0;
  let fullDiskRounds = 0;
  for (let run = 1; run <= ROUNDS; run++) {
    const fullDisk = run % 10 === 0;
    if (fullDisk) fullDiskRounds++;
    // A file size limit below the segment size: the active segment (or the metadata) hits it mid-run.
    const lines = await runChild(dataDir, run, 20 + Math.floor(random() * 300), fullDisk ? 12 : undefined);
    record(lines, expected);
    await verify(dataDir, expected, `round ${run} after ${fullDisk ? 'a full disk' : 'SIGKILL'}`);

    if (run % 5 === 2) {
      // A torn append after a crash (no clean-shutdown marker): a prefix of an entry at the end of the last segment.
      rmSync(join(dataDir, '.clean-shutdown'), { force: true });
      const entry = encodeEntry(EntryKind.Data, 1e9, 0, Date.now(), null, Buffer.alloc(100, 7), {});
      const topic = random() < 0.5 ? 'plain' : 'txn-out';
      appendFileSync(lastSegment(dataDir, topic, Math.floor(random() * 2)), entry.subarray(0, 1 + Math.floor(random() * (entry.length - 1))));
      if (random() < 0.5) appendFileSync(join(dataDir, 'meta.jsonl'), '1234abcd {"t":"offs');
      tornTails++;
      await verify(dataDir, expected, `round ${run} after a torn tail`);
    }

    if (run % 5 === 4) {
      // A flipped bit anywhere in a cleanly closed log (data or metadata): a loud refusal, never a silent cut.
      const files = [...dataFiles(dataDir), join(dataDir, 'meta.jsonl')];
      const file = files[Math.floor(random() * files.length)]!;
      const original = readFileSync(file);
      const damaged = Buffer.from(original);
      const position = Math.floor(random() * damaged.length);
      damaged[position] = damaged[position]! ^ (1 << Math.floor(random() * 8));
      writeFileSync(file, damaged);
      assert.throws(
        () => new EmbeddedLog(dataDir, undefined),
        (err: unknown) => err instanceof CorruptLogError && err.file === file,
        `round ${run}: flipped bit at byte ${position} of ${file} (seed ${SEED})`,
      );
      refusals++;
      // Restored from a "backup": the log opens again with everything in place.
      writeFileSync(file, original);
      await verify(dataDir, expected, `round ${run} after restoring a flipped bit`);
    }
  }
  assert.ok(expected.plain.size > 0 && expected.committed.size > 0 && expected.table.size > 0, `the children acknowledged nothing (seed ${SEED})`);
  assert.ok(expected.errors > 0, `no write failed in ${fullDiskRounds} full-disk rounds (seed ${SEED})`);
  const final = new EmbeddedLog(dataDir, undefined);
  const tableRecords = (await readAll(final, 'table', 0, 'read_uncommitted')).length;
  final.close();
  assert.ok(tableRecords < expected.tableWrites, `compaction never ran: ${tableRecords} records of ${expected.tableWrites} writes (seed ${SEED})`);
  assert.equal(refusals, ROUNDS / 5);
  assert.equal(tornTails, ROUNDS / 5);
  t.diagnostic(
    `seed ${SEED}: ${expected.plain.size} plain records, ${expected.committed.size} committed and ${expected.invisible.size} aborted ` +
      `transactions acknowledged; ${expected.tableWrites} updates of ${expected.table.size} keys compacted to ${tableRecords} records; ` +
      `${expected.errors} write errors`,
  );
});
