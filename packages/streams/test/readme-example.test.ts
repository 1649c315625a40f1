import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { ThreadMetadata } from '../src/index.js';
import { wordCount } from '../examples/word-count.js';
import { kafkaBootstrapServers } from './support/backends.js';

// The README's example must keep working, on the embedded log and (when a broker is there) on Kafka.
describe('README example', () => {
  for (const servers of [undefined, kafkaBootstrapServers].filter((s, i) => i === 0 || s !== undefined)) {
    it(`counts words on ${servers ? 'kafka' : 'the embedded log'}`, async () => {
      const counts = await wordCount(['the quick brown fox', 'jumps over the lazy dog'], servers);
      assert.equal(counts.get('the'), 2);
      assert.equal(counts.get('fox'), 1);
      assert.equal(counts.size, 8);
    });
  }
});

const run = promisify(execFile);

// The README's stream-threads example, as its own process (on Kafka its second thread runs in a worker thread that
// runs the example's module again).
describe('README stream-threads example', () => {
  for (const servers of [undefined, kafkaBootstrapServers].filter((s, i) => i === 0 || s !== undefined)) {
    it(`spreads the tasks over two threads on ${servers ? 'kafka' : 'the embedded log'}`, async () => {
      const script = fileURLToPath(new URL('../examples/stream-threads.ts', import.meta.url));
      const env: NodeJS.ProcessEnv = { ...process.env };
      delete env['NODE_TEST_CONTEXT'];
      if (servers) env['KAFKA_BOOTSTRAP_SERVERS'] = servers;
      else delete env['KAFKA_BOOTSTRAP_SERVERS'];
      const { stdout } = await run(process.execPath, ['--import', 'tsx', script], { env, timeout: 180_000 });
      const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { threads: ThreadMetadata[]; the: number; words: number };
      assert.equal(report.the, 3);
      assert.equal(report.words, 9);
      assert.deepEqual(
        report.threads.map((t) => t.threadName.replace(/^.*-StreamThread-/, '')),
        ['1', '2'],
      );
      for (const t of report.threads) assert.ok(t.activeTasks.length > 0, `${t.threadName} has no task`);
      assert.equal(report.threads.flatMap((t) => t.activeTasks).length, 8);
    });
  }
});
