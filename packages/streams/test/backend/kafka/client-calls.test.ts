/**
 * Calls that hold a libuv worker or the client's connection lock, kept from piling up. No native client is involved:
 * the native handles here are stand-ins that answer when the test says so.
 *
 * - An admin client replaced after stale metadata is disconnected only once its last call has answered: its
 *   synchronous `disconnect()` would otherwise block the event loop until every call still queued had run.
 * - A producer runs one native flush at a time, however many callers flush at once; each caller still waits until
 *   what it sent before flushing is acknowledged.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AdminHandle } from '../../../src/backend/kafka/admin-handle.js';
import { CallsInFlight } from '../../../src/backend/kafka/calls-in-flight.js';
import type { KafkaOffsets } from '../../../src/backend/kafka/kafka-offsets.js';
import { KafkaProducer } from '../../../src/backend/kafka/kafka-producer.js';
import type { NativeAdminClient, NativeModule } from '../../../src/backend/kafka/native.js';

type Answer = () => void;

/** An admin client whose calls wait until the test answers them. */
function fakeAdmin(): { native: NativeAdminClient; pending: Answer[]; disconnects: () => number } {
  const pending: Answer[] = [];
  let disconnects = 0;
  const later =
    (result: unknown) =>
    (...args: unknown[]): void => {
      const cb = args[args.length - 1] as (err: null, result: unknown) => void;
      pending.push(() => cb(null, result));
    };
  const native = {
    createTopic: later(undefined),
    deleteTopic: later(undefined),
    listTopics: later(['a']),
    describeTopics: later([]),
    listOffsets: later([{ topic: 't', partition: 0, offset: 7 }]),
    deleteRecords: later([]),
    disconnect: () => {
      disconnects++;
    },
  } as unknown as NativeAdminClient;
  return { native, pending, disconnects: () => disconnects };
}

describe('AdminHandle', () => {
  it('a retired client with calls in flight is disconnected when the last one answers, not before', () => {
    const admin = fakeAdmin();
    const handle = new AdminHandle(admin.native);
    const answers: unknown[] = [];
    handle.listTopics({ timeout: 10 }, (_err, names) => answers.push(names));
    handle.listOffsets([], { timeout: 10 }, (_err, offsets) => answers.push(offsets));
    assert.equal(handle.callsInFlight, 2);
    let disconnected = 0;
    handle.retire(() => disconnected++);
    assert.equal(admin.disconnects(), 0, 'two calls still hold the client');
    admin.pending[0]!();
    assert.equal(admin.disconnects(), 0, 'one call still holds the client');
    admin.pending[1]!();
    assert.equal(admin.disconnects(), 1);
    assert.equal(disconnected, 1);
    assert.deepEqual(answers, [['a'], [{ topic: 't', partition: 0, offset: 7 }]], 'callers get their answers');
    handle.disconnect();
    assert.equal(admin.disconnects(), 1, 'disconnected once only');
  });

  it('a retired idle client is disconnected at once; a call that throws is not counted as in flight', () => {
    const admin = fakeAdmin();
    const throwing = { ...admin.native, deleteTopic: () => { throw new Error('bad argument'); } } as NativeAdminClient;
    const handle = new AdminHandle(throwing);
    assert.throws(() => handle.deleteTopic('t', 10, () => undefined), /bad argument/);
    assert.equal(handle.callsInFlight, 0);
    handle.retire(() => undefined);
    assert.equal(admin.disconnects(), 1);
  });
});

/** A producer whose native flushes wait until the test answers them. */
interface FakeProducerModule {
  mod: NativeModule;
  /** The native flushes called so far, each answered when the test calls it. */
  flushes: Answer[];
  /** For each disconnect, how many flushes had been called by then. */
  disconnects: number[];
  /** Emits a failed delivery report, as librdkafka's background poll would. */
  report: (failure: Error & { code: number }) => void;
}

