/**
 * An idle stream thread waits in poll up to 100 ms, but not past the moment its next commit falls due when it has
 * something to commit (under exactly-once its output is invisible until then).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { POLL_WAIT_MS, pollWaitMs } from '../../src/runtime/poll-wait.js';

test('nothing to commit: the whole poll wait', () => {
  assert.equal(pollWaitMs({ commitNeeded: false, lastCommit: 1_000, commitIntervalMs: 10, now: 1_005 }), POLL_WAIT_MS);
});

test('something to commit: the wait ends when the commit falls due', () => {
  assert.equal(pollWaitMs({ commitNeeded: true, lastCommit: 1_000, commitIntervalMs: 25, now: 1_010 }), 15);
});

test('a commit already due: no wait', () => {
  assert.equal(pollWaitMs({ commitNeeded: true, lastCommit: 1_000, commitIntervalMs: 25, now: 1_040 }), 0);
});

test('a commit due later than the poll wait: the poll wait (at-least-once, 30 s)', () => {
  assert.equal(pollWaitMs({ commitNeeded: true, lastCommit: 1_000, commitIntervalMs: 30_000, now: 1_010 }), POLL_WAIT_MS);
});
