/**
 * The embedded log's fdatasyncs run on a worker thread, batched per turn of the event loop: each request resolves
 * after a sync of its descriptor, failures reach the request that asked (with the OS error code), and the worker
 * neither keeps an idle process alive nor lets a process end while a sync is outstanding.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fdatasyncOffLoop } from '../../../src/backend/embedded/sync-worker.js';

test('syncs of many files and repeated syncs of one, asked in the same turn and across turns, all resolve', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-sync-worker-'));
  const fds = Array.from({ length: 8 }, (_, i) => openSync(join(dir, `f${i}`), 'w'));
  try {
    for (let round = 0; round < 5; round++) {
      const waits: Array<Promise<void>> = [];
      for (const fd of fds) {
        writeSync(fd, `round ${round}\n`);
        waits.push(fdatasyncOffLoop(fd), fdatasyncOffLoop(fd));
      }
      // A request made while the previous turn's syncs may still run waits for a sync of its own.
      await new Promise((resolve) => setImmediate(resolve));
      waits.push(fdatasyncOffLoop(fds[0]!));
      assert.deepEqual(await Promise.all(waits), new Array(waits.length).fill(undefined));
    }
  } finally {
    for (const fd of fds) closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failed sync rejects only the requests for that descriptor, with the OS error code', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-sync-worker-'));
  const good = openSync(join(dir, 'good'), 'w');
  const closed = openSync(join(dir, 'closed'), 'w');
  closeSync(closed);
  try {
    const [ok, bad] = await Promise.allSettled([fdatasyncOffLoop(good), fdatasyncOffLoop(closed)]);
    assert.equal(ok.status, 'fulfilled');
    assert.equal(bad.status, 'rejected');
    assert.equal((bad.reason as NodeJS.ErrnoException).code, 'EBADF');
    assert.match((bad.reason as Error).message, /^fdatasync: /);
  } finally {
    closeSync(good);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a process ends by itself after its syncs, and not before them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-sync-worker-'));
  const module = fileURLToPath(new URL('../../../src/backend/embedded/sync-worker.ts', import.meta.url));
  // Top-level await on the sync: were the worker not referenced while busy, the process would end with the await
  // unsettled (exit code 13); were it referenced while idle, it would never end (the timeout below).
  const script = `
    import { openSync, writeSync } from 'node:fs';
    import { fdatasyncOffLoop } from ${JSON.stringify(module)};
    const fd = openSync(${JSON.stringify(join(dir, 'f'))}, 'w');
    writeSync(fd, 'x');
    await fdatasyncOffLoop(fd);
    console.log('synced');
  `;
  try {
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), 'synced');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
