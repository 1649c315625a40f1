/**
 * The supervisor: an app that reaches ERROR is closed and replaced by a fresh one after a back-off, `/health` names
 * the failing service and why while it is down, and `/metrics` counts the restarts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createEmbeddedBackend, KafkaStreams, Serdes, StreamsBuilder } from '@tributary/streams';
import { buildServer } from '../src/http/server.js';
import type { TopicWriter } from '../src/http/topic-writer.js';
import { SupervisedApp } from '../src/services/supervisor.js';
import { standaloneApiDeps } from './standalone-api.js';
import { quietLogger, readRawTopic, tempDir, writeRaw } from './support.js';

async function eventually<T>(read: () => T, done: (value: T) => boolean, waitMs = 30_000): Promise<T> {
  const deadline = Date.now() + waitMs;
  let value = read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
    value = read();
  }
  return value;
}

describe('supervised apps', () => {
  it('replaces an app that failed, with back-off, and reports why while it is down', async () => {
    const dir = tempDir('supervisor');
    const backend = createEmbeddedBackend({ dataDir: join(dir.path, 'log') });
    const admin = backend.admin();
    await admin.createTopics([
      { name: 'in', numPartitions: 1 },
      { name: 'out', numPartitions: 1 },
    ]);
    await admin.close();
    // The first app meets a record it cannot process (and, unlike the shop's services, fails on it).
    let failuresLeft = 1;
    const create = (): KafkaStreams => {
      const builder = new StreamsBuilder();
      builder
        .stream<string, string>('in', { keySerde: Serdes.string(), valueSerde: Serdes.string() })
        .mapValues((v) => {
          if (v === 'poison' && failuresLeft > 0) {
            failuresLeft -= 1;
            throw new Error('poison record');
          }
          return v.toUpperCase();
        })
        .to('out', { keySerde: Serdes.string(), valueSerde: Serdes.string() });
      return new KafkaStreams(builder.build(), { applicationId: 'supervised', backend, stateDir: join(dir.path, 'state'), logger: quietLogger, commitIntervalMs: 20 });
    };
    const supervised = new SupervisedApp('demo', create, quietLogger, { initialMs: 200, maxMs: 400, stableMs: 60_000 });
    const services = new Map([['demo', supervised]]);
    // The health and metrics routes write nothing.
    const server = buildServer(standaloneApiDeps({} as TopicWriter, services), quietLogger);
    try {
      await supervised.start();
      await supervised.waitForRunning();
      const first = supervised.app;
      await writeRaw(backend, 'in', 'k', 'poison');
      // Down: /health says which service and why.
      await eventually(() => supervised.failure, (f) => f !== undefined);
      const down = await server.inject({ method: 'GET', url: '/health' });
      assert.equal(down.statusCode, 503);
      const body = down.json() as { status: string; failing: Record<string, { reason: string; restarts: number }> };
      assert.equal(body.status, 'DOWN');
      assert.match(body.failing['demo']?.reason ?? '', /poison record/);

      // A fresh app takes over: nothing was committed past the failing record, so it processes that record again
      // (the fault was transient), then what comes next.
      await supervised.waitForRunning(30_000);
      await writeRaw(backend, 'in', 'k', 'after');
      const out = await readRawTopic(backend, 'out', (rs) => rs.some((r) => r.value?.toString('utf8') === 'AFTER'), 30_000);
      assert.deepEqual(
        out.map((r) => r.value?.toString('utf8')),
        ['POISON', 'AFTER'],
      );
      assert.equal(supervised.restarts, 1);
      assert.notEqual(supervised.app, first);
      assert.equal(first.state, 'ERROR');
      const up = await server.inject({ method: 'GET', url: '/health' });
      assert.equal(up.statusCode, 200);
      assert.equal((up.json() as { failing?: unknown }).failing, undefined);
      const metrics = await server.inject({ method: 'GET', url: '/metrics' });
      assert.match(metrics.body, /shop_service_restarts_total\{service="demo"\} 1/);
    } finally {
      await supervised.close();
      await backend.close();
      dir.remove();
    }
  });

  it('backs off exponentially up to the cap while the app cannot even be created', async () => {
    const attempts: number[] = [];
    const supervised = new SupervisedApp(
      'never',
      () => {
        attempts.push(Date.now());
        throw new Error('cannot create');
      },
      quietLogger,
      { initialMs: 40, maxMs: 160, stableMs: 60_000 },
    );
    try {
      await assert.rejects(supervised.start(), /cannot create/);
      await eventually(() => attempts.length, (n) => n >= 6, 10_000);
    } finally {
      await supervised.close();
    }
    const gaps = attempts.slice(1, 6).map((t, i) => t - (attempts[i] ?? t));
    // Timers never fire early (a millisecond of rounding aside): each gap is at least its back-off.
    [40, 80, 160, 160, 160].forEach((delay, i) => assert.ok((gaps[i] ?? 0) >= delay - 2, `gap ${i}: ${gaps[i]} ms, back-off ${delay} ms`));
    assert.equal(supervised.restarts, attempts.length - 1);
    assert.match(supervised.failure?.reason ?? '', /cannot create/);
    const settled = attempts.length;
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(attempts.length, settled, 'no attempt after close');
  });
});
