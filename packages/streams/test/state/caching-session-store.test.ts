/**
 * The session store's record cache (Kafka's CachingSessionStore): coalescing until flush, a session merged away
 * before the flush never reaching the listener or the changelog, and reads that merge the cache over the store.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Serdes } from '../../src/serde/index.js';
import type { CacheFlushEvent, CachedStateStore } from '../../src/state/cache-flush-listener.js';
import { LayeredStoreBuilder } from '../../src/state/store-builder.js';
import type { SessionStore, StoreBuilder, Windowed } from '../../src/state/store.js';
import { Stores } from '../../src/state/stores.js';
import { FakeStoreContext, tempDir } from './fake-context.js';

const dir = tempDir();
after(() => dir.remove());
let n = 0;
const unique = (p: string): string => `${p}-${n++}`;

type Store = SessionStore<string, string> & CachedStateStore<Windowed<string>, string>;
const session = (key: string, start: number, end: number): Windowed<string> => ({ key, window: { start, end } });
const show = (e: CacheFlushEvent<Windowed<string>, string>): string =>
  `${e.key.key}@${e.key.window.start}-${e.key.window.end}=${e.newValue}<-${e.oldValue}@${e.timestamp}`;

for (const persistent of [false, true]) {
  const kind = persistent ? 'persistent' : 'in-memory';
  const builder = (name: string, retention: number): StoreBuilder<Store> =>
    Stores.sessionStoreBuilder(persistent ? Stores.persistentSessionStore(name, retention) : Stores.inMemorySessionStore(name, retention), Serdes.string(), Serdes.string());

  describe(`${kind} session store with caching`, () => {
    test('coalesces until flush; a session removed before the flush is neither forwarded nor logged', () => {
      const context = new FakeStoreContext(dir.path);
      const store = builder(unique('coalesce'), 100_000).withCachingEnabled().build();
      store.init(context);
      const events: string[] = [];
      assert.equal(store.setFlushListener((e) => events.push(show(e)), true), true);
      context.now = 1;
      store.put(session('a', 0, 0), 'x');
      store.flush();
      context.now = 2;
      // A merge: [0,0] goes, [0,3] comes; then [0,3] itself is merged into [0,5] before any flush.
      store.remove(session('a', 0, 0));
      store.put(session('a', 0, 3), 'xy');
      context.now = 3;
      store.remove(session('a', 0, 3));
      store.put(session('a', 0, 5), 'xyz');
      assert.deepEqual([...store.fetch('a')].map((e) => `${e.key.window.start}-${e.key.window.end}=${e.value}`), ['0-5=xyz']);
      assert.equal(store.fetchSession('a', 0, 3), null);
      store.flush();
      assert.deepEqual(events, ['a@0-0=x<-null@1', 'a@0-0=null<-x@2', 'a@0-5=xyz<-null@3']);
      assert.deepEqual(
        context.logged.map((c) => `${c.value?.toString() ?? null}@${c.timestamp}`),
        ['x@1', 'null@2', 'xyz@3'],
      );
      store.close();
    });

    test('without caching setFlushListener reports false', () => {
      const store = builder(unique('plain'), 100_000).build();
      assert.equal(store.setFlushListener(() => undefined, false), false);
    });

    test('every read merges the cache over the store as the uncached store answers (random writes, removes, flushes)', () => {
      const retention = 150_000;
      const cachedBuilder = builder(unique('merge-cached'), retention).withCachingEnabled();
      assert.ok(cachedBuilder instanceof LayeredStoreBuilder);
      const cached = cachedBuilder.withCacheMaxBytes(2_000).build();
      const plain = builder(unique('merge-plain'), retention).build();
      cached.init(new FakeStoreContext(dir.path));
      plain.init(new FakeStoreContext(dir.path));
      let seed = 11;
      const random = (below: number): number => {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        // The high bits: the low bits of this generator repeat with short periods.
        return Math.floor((seed / 2_147_483_648) * below);
      };
      const keys = ['a', 'ab', 'b', 'ba', 'c'];
      let base = 0;
      for (let step = 0; step < 1500; step++) {
        base += random(3) === 0 ? 500 : 0;
        const key = keys[random(keys.length)] as string;
        const end = Math.max(0, base - random(200) * 1000);
        const start = Math.max(0, end - random(5) * 1000);
        const value = random(4) === 0 ? null : `v${step}`;
        cached.put(session(key, start, end), value);
        plain.put(session(key, start, end), value);
        if (random(50) === 0) cached.flush();
        if (step % 25 !== 0) continue;
        const probe = keys[random(keys.length)] as string;
        const from = Math.max(0, base - random(200) * 1000);
        const to = from + random(150) * 1000;
        const at = `step ${step}, key ${probe}, [${from}, ${to}]`;
        assert.equal(cached.fetchSession(probe, start, end), plain.fetchSession(probe, start, end), `fetchSession ${at}`);
        assert.deepEqual([...cached.findSessions(probe, from, to)], [...plain.findSessions(probe, from, to)], `findSessions ${at}`);
        assert.deepEqual([...cached.fetch(probe)], [...plain.fetch(probe)], `fetch ${at}`);
        assert.deepEqual([...cached.findSessionsByEnd(from, to)], [...plain.findSessionsByEnd(from, to)], `findSessionsByEnd ${at}`);
        assert.deepEqual([...cached.all()], [...plain.all()], `all ${at}`);
      }
      cached.close();
      plain.close();
    });
  });
}
