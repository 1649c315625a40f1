import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Serdes } from '../../src/serde/index.js';
import { Stores, type ValueAndTimestamp } from '../../src/state/index.js';
import { isCachedStateStore, type CacheFlushEvent } from '../../src/state/cache-flush-listener.js';
import { isTimestampedStore, readOnlyKeyValueFacade } from '../../src/state/timestamped-key-value-store.js';
import { b, FakeStoreContext, s, tempDir } from './fake-context.js';

const dir = tempDir();
after(() => dir.remove());
let n = 0;
const unique = (prefix: string): string => `${prefix}-${n++}`;

describe('typed key-value store', () => {
  for (const [kind, supplier] of [
    ['in-memory', (name: string) => Stores.inMemoryKeyValueStore(name)],
    ['persistent', (name: string) => Stores.persistentKeyValueStore(name)],
  ] as const) {
    test(`${kind}: get/put/delete/range through serdes, ordered by serialized bytes`, () => {
      const store = Stores.keyValueStoreBuilder(supplier(unique('typed')), Serdes.integer(), Serdes.string()).build();
      store.init(new FakeStoreContext(dir.path));
      for (const k of [5, -1, 0, 300]) store.put(k, `v${k}`);
      // -1 is 0xffffffff: byte order puts negatives after positives, as in Kafka Streams.
      assert.deepEqual([...store.all()].map((e) => e.key), [0, 5, 300, -1]);
      assert.deepEqual([...store.range(1, 300)], [{ key: 5, value: 'v5' }, { key: 300, value: 'v300' }]);
      assert.deepEqual([...store.reverseRange(null, 5)].map((e) => e.key), [5, 0]);
      assert.equal(store.putIfAbsent(5, 'x'), 'v5');
      assert.equal(store.delete(5), 'v5');
      assert.equal(store.get(5), null);
      store.putAll([{ key: 7, value: 'v7' }, { key: 0, value: null }]);
      assert.deepEqual([...store.all()].map((e) => e.key), [7, 300, -1]);
      assert.equal(store.approximateNumEntries() >= 3, true);
      store.close();
    });
  }

  test('prefixScan serializes the prefix with the given serde', () => {
    const store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('p'), Serdes.string(), Serdes.long()).build();
    store.init(new FakeStoreContext(dir.path));
    for (const k of ['a', 'ab', 'abc', 'b', 'aa']) store.put(k, k.length);
    assert.deepEqual([...store.prefixScan('ab', Serdes.string())].map((e) => e.key), ['ab', 'abc']);
  });

  test('every write is logged with the current record timestamp; registration happens at init', () => {
    const context = new FakeStoreContext(dir.path);
    const store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('logged'), Serdes.string(), Serdes.string()).build();
    store.init(context);
    assert.equal(context.registered.get('logged')?.store, store);
    context.now = 5;
    store.put('a', 'x');
    context.now = 6;
    store.delete('a');
    store.putIfAbsent('b', 'y');
    store.putIfAbsent('b', 'z');
    assert.deepEqual(
      context.logged.map((c) => [c.store, c.key.toString(), c.value?.toString() ?? null, c.timestamp]),
      [
        ['logged', 'a', 'x', 5],
        ['logged', 'a', null, 6],
        ['logged', 'b', 'y', 6],
      ],
    );
  });

  test('logging disabled: nothing is logged', () => {
    const context = new FakeStoreContext(dir.path);
    const store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('quiet'), Serdes.string(), Serdes.string())
      .withLoggingDisabled()
      .build();
    store.init(context);
    store.put('a', 'x');
    assert.deepEqual(context.logged, []);
    assert.equal(context.registered.has('quiet'), true);
  });

  test('restore writes changelog records into the innermost store without logging them again', () => {
    const name = unique('restored');
    const context = new FakeStoreContext(dir.path);
    const store = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.string(), Serdes.string())
      .withCachingEnabled()
      .build();
    store.init(context);
    context.restore(name, [
      { key: s('a'), value: s('1'), timestamp: 1 },
      { key: s('b'), value: s('2'), timestamp: 2 },
      { key: s('a'), value: null, timestamp: 3 },
    ]);
    assert.deepEqual(context.logged, []);
    assert.deepEqual([...store.all()], [{ key: 'b', value: '2' }]);
    store.close();
  });

  test('serdes see the changelog topic name', () => {
    const topics: string[] = [];
    const spy = { serialize: (topic: string, v: string | null) => (topics.push(topic), v === null ? null : Buffer.from(v)), deserialize: (_t: string, d: Buffer | null) => d?.toString() ?? null };
    const store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('named'), spy, Serdes.string()).build();
    store.init(new FakeStoreContext(dir.path));
    store.put('k', 'v');
    assert.deepEqual(topics, ['app-named-changelog']);
  });
});

