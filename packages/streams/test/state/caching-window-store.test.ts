/**
 * The window store's record cache (Kafka's CachingWindowStore): coalescing until flush, the flush listener with old
 * values, the changelog seeing only flushed values, eviction, and reads that merge the cache over the store.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Serdes } from '../../src/serde/index.js';
import type { CacheFlushEvent } from '../../src/state/cache-flush-listener.js';
import type { StoreBuilder, WindowStore, Windowed } from '../../src/state/store.js';
import { Stores } from '../../src/state/stores.js';
import type { CachedStateStore } from '../../src/state/cache-flush-listener.js';
import { LayeredStoreBuilder } from '../../src/state/store-builder.js';
import { CACHE_ENTRY_OVERHEAD_BYTES } from '../../src/state/record-cache.js';
import { FakeStoreContext, tempDir } from './fake-context.js';

const dir = tempDir();
after(() => dir.remove());
let n = 0;
const unique = (p: string): string => `${p}-${n++}`;

type Store = WindowStore<string, string> & CachedStateStore<Windowed<string>, string>;
/** The runtime's `statestoreCacheMaxBytes` for one store (what `withCacheBudget` applies). */
function budget(builder: StoreBuilder<Store>, bytes: number): StoreBuilder<Store> {
  assert.ok(builder instanceof LayeredStoreBuilder);
  return builder.withCacheMaxBytes(bytes);
}

const show = (e: CacheFlushEvent<Windowed<string>, string>): string =>
  `${e.key.key}@${e.key.window.start}/${e.key.window.end}=${e.newValue}<-${e.oldValue}@${e.timestamp}`;

