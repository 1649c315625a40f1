/** The request-reply helper: waiters answered once, on notify, timeout or abort; awaitReply reads, waits, reads again. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { awaitReply, ReplyWaiters } from '../../src/index.js';

describe('ReplyWaiters', () => {
  it('hands a value to every waiter of its key that accepts it, once, and removes them', async () => {
    const waiters = new ReplyWaiters<string, number>();
    const even = waiters.wait('k', (v) => v % 2 === 0, 1_000);
    const any = waiters.wait('k', () => true, 1_000);
    const other = waiters.wait('other', () => true, 50);
    assert.equal(waiters.size, 3);
    waiters.notify('k', 1);
    assert.equal(await any, 1);
    waiters.notify('k', 2);
    waiters.notify('k', 4);
    assert.equal(await even, 2);
    assert.equal(await other, undefined);
    assert.equal(waiters.size, 0);
  });

  it('gives up on abort and on cancelAll, leaving nothing behind', async () => {
    const waiters = new ReplyWaiters<string, string>();
    const controller = new AbortController();
    const aborted = waiters.wait('a', () => true, 10_000, controller.signal);
    const cancelled = waiters.wait('b', () => true, 10_000);
    controller.abort();
    assert.equal(await aborted, undefined);
    waiters.cancelAll();
    assert.equal(await cancelled, undefined);
    assert.equal(waiters.size, 0);
    assert.equal(await waiters.wait('c', () => true, 10_000, controller.signal), undefined);
  });
});

describe('awaitReply', () => {
  it('answers from the store at once, from a notified value, or from a value the store got without a notification', async () => {
    const store = new Map<string, string>([['known', 'v1']]);
    const waiters = new ReplyWaiters<string, string>();
    const read = (k: string): string | null => store.get(k) ?? null;
    assert.equal(await awaitReply({ key: 'known', read, waiters, timeoutMs: 0 }), 'v1');
    assert.equal(await awaitReply({ key: 'none', read, waiters, timeoutMs: 0 }), undefined);
    const notified = awaitReply({ key: 'late', read, waiters, timeoutMs: 1_000 });
    waiters.notify('late', 'v2');
    assert.equal(await notified, 'v2');
    // A value restored into the store is never notified: the read at the deadline finds it.
    const restored = awaitReply({ key: 'restored', read, waiters, timeoutMs: 50 });
    store.set('restored', 'v3');
    assert.equal(await restored, 'v3');
    const rejected = awaitReply({ key: 'known', read, waiters, accept: (v) => v === 'final', timeoutMs: 30 });
    assert.equal(await rejected, undefined);
  });
});
