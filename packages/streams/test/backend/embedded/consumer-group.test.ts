import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEmbeddedBackend } from '../../../src/backend/embedded/index.js';
import { CommitFailedError, type Backend, type Consumer } from '../../../src/backend/port.js';
import { b, fmt, pollAllUntil, recordingListener, str } from './helpers.js';

async function groupConsumer(backend: Backend, clientId: string, extra: { maxPollIntervalMs?: number } = {}): Promise<Consumer> {
  return backend.createConsumer({
    clientId,
    groupId: 'g',
    isolationLevel: 'read_uncommitted',
    autoOffsetReset: 'earliest',
    ...extra,
  });
}

test('three members get range assignments of co-partitioned topics; callbacks revoke everywhere before assigning', async () => {
  const backend = createEmbeddedBackend();
  await backend.admin().createTopics([
    { name: 'left', numPartitions: 4 },
    { name: 'right', numPartitions: 4 },
  ]);
  const events: string[] = [];
  const c1 = await groupConsumer(backend, 'c1');
  const l1 = recordingListener('c1', events);
  await c1.subscribe(['left', 'right'], l1);
  await c1.poll(10, 0);
  assert.equal(fmt(l1.owned), 'left-0,left-1,left-2,left-3,right-0,right-1,right-2,right-3');
  assert.equal(c1.groupMetadata().generationId, 1);

  const c2 = await groupConsumer(backend, 'c2');
  const c3 = await groupConsumer(backend, 'c3');
  const l2 = recordingListener('c2', events);
  const l3 = recordingListener('c3', events);
  await c2.subscribe(['left', 'right'], l2);
  await c3.subscribe(['left', 'right'], l3);
  events.length = 0;
  const consumers = [c1, c2, c3];
  await pollAllUntil(consumers, () => l1.owned.length + l2.owned.length + l3.owned.length === 8 && consumers.every((c) => c.groupMetadata().generationId >= 2));

  assert.equal(fmt(l1.owned), 'left-0,left-1,right-0,right-1');
  assert.equal(fmt(l2.owned), 'left-2,right-2');
  assert.equal(fmt(l3.owned), 'left-3,right-3');
  const firstAssign = events.findIndex((e) => e.includes(':assigned:'));
  const revokes = events.filter((e) => e.includes(':revoked:'));
  assert.ok(revokes.length >= 1 && events.indexOf(revokes.at(-1)!) < firstAssign, events.join(' | '));
  assert.equal(new Set(consumers.map((c) => c.groupMetadata().generationId)).size, 1);
  await Promise.all(consumers.map((c) => c.close()));
  await backend.close();
});

test('offsets committed in onPartitionsRevoked are where the next owner starts', async () => {
  const backend = createEmbeddedBackend();
  await backend.admin().createTopics([{ name: 't', numPartitions: 2 }]);
  const producer = await backend.createProducer({ clientId: 'p' });
  for (let i = 0; i < 10; i++) producer.send({ topic: 't', partition: i % 2, key: null, value: b(`r${i}`) });
  await producer.flush();

  const events: string[] = [];
  const c1 = await groupConsumer(backend, 'c1');
  // The revoke callback is slow: the second member must not get a partition before it completes.
  const l1 = recordingListener('c1', events, async (tps) => {
    await new Promise((r) => setTimeout(r, 30));
    await c1.commit(tps.map((tp) => ({ ...tp, offset: c1.position(tp) })));
  });
  await c1.subscribe(['t'], l1);
  const first = await c1.poll(3, 1000);
  assert.equal(first.length, 3);

  const c2 = await groupConsumer(backend, 'c2');
  const l2 = recordingListener('c2', events);
  await c2.subscribe(['t'], l2);
  const rest = await pollAllUntil([c1, c2], () => l2.owned.length === 1 && l1.owned.length === 1);
  const seen = [...first, ...rest];
  for (let k = 0; k < 5 && seen.length < 10; k++) seen.push(...(await c1.poll(100, 10)), ...(await c2.poll(100, 10)));
  // Every record exactly once: the new owner resumed from the committed position.
  assert.deepEqual(seen.map((r) => str(r.value)).sort(), Array.from({ length: 10 }, (_, i) => `r${i}`).sort());
  assert.ok(events.indexOf('c1:revoked:t-0,t-1') < events.indexOf('c2:assigned:t-1'), events.join(' | '));
  const committed = await c2.committed([{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }]);
  assert.ok(committed.every((o) => o.offset >= 1), JSON.stringify(committed));
  await Promise.all([c1.close(), c2.close()]);
  await backend.close();
});

test('close() leaves the group: the remaining member gets every partition', async () => {
  const backend = createEmbeddedBackend();
  await backend.admin().createTopics([{ name: 't', numPartitions: 3 }]);
  const events: string[] = [];
  const c1 = await groupConsumer(backend, 'c1');
  const c2 = await groupConsumer(backend, 'c2');
  const l1 = recordingListener('c1', events);
  const l2 = recordingListener('c2', events);
  await c1.subscribe(['t'], l1);
  await c2.subscribe(['t'], l2);
  await pollAllUntil([c1, c2], () => l1.owned.length + l2.owned.length === 3);
  assert.equal(fmt(l2.owned), 't-2');
  await c2.close();
  assert.equal(events.at(-1), 'c2:revoked:t-2');
  await c1.poll(10, 500);
  assert.equal(fmt(l1.owned), 't-0,t-1,t-2');
  await c1.close();
  await backend.close();
});