for (const persistent of [false, true]) {
  const kind = persistent ? 'persistent' : 'in-memory';
  const builder = (name: string, retention: number, size: number, dups = false): StoreBuilder<Store> =>
    Stores.windowStoreBuilder(
      persistent ? Stores.persistentWindowStore(name, retention, size, dups) : Stores.inMemoryWindowStore(name, retention, size, dups),
      Serdes.string(),
      Serdes.string(),
    );

  describe(`${kind} window store with caching`, () => {
    test('coalesces updates of a window until flush; the listener and the changelog get the latest, in last-write order', () => {
      const context = new FakeStoreContext(dir.path);
      const store = builder(unique('coalesce'), 100_000, 10).withCachingEnabled().build();
      store.init(context);
      const events: string[] = [];
      assert.equal(store.setFlushListener((e) => events.push(show(e)), true), true);

      context.now = 1;
      store.put('a', 'a1', 0);
      store.put('b', 'b1', 0);
      context.now = 2;
      store.put('a', 'a2', 0);
      store.put('a', 'x', 10);
      // Reads see the cache; nothing reached the listener or the changelog yet.
      assert.equal(store.fetch('a', 0), 'a2');
      assert.deepEqual([...store.fetchRange('a', 0, 10)], [{ key: 0, value: 'a2' }, { key: 10, value: 'x' }]);
      assert.deepEqual(events, []);
      assert.equal(context.logged.length, 0);

      store.flush();
      assert.deepEqual(events, ['b@0/10=b1<-null@1', 'a@0/10=a2<-null@2', 'a@10/20=x<-null@2']);
      assert.deepEqual(
        context.logged.map((c) => `${c.key.subarray(0, c.key.length - 12).toString()}=${c.value?.toString()}@${c.timestamp}`),
        ['b=b1@1', 'a=a2@2', 'a=x@2'],
      );

      events.length = 0;
      context.logged.length = 0;
      context.now = 3;
      store.put('a', 'a3', 0);
      store.put('a', null, 10);
      store.put('never', null, 0);
      store.flush();
      // Old values come from the store; a delete of a window the store never had is neither logged nor forwarded.
      assert.deepEqual(events, ['a@0/10=a3<-a2@3', 'a@10/20=null<-x@3']);
      assert.deepEqual(
        context.logged.map((c) => c.value?.toString() ?? null),
        ['a3', null],
      );
      store.flush();
      assert.equal(events.length, 2, 'a second flush has nothing left');
      store.close();
    });

    test('without a listener asking for old values, a flush forwards null old values', () => {
      const store = builder(unique('noold'), 100_000, 10).withCachingEnabled().build();
      store.init(new FakeStoreContext(dir.path));
      const events: string[] = [];
      store.setFlushListener((e) => events.push(show(e)), false);
      store.put('a', '1', 0);
      store.flush();
      store.put('a', '2', 0);
      store.flush();
      assert.deepEqual(events, ['a@0/10=1<-null@1000', 'a@0/10=2<-null@1000']);
      store.close();
    });

    test('a small budget evicts: dirty entries are flushed before the commit', () => {
      const context = new FakeStoreContext(dir.path);
      // One cached window costs the entry overhead + segment id 8 + key 1 + start 8 + seqnum 4 + value 1 + timestamp 8
      // bytes: the budget holds two.
      const store = budget(builder(unique('evict'), 100_000, 10).withCachingEnabled(), 2 * (CACHE_ENTRY_OVERHEAD_BYTES + 30) + 20).build();
      store.init(context);
      const events: string[] = [];
      store.setFlushListener((e) => events.push(show(e)), false);
      store.put('a', '1', 0);
      store.put('a', '2', 0);
      store.put('b', '1', 0);
      assert.deepEqual(events, []);
      store.put('c', '1', 0);
      assert.deepEqual(events, ['a@0/10=2<-null@1000', 'b@0/10=1<-null@1000', 'c@0/10=1<-null@1000']);
      assert.equal(context.logged.length, 3);
      // Evicted or not, every window still reads back.
      assert.deepEqual([...store.fetchAll(0, 0)].map((e) => `${e.key.key}=${e.value}`), ['a=2', 'b=1', 'c=1']);
      store.close();
    });

    test('a store that retains duplicates does not cache (as Kafka)', () => {
      const context = new FakeStoreContext(dir.path);
      const store = builder(unique('dups'), 10_000, 100, true).withCachingEnabled().build();
      store.init(context);
      assert.equal(store.setFlushListener(() => undefined, false), false);
      store.put('k', 'x', 5);
      store.put('k', 'y', 5);
      assert.equal(context.logged.length, 2);
      store.close();
    });

    test('closing flushes: the changelog restores the same store', () => {
      const context = new FakeStoreContext(dir.path);
      const store = builder(unique('close'), 100_000, 10).withCachingEnabled().build();
      store.init(context);
      store.put('a', '1', 0);
      store.put('a', '2', 0);
      store.put('b', '3', 70_000);
      store.close();
      assert.equal(context.logged.length, 2);
      const restored = builder(unique('restored'), 100_000, 10).build();
      const target = new FakeStoreContext(dir.path);
      restored.init(target);
      target.restore(restored.name, context.logged.map((c) => ({ key: c.key, value: c.value, timestamp: c.timestamp })));
      assert.deepEqual([...restored.all()].map((e) => `${e.key.key}@${e.key.window.start}=${e.value}`), ['a@0=2', 'b@70000=3']);
      restored.close();
    });

    test('every read merges the cache over the store as the uncached store answers (random writes, deletes, flushes)', () => {
      const retention = 150_000;
      const cached = budget(builder(unique('merge-cached'), retention, 10).withCachingEnabled(), 2_000).build();
      const plain = builder(unique('merge-plain'), retention, 10).build();
      cached.init(new FakeStoreContext(dir.path));
      plain.init(new FakeStoreContext(dir.path));
      let seed = 42;
      const random = (below: number): number => {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        // The high bits: the low bits of this generator repeat with short periods.
        return Math.floor((seed / 2_147_483_648) * below);
      };
      const keys = ['a', 'ab', 'b', 'ba', 'c', ''];
      // Starts across several segments (the segment interval is 75 s), moving forward so that old windows expire.
      let base = 0;
      for (let step = 0; step < 1500; step++) {
        base += random(3) === 0 ? 500 : 0;
        const key = keys[random(keys.length)] as string;
        const start = Math.max(0, base - random(200) * 1000);
        const value = random(4) === 0 ? null : `v${step}`;
        cached.put(key, value, start);
        plain.put(key, value, start);
        if (random(50) === 0) cached.flush();
        if (step % 25 !== 0) continue;
        const probe = keys[random(keys.length)] as string;
        const from = Math.max(0, base - random(200) * 1000);
        const to = from + random(150) * 1000;
        const at = `step ${step}, key ${probe}, [${from}, ${to}]`;
        assert.equal(cached.fetch(probe, start), plain.fetch(probe, start), `fetch ${at}`);
        assert.deepEqual([...cached.fetchRange(probe, from, to)], [...plain.fetchRange(probe, from, to)], `fetchRange ${at}`);
        assert.deepEqual([...cached.backwardFetchRange(probe, from, to)], [...plain.backwardFetchRange(probe, from, to)], `backwardFetchRange ${at}`);
        assert.deepEqual([...cached.fetchKeyRange('a', 'b', from, to)], [...plain.fetchKeyRange('a', 'b', from, to)], `fetchKeyRange ${at}`);
        assert.deepEqual([...cached.fetchKeyRange(null, 'ab', from, to)], [...plain.fetchKeyRange(null, 'ab', from, to)], `fetchKeyRange to ${at}`);
        assert.deepEqual([...cached.fetchAll(from, to)], [...plain.fetchAll(from, to)], `fetchAll ${at}`);
        assert.deepEqual([...cached.fetchAllByTime(from, to)], [...plain.fetchAllByTime(from, to)], `fetchAllByTime ${at}`);
        assert.deepEqual([...cached.all()], [...plain.all()], `all ${at}`);
      }
      cached.close();
      plain.close();
    });
  });
}
