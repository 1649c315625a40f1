import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Serdes } from '../../src/serde/index.js';
import { Stores } from '../../src/state/index.js';
import { b, FakeStoreContext, s, tempDir } from './fake-context.js';

const dir = tempDir();
after(() => dir.remove());
let n = 0;
const unique = (p: string): string => `${p}-${n++}`;

for (const persistent of [false, true]) {
  const kind = persistent ? 'persistent' : 'in-memory';
  const windowSupplier = (name: string, retention: number, size: number, dups = false) =>
    persistent ? Stores.persistentWindowStore(name, retention, size, dups) : Stores.inMemoryWindowStore(name, retention, size, dups);
  const sessionSupplier = (name: string, retention: number) =>
    persistent ? Stores.persistentSessionStore(name, retention) : Stores.inMemorySessionStore(name, retention);

  describe(`${kind} window store`, () => {
    test('fetch, fetchRange, backwardFetchRange, fetchKeyRange, fetchAll, all', () => {
      const store = Stores.windowStoreBuilder(windowSupplier(unique('win'), 100_000, 10), Serdes.string(), Serdes.long()).build();
      store.init(new FakeStoreContext(dir.path));
      store.put('a', 1, 0);
      store.put('a', 2, 10);
      store.put('b', 3, 10);
      store.put('a', 4, 70_000); // a later segment
      store.put('ab', 5, 10);
      assert.equal(store.fetch('a', 10), 2);
      assert.equal(store.fetch('a', 20), null);
      assert.deepEqual([...store.fetchRange('a', 0, 70_000)], [{ key: 0, value: 1 }, { key: 10, value: 2 }, { key: 70_000, value: 4 }]);
      assert.deepEqual([...store.fetchRange('a', 5, 10)], [{ key: 10, value: 2 }]);
      assert.deepEqual([...store.backwardFetchRange('a', 0, 70_000)].map((e) => e.key), [70_000, 10, 0]);
      assert.deepEqual(
        [...store.fetchKeyRange('a', 'ab', 10, 10)].map((e) => [e.key.key, e.key.window.start, e.key.window.end, e.value]),
        [
          ['a', 10, 20, 2],
          ['ab', 10, 20, 5],
        ],
      );
      assert.deepEqual([...store.fetchAll(10, 10)].map((e) => e.key.key), ['a', 'ab', 'b']);
      assert.equal([...store.all()].length, 5);
      store.put('a', null, 10);
      assert.equal(store.fetch('a', 10), null);
      store.close();
    });

    test('drops and hides windows older than observed stream time minus retention', () => {
      const name = unique('retain');
      const store = Stores.windowStoreBuilder(windowSupplier(name, 60_000, 1000), Serdes.string(), Serdes.string()).build();
      store.init(new FakeStoreContext(dir.path));
      store.put('k', 'old', 0);
      store.put('k', 'mid', 59_000);
      store.put('k', 'new', 120_000);
      // 120000 - 60000 = 60000: windows starting at or before it are expired.
      assert.deepEqual([...store.fetchRange('k', 0, 200_000)].map((e) => e.value), ['new']);
      store.put('k', 'late', 30_000);
      assert.equal(store.fetch('k', 30_000), null);
      assert.equal(store.fetch('k', 0), null);
      if (persistent) {
        const segments = readdirSync(join(dir.path, name));
        assert.ok(!segments.includes(`${name}.0`), `old segment removed, found ${segments.join(',')}`);
      }
      store.close();
    });

    test('retainDuplicates keeps every put with a sequence number and ignores null', () => {
      const context = new FakeStoreContext(dir.path);
      const name = unique('dups');
      const store = Stores.windowStoreBuilder(windowSupplier(name, 10_000, 100, true), Serdes.string(), Serdes.string()).build();
      store.init(context);
      store.put('k', 'x', 5);
      store.put('k', 'y', 5);
      store.put('k', null, 5);
      assert.deepEqual([...store.fetchRange('k', 0, 10)].map((e) => e.value), ['x', 'y']);
      assert.deepEqual(
        context.logged.map((c) => c.key.toString('hex')),
        [
          Buffer.concat([s('k'), b(0, 0, 0, 0, 0, 0, 0, 5), b(0, 0, 0, 1)]).toString('hex'),
          Buffer.concat([s('k'), b(0, 0, 0, 0, 0, 0, 0, 5), b(0, 0, 0, 2)]).toString('hex'),
        ],
      );
    });

    test('changelog key is key + start + 4-byte seqnum; restore replays it', () => {
      const context = new FakeStoreContext(dir.path);
      const name = unique('wlog');
      const builder = Stores.windowStoreBuilder(windowSupplier(name, 10_000, 100), Serdes.string(), Serdes.string());
      const store = builder.build();
      store.init(context);
      context.now = 77;
      store.put('k', 'v', 300);
      assert.deepEqual(context.logged, [
        { store: name, key: Buffer.concat([s('k'), b(0, 0, 0, 0, 0, 0, 1, 0x2c), b(0, 0, 0, 0)]), value: s('v'), timestamp: 77 },
      ]);
      store.close();

      const restoredContext = new FakeStoreContext(join(dir.path, 'other-task'));
      const restored = builder.build();
      restored.init(restoredContext);
      restoredContext.restore(name, context.logged);
      assert.equal(restored.fetch('k', 300), 'v');
      assert.deepEqual(restoredContext.logged, []);
      restored.close();
    });

    test('timestamped window store keeps timestamps and logs the plain value', () => {
      const context = new FakeStoreContext(dir.path);
      const store = Stores.timestampedWindowStoreBuilder(windowSupplier(unique('tsw'), 10_000, 100), Serdes.string(), Serdes.string()).build();
      store.init(context);
      store.put('k', { value: 'v', timestamp: 42 }, 0);
      assert.deepEqual(store.fetch('k', 0), { value: 'v', timestamp: 42 });
      assert.deepEqual(context.logged[0]?.value, s('v'));
      assert.equal(context.logged[0]?.timestamp, 42);
    });
  });

  describe(`${kind} session store`, () => {
    test('findSessions, fetchSession, fetch, remove, all', () => {
      const store = Stores.sessionStoreBuilder(sessionSupplier(unique('sess'), 100_000), Serdes.string(), Serdes.long()).build();
      store.init(new FakeStoreContext(dir.path));
      store.put({ key: 'a', window: { start: 0, end: 10 } }, 1);
      store.put({ key: 'a', window: { start: 20, end: 30 } }, 2);
      store.put({ key: 'a', window: { start: 70_000, end: 70_005 } }, 3);
      store.put({ key: 'b', window: { start: 5, end: 25 } }, 4);
      // Sessions of 'a' that end at or after 10 and start at or before 25.
      assert.deepEqual(
        [...store.findSessions('a', 10, 25)].map((e) => [e.key.key, e.key.window.start, e.key.window.end, e.value]),
        [
          ['a', 0, 10, 1],
          ['a', 20, 30, 2],
        ],
      );
      assert.deepEqual([...store.findSessions('a', 11, 100_000)].map((e) => e.value), [2, 3]);
      assert.equal(store.fetchSession('a', 20, 30), 2);
      assert.equal(store.fetchSession('a', 20, 31), null);
      assert.deepEqual([...store.fetch('a')].map((e) => e.value), [1, 2, 3]);
      store.remove({ key: 'a', window: { start: 20, end: 30 } });
      assert.deepEqual([...store.fetch('a')].map((e) => e.value), [1, 3]);
      assert.deepEqual([...store.all()].map((e) => e.key.key).sort(), ['a', 'a', 'b']);
      store.close();
    });

    test('changelog key is key + end + start; expired sessions are dropped; restore works', () => {
      const context = new FakeStoreContext(dir.path);
      const name = unique('slog');
      const builder = Stores.sessionStoreBuilder(sessionSupplier(name, 60_000), Serdes.string(), Serdes.string());
      const store = builder.build();
      store.init(context);
      store.put({ key: 'k', window: { start: 1, end: 2 } }, 'v');
      assert.deepEqual(context.logged[0]?.key, Buffer.concat([s('k'), b(0, 0, 0, 0, 0, 0, 0, 2), b(0, 0, 0, 0, 0, 0, 0, 1)]));
      store.put({ key: 'k', window: { start: 100_000, end: 100_000 } }, 'w');
      assert.equal(store.fetchSession('k', 1, 2), null);
      assert.deepEqual([...store.fetch('k')].map((e) => e.value), ['w']);
      store.close();

      const other = new FakeStoreContext(join(dir.path, 'restore-task'));
      const restored = builder.build();
      restored.init(other);
      other.restore(name, context.logged);
      assert.deepEqual([...restored.fetch('k')].map((e) => e.value), ['w']);
      restored.close();
    });
  });
}