describe('timestamped key-value store', () => {
  test('stores 8-byte timestamp + value; logs the plain value stamped with the stored timestamp', () => {
    const context = new FakeStoreContext(dir.path);
    const store = Stores.timestampedKeyValueStoreBuilder(Stores.inMemoryKeyValueStore('ts'), Serdes.string(), Serdes.integer()).build();
    store.init(context);
    context.now = 999;
    store.put('k', { value: 7, timestamp: 42 });
    assert.deepEqual(store.get('k'), { value: 7, timestamp: 42 });
    assert.equal(isTimestampedStore(store), true);
    assert.deepEqual(context.logged, [{ store: 'ts', key: s('k'), value: b(0, 0, 0, 7), timestamp: 42 }]);
  });

  test('restore rebuilds the timestamped layout from the record timestamp', () => {
    const name = unique('ts-restore');
    const context = new FakeStoreContext(dir.path);
    const store = Stores.timestampedKeyValueStoreBuilder(Stores.persistentTimestampedKeyValueStore(name), Serdes.string(), Serdes.integer()).build();
    store.init(context);
    context.restore(name, [{ key: s('k'), value: b(0, 0, 0, 9), timestamp: 77 }]);
    assert.deepEqual(store.get('k'), { value: 9, timestamp: 77 });
    store.close();
  });

  test('the read-only facade unwraps values', () => {
    const store = Stores.timestampedKeyValueStoreBuilder(Stores.inMemoryKeyValueStore('facade'), Serdes.string(), Serdes.string()).build();
    store.init(new FakeStoreContext(dir.path));
    store.put('a', { value: 'x', timestamp: 1 });
    store.put('b', { value: 'y', timestamp: 2 });
    const view = readOnlyKeyValueFacade(store);
    assert.equal(view.get('a'), 'x');
    assert.equal(view.get('zz'), null);
    assert.deepEqual([...view.all()], [{ key: 'a', value: 'x' }, { key: 'b', value: 'y' }]);
    assert.deepEqual([...view.reverseAll()].map((e) => e.value), ['y', 'x']);
    assert.equal(view.approximateNumEntries(), 2);
  });

  test('persistent timestamped values survive close and reopen', () => {
    const name = unique('ts-persist');
    const builder = Stores.timestampedKeyValueStoreBuilder(Stores.persistentTimestampedKeyValueStore(name), Serdes.string(), Serdes.json<{ n: number }>());
    const first = builder.build();
    first.init(new FakeStoreContext(dir.path));
    first.put('a', { value: { n: 1 }, timestamp: 10 });
    first.flush();
    first.close();
    const second = builder.build();
    assert.notEqual(second, first);
    second.init(new FakeStoreContext(dir.path));
    assert.deepEqual(second.get('a'), { value: { n: 1 }, timestamp: 10 });
    second.close();
  });
});

