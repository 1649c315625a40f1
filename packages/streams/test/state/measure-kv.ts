// Not a test: a hand-run comparison of bytes-store put/get rates.
//   node --import tsx packages/streams/test/state/measure-kv.ts [entries]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryKeyValueBytesStore } from '../../src/state/in-memory-key-value-bytes-store.js';
import type { KeyValueBytesStore } from '../../src/state/key-value-bytes-store.js';
import { LmdbKeyValueBytesStore } from '../../src/state/lmdb-key-value-bytes-store.js';
import { FakeStoreContext } from './fake-context.js';

const entries = Number(process.argv[2] ?? 200_000);
const commitEvery = 1000; // stands in for the runtime's flush before each commit
const dir = mkdtempSync(join(tmpdir(), 'tributary-measure-'));

function keyOf(i: number): Buffer {
  // Scattered keys: sequential keys flatter every B-tree.
  const k = Buffer.allocUnsafe(8);
  k.writeUInt32BE((i * 2654435761) >>> 0, 0);
  k.writeUInt32BE(i, 4);
  return k;
}

function rate(label: string, ops: number, run: () => void): void {
  const start = process.hrtime.bigint();
  run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`${label.padEnd(44)} ${Math.round(ops / seconds).toLocaleString('en-US').padStart(12)} ops/s`);
}

function measure(label: string, store: KeyValueBytesStore): void {
  store.init(new FakeStoreContext(dir));
  const value = Buffer.alloc(100, 7);
  rate(`${label} put (flush every ${commitEvery})`, entries, () => {
    for (let i = 0; i < entries; i++) {
      store.put(keyOf(i), value);
      if (i % commitEvery === commitEvery - 1) store.flush();
    }
    store.flush();
  });
  rate(`${label} get`, entries, () => {
    for (let i = 0; i < entries; i++) if (store.get(keyOf(i)) === null) throw new Error('missing');
  });
  rate(`${label} full scan`, entries, () => {
    let count = 0;
    for (const _ of store.all()) count++;
    if (count !== entries) throw new Error(`scanned ${count}`);
  });
  store.close();
}

try {
  measure('in-memory', new InMemoryKeyValueBytesStore('mem'));
  measure('lmdb', new LmdbKeyValueBytesStore('lmdb'));
  measure('lmdb (commit per write)', new LmdbKeyValueBytesStore('lmdb1', { maxPendingWrites: 1 }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
