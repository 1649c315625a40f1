/**
 * The stall watch behind the stream thread's and the restore's "records are there but none arrive" check: only a
 * partition that is behind and keeps the same position past the limit is stalled. Times are passed in explicitly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRetriable } from '../../src/backend/port.js';
import { classifyFailure } from '../../src/runtime/failure.js';
import { FetchStalledError, ProgressWatch } from '../../src/runtime/progress-watch.js';

test('a partition behind its end at the same position past the limit is stalled; one that moves or is caught up is not', () => {
  const watch = new ProgressWatch(1_000);
  watch.observe(
    [
      { key: 'a:0', position: 10, end: 20 },
      { key: 'a:1', position: 5, end: 9 },
      { key: 'a:2', position: 7, end: 7 },
    ],
    0,
  );
  watch.observe(
    [
      { key: 'a:0', position: 10, end: 25 },
      { key: 'a:1', position: 6, end: 9 },
      { key: 'a:2', position: 7, end: 7 },
    ],
    900,
  );
  assert.deepEqual(watch.stalled(1_000), []);
  assert.deepEqual(watch.stalled(1_500), [{ key: 'a:0', position: 10, forMs: 1_500 }]);
  // a:1 moved at 900: its clock started again there.
  assert.deepEqual(
    watch.stalled(2_000).map((s) => s.key),
    ['a:0', 'a:1'],
  );
});

test('catching up, leaving the assignment or a reset clears a partition', () => {
  const watch = new ProgressWatch(1_000);
  watch.observe([{ key: 'a:0', position: 1, end: 5 }, { key: 'a:1', position: 1, end: 5 }], 0);
  watch.observe([{ key: 'a:0', position: 5, end: 5 }], 100);
  assert.deepEqual(watch.stalled(10_000), [], 'a:0 caught up, a:1 is no longer assigned');
  watch.observe([{ key: 'a:0', position: 5, end: 9 }], 200);
  watch.reset();
  assert.deepEqual(watch.stalled(10_000), []);
});

test('a stalled fetch is a retriable failure: the thread recovers from it instead of stopping', () => {
  const error = new FetchStalledError('no records fetched');
  assert.equal(isRetriable(error), true);
  assert.equal(classifyFailure(error), 'retriable');
});