describe('caching', () => {
  test('compacts writes and forwards them to the flush listener on flush, with old values when asked', () => {
    const context = new FakeStoreContext(dir.path);
    const store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('cached'), Serdes.string(), Serdes.long())
      .withCachingEnabled()
      .build();
    store.init(context);
    const events: Array<CacheFlushEvent<string, number>> = [];
    assert.equal(isCachedStateStore(store), true);
    assert.equal(store.setFlushListener((e) => events.push(e), true), true);

    context.now = 1;
    store.put('a', 1);
    store.flush();
    assert.deepEqual(events, [{ key: 'a', newValue: 1, oldValue: null, timestamp: 1 }]);
    events.length = 0;
    context.logged.length = 0;

    context.now = 2;
    store.put('a', 2);
    store.put('b', 10);
    context.now = 3;
    store.put('a', 3);
    store.put('never', 1);
    store.delete('never');
    // Reads see the cache before anything is flushed.
    assert.equal(store.get('a'), 3);
    assert.deepEqual([...store.all()], [{ key: 'a', value: 3 }, { key: 'b', value: 10 }]);
    assert.equal(events.length, 0);
    assert.equal(context.logged.length, 0);

    store.flush();
    // Last-write order: b (written at 2), a (rewritten at 3); the key that was never stored is dropped.
    assert.deepEqual(events, [
      { key: 'b', newValue: 10, oldValue: null, timestamp: 2 },
      { key: 'a', newValue: 3, oldValue: 1, timestamp: 3 },
    ]);
    assert.deepEqual(
      context.logged.map((c) => [c.key.toString(), c.timestamp]),
      [
        ['b', 2],
        ['a', 3],
      ],
    );
  });

  test('deletes of stored keys are forwarded as null', () => {
    const store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('cached-del'), Serdes.string(), Serdes.string())
      .withCachingEnabled()
      .build();
    store.init(new FakeStoreContext(dir.path));
    const events: Array<CacheFlushEvent<string, string>> = [];
    store.setFlushListener((e) => events.push(e), false);
    store.put('a', 'x');
    store.flush();
    store.delete('a');
    assert.equal(store.get('a'), null);
    store.flush();
    assert.deepEqual(events.map((e) => [e.key, e.newValue, e.oldValue]), [
      ['a', 'x', null],
      ['a', null, null],
    ]);
    assert.deepEqual([...store.all()], []);
  });

  test('without caching setFlushListener reports false', () => {
    const store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('uncached'), Serdes.string(), Serdes.string()).build();
    assert.equal(store.setFlushListener(() => undefined, false), false);
  });

  test('timestamped cached store forwards ValueAndTimestamp values', () => {
    const store = Stores.timestampedKeyValueStoreBuilder(Stores.inMemoryKeyValueStore('cached-ts'), Serdes.string(), Serdes.string())
      .withCachingEnabled()
      .build();
    store.init(new FakeStoreContext(dir.path));
    const events: Array<CacheFlushEvent<string, ValueAndTimestamp<string>>> = [];
    store.setFlushListener((e) => events.push(e), true);
    store.put('k', { value: 'v', timestamp: 8 });
    store.flush();
    assert.deepEqual(events.map((e) => [e.key, e.newValue, e.oldValue]), [['k', { value: 'v', timestamp: 8 }, null]]);
  });
});

describe('store builders', () => {
  test('are immutable and build a fresh store each time; logging on and caching off by default', () => {
    const base = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('built'), Serdes.string(), Serdes.string());
    assert.equal(base.name, 'built');
    assert.equal(base.type, 'keyValue');
    assert.equal(base.persistent, false);
    assert.equal(base.loggingEnabled, true);
    assert.equal(base.cachingEnabled, false);
    const changed = base.withCachingEnabled().withLoggingEnabled({ 'min.insync.replicas': '1' });
    assert.equal(base.cachingEnabled, false);
    assert.equal(changed.cachingEnabled, true);
    assert.deepEqual(changed.logConfig, { 'min.insync.replicas': '1' });
    assert.equal(changed.withLoggingDisabled().loggingEnabled, false);
    assert.equal(changed.withCachingDisabled().cachingEnabled, false);
    assert.notEqual(base.build(), base.build());
    assert.equal(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('p'), Serdes.string(), Serdes.string()).persistent, true);
  });
});
