/** Versioned key-value stores (KIP-889): versions by timestamp, history retention, changelog and restore. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Serdes } from '../../src/serde/serdes.js';
import { Stores } from '../../src/state/stores.js';
import { PUT_RETURN_CODE_NOT_PUT, PUT_RETURN_CODE_VALID_TO_UNDEFINED, type VersionedBytesStoreSupplier } from '../../src/state/versioned-store.js';
import { FakeStoreContext, tempDir } from './fake-context.js';

const S = Serdes.string();

for (const [kind, supplier] of [
  ['in-memory', (name: string, retention: number) => Stores.inMemoryVersionedKeyValueStore(name, retention)],
  ['persistent', (name: string, retention: number) => Stores.persistentVersionedKeyValueStore(name, retention)],
] as Array<[string, (name: string, retention: number) => VersionedBytesStoreSupplier]>) {
  describe(`${kind} versioned key-value store`, () => {
    it('answers as of a time, with validTo; put returns validTo or -1; delete puts a tombstone', () => {
      const dir = tempDir();
      const store = Stores.versionedKeyValueStoreBuilder(supplier('v', 100), S, S).build();
      store.init(new FakeStoreContext(dir.path));
      try {
        assert.equal(store.put('k', 'a', 10), PUT_RETURN_CODE_VALID_TO_UNDEFINED);
        assert.equal(store.put('k', 'c', 30), PUT_RETURN_CODE_VALID_TO_UNDEFINED);
        assert.equal(store.put('k', 'b', 20), 30, 'an out-of-order version is valid until the next one');
        assert.deepEqual(store.get('k'), { value: 'c', timestamp: 30 });
        assert.equal(store.get('k', 9), null);
        assert.deepEqual(store.get('k', 10), { value: 'a', timestamp: 10, validTo: 20 });
        assert.deepEqual(store.get('k', 25), { value: 'b', timestamp: 20, validTo: 30 });
        assert.deepEqual(store.get('k', 1000), { value: 'c', timestamp: 30 });
        assert.deepEqual(store.delete('k', 40), { value: 'c', timestamp: 30 });
        assert.equal(store.get('k'), null);
        assert.equal(store.get('k', 45), null);
        assert.deepEqual(store.get('k', 35), { value: 'c', timestamp: 30, validTo: 40 });
        assert.equal(store.get('other'), null);
      } finally {
        store.close();
        dir.remove();
      }
    });

    it('history retention: older reads are null, older writes are not put, invisible versions are dropped', () => {
      const dir = tempDir();
      const store = Stores.versionedKeyValueStoreBuilder(supplier('v', 100), S, S).build();
      store.init(new FakeStoreContext(dir.path));
      try {
        store.put('k', 'old', 10);
        store.put('k', 'mid', 50);
        store.put('j', 'now', 200);
        assert.equal(store.get('k', 99), null, 'beyond history retention (200 - 100)');
        assert.deepEqual(store.get('k', 100), { value: 'mid', timestamp: 50 });
        assert.equal(store.put('k', 'late', 99), PUT_RETURN_CODE_NOT_PUT);
        assert.deepEqual(store.get('k'), { value: 'mid', timestamp: 50 });
        store.put('k', 'new', 150);
        assert.deepEqual(store.get('k', 120), { value: 'mid', timestamp: 50, validTo: 150 });
      } finally {
        store.close();
        dir.remove();
      }
    });

    it('logs each version with its timestamp and restores from those records', () => {
      const dir = tempDir();
      const ctx = new FakeStoreContext(dir.path);
      const store = Stores.versionedKeyValueStoreBuilder(supplier('v', 1000), S, S).build();
      store.init(ctx);
      store.put('k', 'a', 10);
      store.put('k', 'b', 20);
      store.delete('k', 30);
      store.close();
      assert.deepEqual(
        ctx.logged.map((l) => [l.store, l.key.toString(), l.value?.toString() ?? null, l.timestamp]),
        [
          ['v', 'k', 'a', 10],
          ['v', 'k', 'b', 20],
          ['v', 'k', null, 30],
        ],
      );
      const dir2 = tempDir();
      const ctx2 = new FakeStoreContext(dir2.path);
      const restored = Stores.versionedKeyValueStoreBuilder(supplier('v', 1000), S, S).build();
      restored.init(ctx2);
      try {
        ctx2.restore('v', ctx.logged.map((l) => ({ key: l.key, value: l.value, timestamp: l.timestamp })));
        assert.deepEqual(restored.get('k', 15), { value: 'a', timestamp: 10, validTo: 20 });
        assert.equal(restored.get('k'), null);
        assert.equal(ctx2.logged.length, 0, 'restore does not log again');
      } finally {
        restored.close();
        dir.remove();
        dir2.remove();
      }
    });
  });
}
