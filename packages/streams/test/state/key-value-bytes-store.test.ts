import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyValue } from '../../src/api/record.js';
import { InMemoryKeyValueBytesStore } from '../../src/state/in-memory-key-value-bytes-store.js';
import type { KeyValueBytesStore } from '../../src/state/key-value-bytes-store.js';
import { LmdbKeyValueBytesStore } from '../../src/state/lmdb-key-value-bytes-store.js';
import { b, FakeStoreContext, tempDir } from './fake-context.js';

const dir = tempDir();
after(() => dir.remove());

const keys = (entries: Iterable<KeyValue<Buffer, Buffer>>): string[] => [...entries].map((e) => e.key.toString('hex'));

let counter = 0;
const kinds: Array<[string, () => KeyValueBytesStore]> = [
  ['in-memory', () => new InMemoryKeyValueBytesStore('kv')],
  ['lmdb', () => new LmdbKeyValueBytesStore(`kv${counter++}`)],
  // A tiny pending-write budget forces most writes through committed LMDB transactions.
  ['lmdb (commit every 2 writes)', () => new LmdbKeyValueBytesStore(`kv${counter++}`, { maxPendingWrites: 2 })],
];

for (const [kind, make] of kinds) {
  describe(`${kind} bytes store`, () => {
    const open = (): KeyValueBytesStore => {
      const store = make();
      store.init(new FakeStoreContext(dir.path));
      return store;
    };
    const fill = (store: KeyValueBytesStore): void => {
      for (const key of [b(0x80), b(0x01, 0x02), b(0x01), b(0xff), b(0x7f), b(0x01, 0x00), b()]) store.put(key, key.length === 0 ? b(0xee) : key);
    };

    test('orders keys by unsigned bytes, shorter prefix first, empty key allowed', () => {
      const store = open();
      fill(store);
      assert.deepEqual(keys(store.all()), ['', '01', '0100', '0102', '7f', '80', 'ff']);
      assert.deepEqual(keys(store.reverseAll()), ['ff', '80', '7f', '0102', '0100', '01', '']);
      assert.deepEqual(store.get(b()), b(0xee));
      assert.equal(store.approximateNumEntries() >= 7, true);
      store.flush();
      assert.deepEqual(keys(store.all()), ['', '01', '0100', '0102', '7f', '80', 'ff']);
      store.close();
    });

    test('range and reverseRange are inclusive, open-ended with null, empty when inverted', () => {
      const store = open();
      fill(store);
      store.flush();
      store.put(b(0x01, 0x01), b(9));
      store.delete(b(0x7f));
      assert.deepEqual(keys(store.range(b(0x01), b(0x7f))), ['01', '0100', '0101', '0102']);
      assert.deepEqual(keys(store.range(b(0x01, 0x01), b(0x80))), ['0101', '0102', '80']);
      assert.deepEqual(keys(store.reverseRange(b(0x01, 0x01), b(0x80))), ['80', '0102', '0101']);
      assert.deepEqual(keys(store.range(null, b(0x01))), ['', '01']);
      assert.deepEqual(keys(store.range(b(0x80), null)), ['80', 'ff']);
      assert.deepEqual(keys(store.reverseRange(null, b(0x01, 0x00))), ['0100', '01', '']);
      assert.deepEqual(keys(store.range(b(0x80), b(0x01))), []);
      store.close();
    });

    test('prefixScan returns keys starting with the prefix', () => {
      const store = open();
      fill(store);
      store.put(b(0x01, 0xff, 0xff), b(1));
      store.put(b(0x02), b(1));
      assert.deepEqual(keys(store.prefixScan(b(0x01))), ['01', '0100', '0102', '01ffff']);
      assert.deepEqual(keys(store.prefixScan(b(0xff))), ['ff']);
      assert.deepEqual(keys(store.prefixScan(b(0x03))), []);
      store.close();
    });

    test('get, put null, delete, putIfAbsent, putAll', () => {
      const store = open();
      store.put(b(1), b(10));
      assert.deepEqual(store.get(b(1)), b(10));
      assert.deepEqual(store.putIfAbsent(b(1), b(11)), b(10));
      assert.equal(store.putIfAbsent(b(2), b(20)), null);
      assert.deepEqual(store.get(b(2)), b(20));
      assert.deepEqual(store.delete(b(1)), b(10));
      assert.equal(store.delete(b(1)), null);
      store.put(b(2), null);
      assert.equal(store.get(b(2)), null);
      store.putAll([
        { key: b(3), value: b(30) },
        { key: b(4), value: b(40) },
        { key: b(3), value: null },
      ]);
      assert.deepEqual(keys(store.all()), ['04']);
      store.put(b(5), b());
      assert.deepEqual(store.get(b(5)), b());
      store.close();
    });

    test('writes while iterating do not disturb the iteration', () => {
      const store = open();
      for (let i = 0; i < 20; i++) store.put(b(i), b(i));
      store.flush();
      const seen: number[] = [];
      for (const { key } of store.all()) {
        seen.push(key[0] ?? -1);
        store.delete(key);
        store.put(b(100 + (key[0] ?? 0)), b(0));
      }
      assert.deepEqual(seen, Array.from({ length: 20 }, (_, i) => i));
      assert.equal([...store.all()].length, 20);
      assert.equal(store.get(b(0)), null);
      store.close();
    });
  });
}

describe('lmdb persistence', () => {
  test('flushed and closed data survives reopening; unflushed writes are committed on close', () => {
    const context = new FakeStoreContext(dir.path);
    const first = new LmdbKeyValueBytesStore('persist');
    first.init(context);
    first.put(b(1), b(1));
    first.put(b(2), b(2));
    first.flush();
    first.delete(b(1));
    first.put(b(3), b(3));
    first.close();
    assert.equal(first.isOpen(), false);

    const second = new LmdbKeyValueBytesStore('persist');
    second.init(context);
    assert.deepEqual(keys(second.all()), ['02', '03']);
    assert.deepEqual(second.get(b(3)), b(3));
    second.close();
  });

  test('a store keeps its files under <taskDir>/<name>', async () => {
    const { existsSync } = await import('node:fs');
    const store = new LmdbKeyValueBytesStore('located');
    store.init(new FakeStoreContext(dir.path));
    store.put(b(1), b(1));
    store.flush();
    store.close();
    assert.equal(existsSync(`${dir.path}/located`), true);
  });

  test('operations on a closed store throw', () => {
    const store = new LmdbKeyValueBytesStore('closed');
    assert.throws(() => store.get(b(1)), /not open/);
  });
});
