/** The record cache structure shared by the key-value and window caching stores (Kafka's NamedCache behaviour). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordCache, type DirtyEntry } from '../../src/state/record-cache.js';
import { s } from './fake-context.js';

/** A cache whose eviction flush records what it flushed (as a caching store would write it below). */
function cacheWithLog(maxBytes: number): { cache: RecordCache; flushes: string[][] } {
  const flushes: string[][] = [];
  const cache: RecordCache = new RecordCache(maxBytes, () => {
    const entries = cache.takeDirty();
    flushes.push(entries.map(show));
    cache.flushed(entries);
  });
  return { cache, flushes };
}

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
    // Each entry costs 64 bytes of overhead plus its bytes: two fit in 140, three do not.
    const { cache, flushes } = cacheWithLog(140);
    cache.putClean(s('a'), s('1'));
    cache.putClean(s('b'), s('2'));
    cache.get(s('a')); // a is now more recent than b
    cache.putClean(s('c'), s('3'));
    assert.deepEqual(keys(cache), ['a', 'c']);
    assert.deepEqual(flushes, []);
  });

  test('evicting a dirty entry flushes every dirty entry first, in write order', () => {
    const { cache, flushes } = cacheWithLog(140);
    cache.put(s('a'), s('1'), 1);
    cache.put(s('b'), s('2'), 2);
    cache.put(s('c'), s('3'), 3);
    assert.deepEqual(flushes, [['a=1@1', 'b=2@2', 'c=3@3']]);
    // a was evicted; b and c stay, clean.
    assert.deepEqual(keys(cache), ['b', 'c']);
    assert.equal(cache.dirtyCount, 0);
    assert.ok(cache.sizeBytes <= 140);
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
    const { cache, flushes } = cacheWithLog(3 * 66);
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
});