function fakeProducerModule(): FakeProducerModule {
  const flushes: Answer[] = [];
  let onReport: (err: Error, report: { topic: string }) => void = () => undefined;
  const disconnects: number[] = [];
  class FakeProducer {
    on(event: string, listener: typeof onReport): void {
      if (event === 'delivery-report') onReport = listener;
    }
    connect(_options: unknown, cb: (err: null) => void): void {
      cb(null);
    }
    setPollInBackground(): void {}
    produce(): void {}
    flush(_timeoutMs: number, cb: (err: null) => void): void {
      flushes.push(() => cb(null));
    }
    disconnect(_timeoutMs: number, cb: () => void): void {
      disconnects.push(flushes.length);
      cb();
    }
  }
  const mod = { Producer: FakeProducer as unknown as NativeModule['Producer'] } as NativeModule;
  return { mod, flushes, disconnects, report: (failure) => onReport(failure, { topic: 'orders' }) };
}

const noOffsets = { list: async () => [] } as unknown as KafkaOffsets;

async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

describe('KafkaProducer flush', () => {
  it('runs one native flush at a time; callers who came during one share the next', async () => {
    const { mod, flushes } = fakeProducerModule();
    const producer = await KafkaProducer.create(mod, { clientId: 'p' }, {}, noOffsets);
    const done: string[] = [];
    const first = producer.flush().then(() => done.push('first'));
    await turns(2);
    assert.equal(flushes.length, 1);
    // Two more callers while the first native flush runs: no second native flush yet.
    const second = producer.flush().then(() => done.push('second'));
    const third = producer.flush().then(() => done.push('third'));
    await turns(4);
    assert.equal(flushes.length, 1, 'one native flush in flight, whatever the number of callers');
    flushes[0]!();
    await first;
    await turns(4);
    assert.deepEqual(done, ['first'], 'later callers wait for a flush that started after they came');
    assert.equal(flushes.length, 2, 'one more native flush, shared by both later callers');
    flushes[1]!();
    await Promise.all([second, third]);
    assert.deepEqual(done.sort(), ['first', 'second', 'third']);
    assert.equal(flushes.length, 2);
  });
});

describe('KafkaProducer delivery failures', () => {
  it('a record failing while several callers flush fails every one of them, not only the first to look', async () => {
    const { mod, flushes, report } = fakeProducerModule();
    const producer = await KafkaProducer.create(mod, { clientId: 'p' }, {}, noOffsets);
    const outcomes = [producer.flush(), producer.flush()].map((p) => p.then(() => 'ok', (e: unknown) => String(e)));
    await turns(2);
    report(Object.assign(new Error('Local: Message timed out'), { code: -192 }));
    flushes[0]!();
    await turns(4);
    flushes[1]!();
    const [first, second] = await Promise.all(outcomes);
    assert.match(first!, /delivering to orders: Local: Message timed out/);
    assert.match(second!, /delivering to orders: Local: Message timed out/, 'the second caller hears of it too');
    // Reported: a later flush with no new failure succeeds.
    const later = producer.flush();
    await turns(2);
    flushes[2]!();
    await later;
  });
});

describe('closing a client with a call in flight', () => {
  it('the producer disconnects only after its flush has answered', async () => {
    const { mod, flushes, disconnects } = fakeProducerModule();
    const producer = await KafkaProducer.create(mod, { clientId: 'p' }, {}, noOffsets);
    const flushing = producer.flush();
    await turns(2);
    let closed = false;
    const closing = producer.close().then(() => (closed = true));
    await turns(4);
    assert.equal(closed, false);
    assert.deepEqual(disconnects, [], 'no disconnect while the flush holds the handle');
    flushes[0]!();
    await Promise.all([flushing, closing]);
    assert.deepEqual(disconnects, [1]);
  });

  it('CallsInFlight says when the last call answered, or that one still runs after the timeout', async () => {
    const calls = new CallsInFlight();
    assert.equal(await calls.settled(0), true, 'nothing in flight');
    let answer: (v: number) => void = () => undefined;
    const tracked = calls.track(new Promise<number>((resolve) => (answer = resolve)));
    const failed = calls.track(Promise.reject(new Error('timed out')));
    await assert.rejects(failed, /timed out/);
    assert.equal(calls.size, 1);
    assert.equal(await calls.settled(20), false, 'one call has not answered');
    const settled = calls.settled(5_000);
    answer(7);
    assert.equal(await tracked, 7);
    assert.equal(await settled, true);
    assert.equal(calls.size, 0);
  });
});
