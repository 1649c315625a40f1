/** Standby replicas: a warm copy on a second instance makes a task move without replaying its changelog. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { testBackends, uniqueName } from '../support/backends.js';
import { consumeUntil, latest, produce, quietLogger, tempDir } from './harness.js';

const S = Serdes.string();
const L = Serdes.long();

async function until(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const target of testBackends()) {
  describe(`standby replicas on ${target.name}`, () => {
    it('keeps a warm copy on the other instance and promotes it when the owner leaves', async () => {
      const backend = await target.create();
      const dirs = [tempDir('sb-a'), tempDir('sb-b')];
      const [input, output] = [uniqueName('sb-in'), uniqueName('sb-out')];
      const admin = backend.admin();
      await admin.createTopics([input, output].map((name) => ({ name, numPartitions: 1 })));
      await admin.close();
      const applicationId = uniqueName('sb-app');
      const app = (i: number): KafkaStreams => {
        const b = new StreamsBuilder();
        b.stream<string, string>(input, { keySerde: S, valueSerde: S })
          .groupByKey()
          .count({ storeName: 'counts' })
          .toStream()
          .to(output, { keySerde: S, valueSerde: L });
        return new KafkaStreams(b.build(), {
          applicationId,
          backend,
          stateDir: dirs[i]?.path,
          commitIntervalMs: 100,
          numStandbyReplicas: 1,
          applicationServer: `127.0.0.1:${40001 + i}`,
          sessionTimeoutMs: 6000,
          logger: quietLogger,
        });
      };
      const apps = [app(0), app(1)];
      try {
        for (const a of apps) await a.start();
        const owner = (): KafkaStreams | undefined => apps.find((a) => a.metrics().tasks.includes('0_0'));
        const holder = (): KafkaStreams | undefined => apps.find((a) => a.metrics().standbyTasks.includes('0_0'));
        await until('one active task and one standby', () => owner() !== undefined && holder() !== undefined && owner() !== holder());
        const [active, standby] = [owner() as KafkaStreams, holder() as KafkaStreams];
        const n = 700;
        await produce(backend, input, S, S, Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: 'x' })));
        await consumeUntil(backend, output, S, L, (rs) => latest(rs).size === n);
        await until('the standby to catch up', () => standby.metrics().standbyRecordsApplied >= n);
        // Interactive-query metadata names the standby's host for the task's keys.
        await until('the standby to be announced', () => active.queryMetadataForKey('counts', 'k1', S).standbyHosts.length === 1);
        assert.deepEqual(active.queryMetadataForKey('counts', 'k1', S).standbyHosts, [standby.applicationServer]);
        await active.close();
        await until('the standby to take over', () => standby.state === 'RUNNING' && standby.metrics().tasks.includes('0_0'));
        // The warm copy was handed over with its checkpoint: nothing (or only a tail) came from the changelog.
        assert.ok(standby.metrics().restoredRecords < n, `restored ${standby.metrics().restoredRecords} of ${n}`);
        console.log(`promoted standby restored ${standby.metrics().restoredRecords} of ${n} changelog records`);
        await produce(backend, input, S, S, [{ key: 'k1', value: 'x' }]);
        const out = await consumeUntil(backend, output, S, L, (rs) => latest(rs).get('k1') === 2);
        assert.equal(latest(out).get('k1'), 2, 'state carried over correctly');
      } finally {
        for (const a of apps) await a.close();
        await backend.close();
        for (const d of dirs) d.remove();
      }
    });
  });
}