test('persistent window segments survive close and reopen', () => {
  const name = unique('wpersist');
  const builder = Stores.windowStoreBuilder(Stores.persistentWindowStore(name, 600_000, 1000), Serdes.string(), Serdes.string());
  const first = builder.build();
  first.init(new FakeStoreContext(dir.path));
  first.put('k', 'a', 1000);
  first.put('k', 'b', 400_000);
  first.flush();
  first.close();
  assert.equal(existsSync(join(dir.path, name)), true);
  const second = builder.build();
  second.init(new FakeStoreContext(dir.path));
  assert.deepEqual([...second.fetchRange('k', 0, 1_000_000)], [{ key: 1000, value: 'a' }, { key: 400_000, value: 'b' }]);
  second.close();
});

test('window store builders validate retention and default the changelog config', () => {
  assert.throws(() => Stores.inMemoryWindowStore('w', 10, 100), RangeError);
  const builder = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', 1000, 100), Serdes.string(), Serdes.string());
  assert.equal(builder.type, 'window');
  assert.deepEqual(builder.logConfig, { 'cleanup.policy': 'compact,delete' });
  // The app's windowStoreChangeLogAdditionalRetentionMs is added to this when the changelog is created.
  assert.deepEqual(builder.changelogRetention, { config: 'retention.ms', baseMs: 1000 });
  assert.equal(Stores.sessionStoreBuilder(Stores.persistentSessionStore('s', 1000), Serdes.string(), Serdes.string()).type, 'session');
});
