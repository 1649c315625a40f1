// Not a test: the process crash-consistency.test.ts kills. It opens the log in argv[2] and loops forever over plain
// produce+flush batches and transactions (committed or aborted, with group offsets), printing one line per outcome
// the log acknowledged, after the acknowledging call resolved:
//   A <partition> <offset> <value>      a plain record, durable (flush resolved)
//   C <k> <count>                       transaction k committed with <count> records
//   X <k>                               transaction k aborted
//   F <k>                               transaction k failed (a write error): it must never become visible
//   K <key> <n>                         update n of a key of the compacted topic `table`, durable
//   E <message>                         a write failed (a full disk); the child exits (3) after a few
// Exit 4: opening failed with LogStorageError (recovery could not write under the full disk).
// A run number (argv[3]) keeps values unique across runs. SIGXFSZ is ignored so that a file size limit (ulimit -f)
// turns into EFBIG write errors, the way a full disk turns into ENOSPC.
import { EmbeddedLog } from '../../../src/backend/embedded/embedded-log.js';
import { EmbeddedProducer } from '../../../src/backend/embedded/embedded-producer.js';

process.on('SIGXFSZ', () => {});
const [dataDir, runArg, seedArg] = process.argv.slice(2);
const run = Number(runArg);
let seed = Number(seedArg) >>> 0 || 1;
function random(): number {
  // xorshift32: reproducible per seed.
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed / 0x100000000;
}

const out: string[] = [];
function emit(line: string): void {
  out.push(line);
  if (out.length >= 64) drain();
}
function drain(): void {
  if (out.length === 0) return;
  process.stdout.write(out.join('\n') + '\n');
  out.length = 0;
}

async function main(): Promise<void> {
  let log: EmbeddedLog;
  try {
    log = new EmbeddedLog(dataDir!, undefined);
  } catch (err) {
    // Recovery could not write its markers (the disk is full): opening refuses, which is what it must do.
    process.stderr.write(`open failed: ${String(err)}\n`);
    process.exit((err as Error).name === 'LogStorageError' ? 4 : 2);
  }
  // Small segments, so that rolls happen under the kills too.
  const config = { 'segment.bytes': '16384' };
  log.createTopic({ name: 'plain', numPartitions: 2, config });
  log.createTopic({ name: 'txn-out', numPartitions: 2, config });
  // Compacted, with tiny segments, and cleaned often: kills land in the middle of compaction passes too.
  log.createTopic({ name: 'table', numPartitions: 1, config: { 'cleanup.policy': 'compact', 'segment.bytes': '2048' } });
  const plain = new EmbeddedProducer(log, { clientId: 'plain' });
  const tx = new EmbeddedProducer(log, { clientId: 'tx', transactionalId: 'tx' });
  await tx.initTransactions();
  process.stdout.write('READY\n');
  let seq = 0;
  let errors = 0;
  for (let k = run * 1_000_000; ; k++) {
    let inTxn = false;
    try {
      const choice = random();
      if (choice < 0.25) {
        const updates: Array<[string, number]> = [];
        for (let i = 0, n = 1 + Math.floor(random() * 20); i < n; i++) {
          const key = `k${Math.floor(random() * 30)}`;
          const version = run * 1_000_000 + seq++;
          plain.send({ topic: 'table', partition: 0, key: Buffer.from(key), value: Buffer.from(`${version}`.padEnd(30, '.')) });
          updates.push([key, version]);
        }
        await plain.flush();
        for (const [key, version] of updates) emit(`K ${key} ${version}`);
        if (random() < 0.5) log.clean(Date.now());
      } else if (choice < 0.6) {
        const n = 1 + Math.floor(random() * 40);
        const sent: Array<[number, string]> = [];
        for (let i = 0; i < n; i++) {
          const partition = Math.floor(random() * 2);
          const value = `p:${run}:${seq++}`;
          plain.send({ topic: 'plain', partition, key: null, value: Buffer.from(value.padEnd(40 + Math.floor(random() * 200), '.')) });
          sent.push([partition, value]);
        }
        const flushed = await plain.flush();
        // Offsets per partition are consecutive up to the last one flush reports.
        const last = new Map(flushed.map((o) => [o.partition, o.offset]));
        for (const partition of [0, 1]) {
          const mine = sent.filter(([p]) => p === partition);
          const end = last.get(partition);
          if (end === undefined) continue;
          mine.forEach(([, value], i) => emit(`A ${partition} ${end - mine.length + 1 + i} ${value}`));
        }
      } else {
        const abort = random() < 0.25;
        const n = 1 + Math.floor(random() * 20);
        inTxn = true;
        await tx.beginTransaction();
        for (let i = 0; i < n; i++) {
          const value = `t:${k}:${i}:${n}:${abort ? 'a' : 'c'}`;
          tx.send({ topic: 'txn-out', partition: i % 2, key: Buffer.from(String(k)), value: Buffer.from(value.padEnd(60, '.')) });
        }
        await tx.sendOffsetsToTransaction([{ topic: 'src', partition: 0, offset: k + 1 }], { groupId: 'g', generationId: -1, memberId: '' });
        if (abort) {
          await tx.abortTransaction();
          emit(`X ${k}`);
        } else {
          await tx.commitTransaction();
          emit(`C ${k} ${n}`);
        }
      }
    } catch (err) {
      if (inTxn) emit(`F ${k}`);
      emit(`E ${(err as Error).message.split('\n')[0]}`);
      drain();
      if (++errors >= 3) process.exit(3);
      // A failed commit leaves the producer without a transaction; a fresh epoch takes over cleanly.
      await tx.initTransactions().catch(() => undefined);
    }
    if (k % 4 === 0) drain();
  }
}

main().catch((err: unknown) => {
  drain();
  process.stderr.write(`crash-child failed: ${String(err)}\n`);
  process.exit(2);
});
