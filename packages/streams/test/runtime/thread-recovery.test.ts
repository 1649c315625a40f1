/**
 * A stream thread's recovery replaces its consumer when the committed offsets have been unreadable for a minute: a
 * librdkafka consumer that lost every broker from its metadata (a broker that froze and came back fenced) kept
 * looking for its group coordinator until the task timeout stopped the app. Stand-ins for the clients and tasks; the
 * clock is the test's.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Consumer, TopicPartition } from '../../src/backend/port.js';
import type { Commit } from '../../src/runtime/commit.js';
import type { Logger } from '../../src/runtime/config.js';
import type { TaskManager } from '../../src/runtime/task-manager.js';
import { ThreadRecovery, type RecoveryTarget } from '../../src/runtime/thread-recovery.js';
import { ThreadStats } from '../../src/runtime/thread-stats.js';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
const partition: TopicPartition = { topic: 'in', partition: 0 };

/** A thread whose consumer's committed() fails while `failing` is set; counts what recovery did to it. */
function thread() {
  const state = { failing: true, consumers: 1, reassigned: 0, seeks: 0, closedDirty: 0 };
  const consumerFor = (generation: number): Consumer =>
    ({
      generation,
      assignment: () => [partition],
      committed: async () => {
        if (state.failing) throw Object.assign(new Error('committed: Local: Timed out'), { retriable: true });
        return [{ ...partition, offset: 5 }];
      },
      beginningOffsets: async () => [],
      seek: () => {
        state.seeks++;
      },
    }) as unknown as Consumer;
  let consumer = consumerFor(1);
  const target: RecoveryTarget = {
    consumer: () => consumer,
    replaceConsumer: async () => {
      state.consumers++;
      consumer = consumerFor(state.consumers);
    },
    tasks: { closeDirty: () => void state.closedDirty++ } as unknown as TaskManager,
    commitUnit: { abort: async () => undefined, useProducer: () => undefined } as unknown as Commit,
    producer: () => ({}) as never,
    replaceProducer: async () => ({}) as never,
    reassign: async () => void state.reassigned++,
  };
  return { state, target, current: () => consumer };
}

describe('ThreadRecovery', () => {
  it('replaces the consumer once committed() has failed for a minute, and not before', async () => {
    let now = 0;
    const stats = new ThreadStats();
    const recovery = new ThreadRecovery(300_000, quiet, stats, false, () => now);
    const { state, target } = thread();
    // Failing for less than a minute: each recovery fails on committed() and keeps the consumer.
    for (const at of [0, 30_000, 59_000]) {
      now = at;
      recovery.recovering = true;
      await assert.rejects(recovery.recover(target), /Local: Timed out/);
      assert.equal(state.consumers, 1, `at ${at} ms the consumer is kept`);
    }
    // A minute after the first failure: the next recovery replaces it instead of asking it again.
    now = 60_000;
    recovery.recovering = true;
    await recovery.recover(target);
    assert.equal(state.consumers, 2, 'a new consumer');
    assert.equal(recovery.recovering, false, 'recovered: the new consumer\'s assignment creates the tasks');
    assert.equal(state.reassigned, 0, 'no tasks created by recovery itself');
    assert.equal(stats.recoveries, 1);
    // The new consumer reads its offsets: a normal recovery, which seeks and creates the tasks.
    state.failing = false;
    now = 61_000;
    recovery.recovering = true;
    await recovery.recover(target);
    assert.equal(state.consumers, 2);
    assert.equal(state.seeks, 1);
    assert.equal(state.reassigned, 1);
  });

  it('a success in between starts the minute again', async () => {
    let now = 0;
    const recovery = new ThreadRecovery(300_000, quiet, new ThreadStats(), false, () => now);
    const { state, target } = thread();
    recovery.recovering = true;
    await assert.rejects(recovery.recover(target));
    now = 40_000;
    state.failing = false;
    await recovery.recover(target);
    state.failing = true;
    now = 70_000;
    await assert.rejects(recovery.recover(target));
    now = 100_000;
    await assert.rejects(recovery.recover(target), /Local: Timed out/, 'failing for 30 s only: the consumer is asked again');
    assert.equal(state.consumers, 1);
  });

  it('a replacement that fails half-way is taken up again by the next recovery', async () => {
    let now = 0;
    const recovery = new ThreadRecovery(300_000, quiet, new ThreadStats(), false, () => now);
    const { state, target } = thread();
    recovery.recovering = true;
    await assert.rejects(recovery.recover(target));
    now = 60_000;
    const replace = target.replaceConsumer;
    let attempts = 0;
    const flaky: RecoveryTarget = {
      ...target,
      replaceConsumer: async () => {
        if (++attempts === 1) throw new Error('connecting consumer: broker away');
        await replace();
      },
    };
    await assert.rejects(recovery.recover(flaky), /broker away/);
    assert.equal(recovery.recovering, true);
    now = 61_000;
    await recovery.recover(flaky);
    assert.equal(attempts, 2, 'the second recovery goes on replacing, without asking the old consumer again');
    assert.equal(state.consumers, 2);
    assert.equal(recovery.recovering, false);
  });
});