test('a member that stops polling is dropped; its late commit fails and its partitions are lost', async () => {
  const backend = createEmbeddedBackend();
  await backend.admin().createTopics([{ name: 't', numPartitions: 2 }]);
  const events: string[] = [];
  const slow = await groupConsumer(backend, 'a-slow', { maxPollIntervalMs: 100 });
  const fast = await groupConsumer(backend, 'b-fast');
  const ls = recordingListener('slow', events);
  const lf = recordingListener('fast', events);
  await slow.subscribe(['t'], ls);
  await fast.subscribe(['t'], lf);
  await pollAllUntil([slow, fast], () => ls.owned.length === 1 && lf.owned.length === 1);
  const staleMeta = slow.groupMetadata();
  // Only `fast` keeps polling; `slow` exceeds max.poll.interval.ms and is removed.
  for (let i = 0; i < 40 && lf.owned.length < 2; i++) await fast.poll(10, 50);
  assert.equal(fmt(lf.owned), 't-0,t-1');
  await assert.rejects(slow.commit([{ topic: 't', partition: 0, offset: 1 }]), CommitFailedError);
  assert.ok(staleMeta.generationId < fast.groupMetadata().generationId);
  // On its next poll the dropped member learns it lost its partitions, then rejoins.
  await Promise.all([slow.poll(10, 300), fast.poll(10, 300)]);
  assert.ok(events.includes('slow:lost:t-0'), events.join(' | '));
  await Promise.all([slow.close(), fast.close()]);
  await backend.close();
});

test('a pattern subscription picks up topics created later (whole-name match)', async () => {
  const backend = createEmbeddedBackend();
  await backend.admin().createTopics([
    { name: 'orders-eu', numPartitions: 1 },
    { name: 'old-orders-1', numPartitions: 1 },
  ]);
  const events: string[] = [];
  const c = await groupConsumer(backend, 'c1');
  const l = recordingListener('c', events);
  await c.subscribe(/orders-.+/, l);
  await c.poll(10, 0);
  assert.equal(fmt(l.owned), 'orders-eu-0');
  const producer = await backend.createProducer({ clientId: 'p' });
  await backend.admin().createTopics([{ name: 'orders-us', numPartitions: 2 }]);
  producer.send({ topic: 'orders-us', partition: 1, key: null, value: b('hello') });
  const records = await pollAllUntil([c], () => l.owned.length === 3);
  const more = records.length > 0 ? records : await c.poll(10, 500);
  assert.equal(fmt(l.owned), 'orders-eu-0,orders-us-0,orders-us-1');
  assert.deepEqual(more.map((r) => str(r.value)), ['hello']);
  await c.close();
  await backend.close();
});

test('commit and committed; a group-less consumer cannot commit', async () => {
  const backend = createEmbeddedBackend();
  await backend.admin().createTopics([{ name: 't', numPartitions: 1 }]);
  const c = await groupConsumer(backend, 'c1');
  await c.subscribe(['t'], recordingListener('c', []));
  await c.poll(1, 0);
  await c.commit([{ topic: 't', partition: 0, offset: 7 }]);
  assert.deepEqual(await c.committed([{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }]), [
    { topic: 't', partition: 0, offset: 7 },
    { topic: 't', partition: 1, offset: -1 },
  ]);
  const loner = await backend.createConsumer({ clientId: 'x', isolationLevel: 'read_uncommitted', autoOffsetReset: 'earliest' });
  await assert.rejects(loner.commit([{ topic: 't', partition: 0, offset: 1 }]));
  await c.close();
  await backend.close();
});

test('a static member that comes back takes over its assignment without a rebalance', async () => {
  const backend = createEmbeddedBackend();
  await backend.admin().createTopics([{ name: 't', numPartitions: 2 }]);
  const options = { groupId: 'g', isolationLevel: 'read_uncommitted', autoOffsetReset: 'earliest' } as const;
  const a = await backend.createConsumer({ ...options, clientId: 'a', groupInstanceId: 'instance-a' });
  const other = await backend.createConsumer({ ...options, clientId: 'b', groupInstanceId: 'instance-b' });
  const la = recordingListener('a', []);
  const lb = recordingListener('b', []);
  await a.subscribe(['t'], la);
  await other.subscribe(['t'], lb);
  await pollAllUntil([a, other], () => la.owned.length === 1 && lb.owned.length === 1);
  const generation = other.groupMetadata().generationId;
  await a.close();
  const back = await backend.createConsumer({ ...options, clientId: 'a', groupInstanceId: 'instance-a' });
  const lBack = recordingListener('back', []);
  await back.subscribe(['t'], lBack);
  await Promise.all([back.poll(10, 100), other.poll(10, 0)]);
  assert.equal(fmt(lBack.owned), 't-0');
  assert.equal(fmt(lb.owned), 't-1');
  assert.equal(back.groupMetadata().generationId, generation);
  assert.equal(other.groupMetadata().generationId, generation);
  await Promise.all([back.close(), other.close()]);
  await backend.close();
});

test('a poll waiting for records returns empty when its consumer is closed', async () => {
  const backend = createEmbeddedBackend();
  await backend.admin().createTopics([{ name: 't', numPartitions: 1 }]);
  const c = await groupConsumer(backend, 'c1');
  await c.subscribe(['t'], recordingListener('c', []));
  await c.poll(1, 0);
  const waiting = c.poll(10, 30000);
  await c.close();
  assert.deepEqual(await waiting, []);
  await backend.close();
});
