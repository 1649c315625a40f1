/** The record cache structure shared by the key-value and window caching stores (Kafka's NamedCache behaviour). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CACHE_ENTRY_OVERHEAD_BYTES, RecordCache, type DirtyEntry } from '../../src/state/record-cache.js';
import { ThreadCache } from '../../src/state/thread-cache.js';
import { s } from './fake-context.js';

/** A cache whose eviction flush records what it flushed (as a caching store would write it below). */
function cacheWithLog(maxBytes: number | ThreadCache): { cache: RecordCache; flushes: string[][] } {
  const flushes: string[][] = [];
  const memory = typeof maxBytes === 'number' ? new ThreadCache(maxBytes) : maxBytes;
  const cache: RecordCache = new RecordCache(memory, () => {
    const entries = cache.takeDirty();
    flushes.push(entries.map(show));
    cache.flushed(entries);
  });
  return { cache, flushes };
}

/** What `n` entries of a one-byte key and a one-byte value count. */
const entries = (n: number): number => n * (CACHE_ENTRY_OVERHEAD_BYTES + 2);
const show = (e: DirtyEntry): string => `${e.key.toString()}=${e.value?.toString() ?? 'null'}@${e.timestamp}`;
const keys = (cache: RecordCache): string[] => [...cache.range(null, null, false)].map((e) => e.key.toString());

describe('RecordCache', () => {
  test('dirty entries come out in the order of their last write, each once, then clean', () => {
    const { cache } = cacheWithLog(1 << 20);
    cache.put(s('a'), s('1'), 1);
    cache.put(s('b'), s('2'), 2);
    cache.put(s('a'), s('3'), 3);
    cache.putClean(s('c'), s('4'));
    assert.equal(cache.dirtyCount, 2);
    assert.deepEqual(cache.takeDirty().map(show), ['b=2@2', 'a=3@3']);
    assert.equal(cache.dirtyCount, 0);
    assert.deepEqual(cache.takeDirty(), []);
    assert.equal(cache.get(s('a'))?.dirty, false);
    assert.equal(cache.get(s('a'))?.value?.toString(), '3');
  });

  test('a flushed delete leaves the cache; one written again during the flush stays', () => {
    const { cache } = cacheWithLog(1 << 20);
    cache.put(s('gone'), null, 1);
    cache.put(s('back'), null, 1);
    const entries = cache.takeDirty();
    cache.put(s('back'), s('v'), 2);
    cache.flushed(entries);
    assert.deepEqual(keys(cache), ['back']);
    assert.equal(cache.get(s('gone')), undefined);
  });

  test('over budget, the least recently used clean entry goes without a flush', () => {
    // Two entries fit, three do not.
    const { cache, flushes } = cacheWithLog(entries(2) + 10);
    cache.putClean(s('a'), s('1'));
    cache.putClean(s('b'), s('2'));
    cache.get(s('a')); // a is now more recent than b
    cache.putClean(s('c'), s('3'));
    assert.deepEqual(keys(cache), ['a', 'c']);
    assert.deepEqual(flushes, []);
  });

  test('evicting a dirty entry flushes every dirty entry first, in write order', () => {
    const { cache, flushes } = cacheWithLog(entries(2) + 10);
    cache.put(s('a'), s('1'), 1);
    cache.put(s('b'), s('2'), 2);
    cache.put(s('c'), s('3'), 3);
    assert.deepEqual(flushes, [['a=1@1', 'b=2@2', 'c=3@3']]);
    // a was evicted; b and c stay, clean.
    assert.deepEqual(keys(cache), ['b', 'c']);
    assert.equal(cache.dirtyCount, 0);
    assert.ok(cache.sizeBytes <= entries(2) + 10);
  });

  test('a range is a snapshot: writes while iterating do not show in it', () => {
    const { cache } = cacheWithLog(1 << 20);
    cache.put(s('a'), s('1'), 1);
    cache.put(s('c'), s('3'), 1);
    const seen: string[] = [];
    for (const { key, entry } of cache.range(s('a'), s('z'), false)) {
      seen.push(`${key.toString()}=${entry.value?.toString()}`);
      cache.put(s('b'), s('2'), 2);
      cache.put(s('c'), s('9'), 2);
    }
    assert.deepEqual(seen, ['a=1', 'c=3']);
    assert.deepEqual([...cache.range(s('b'), null, true)].map((e) => e.key.toString()), ['c', 'b']);
    assert.deepEqual([...cache.range(null, s('b'), true)].map((e) => e.key.toString()), ['b', 'a']);
  });

  test('entries written after a range was taken keep their place in the recency and dirty orders', () => {
    const { cache, flushes } = cacheWithLog(entries(3));
    cache.put(s('a'), s('1'), 1);
    cache.put(s('b'), s('2'), 2);
    cache.put(s('c'), s('3'), 3);
    assert.equal([...cache.range(null, null, false)].length, 3);
    // b is copied (a snapshot may see it), yet stays in the middle of both orders until it is written.
    assert.equal(cache.get(s('b'))?.value?.toString(), '2');
    cache.put(s('a'), s('4'), 4);
    assert.deepEqual(cache.takeDirty().map(show), ['b=2@2', 'c=3@3', 'a=4@4']);
    cache.put(s('d'), s('5'), 5);
    // Least recently used: c (b was read after c was written), so c goes, without a flush (it is clean).
    assert.deepEqual(keys(cache), ['a', 'b', 'd']);
    assert.deepEqual(flushes, []);
  });

  test('caches sharing a thread budget: the one written evicts its own entries once they are over it together', () => {
    const memory = new ThreadCache(entries(3) + 10);
    const first = cacheWithLog(memory);
    const second = cacheWithLog(memory);
    first.cache.put(s('a'), s('1'), 1);
    first.cache.put(s('b'), s('2'), 2);
    second.cache.put(s('x'), s('3'), 3);
    assert.equal(memory.sizeBytes, entries(3));
    assert.deepEqual([first.flushes, second.flushes], [[], []]);
    // Over the shared budget: the cache written evicts (and so flushes) its own oldest entry, not the other's.
    second.cache.put(s('y'), s('4'), 4);
    assert.deepEqual(second.flushes, [['x=3@3', 'y=4@4']]);
    assert.deepEqual(first.flushes, []);
    assert.deepEqual([keys(first.cache), keys(second.cache)], [['a', 'b'], ['y']]);
    assert.equal(memory.sizeBytes, entries(3));
    // A cache cleared (its store closed) gives its bytes back to the thread.
    first.cache.clear();
    assert.equal(memory.sizeBytes, entries(1));
  });
});
