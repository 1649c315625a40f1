/**
 * Retriable errors never stop an app: a broker restarted mid-stream (both guarantees), and on a three-broker cluster
 * (replication 3, min ISR 2) a broker SIGKILLed mid-stream and brought back. That case once found a transactional
 * call of librdkafka that never answered (the app RUNNING, no progress, no error): client calls now have a deadline
 * past their own timeout, and stalled fetches are recovered from (runtime/progress-watch.ts). Each case starts its own broker(s) from
 * tools/kafka/kafka.sh on free ports, so restarting them disturbs no other suite. The longest pause in processing is
 * printed with each case. A broker frozen for 25 s (SIGSTOP) and woken again is the last case.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Backend } from '../../src/backend/port.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { kafkaBootstrapServers, uniqueName } from '../support/backends.js';
import type { Logger } from '../../src/runtime/config.js';
import { consumeUntil, tempDir } from '../integration/harness.js';

const S = Serdes.string();
const L = Serdes.long();
/** What the app logs at info and above, kept for the failure message (and shown live with BROKER_TEST_LOG=1). */
function recordingLogger(lines: string[]): Logger {
  const record =
    (level: string) =>
    (o: object, m?: string): void => {
      const line = `${new Date().toISOString()} ${level} ${m ?? ''} ${JSON.stringify(o)}`;
      lines.push(line);
      if (process.env['BROKER_TEST_LOG']) console.error(line);
    };
  return { info: record('INFO'), warn: record('WARN'), error: record('ERROR'), debug: () => undefined };
}

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
const script = join(root, 'tools', 'kafka', 'kafka.sh');

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const srv = createServer();
    srv.once('error', () => done(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => done(true)));
  });
}

/** A broker (or cluster) of this test's own, on the first free run of ports from `from`. */
class OwnCluster {
  private constructor(
    readonly port: number,
    readonly brokers: number,
    readonly dataDir: string,
  ) {}

  static async start(brokers: 1 | 3, from: number, dataDir: string): Promise<OwnCluster> {
    for (let port = from; port < from + 400; port += 2 * brokers) {
      const ports = Array.from({ length: 2 * brokers }, (_, i) => port + i);
      if ((await Promise.all(ports.map(portFree))).every(Boolean)) {
        const cluster = new OwnCluster(port, brokers, dataDir);
        try {
          await cluster.run('start');
        } catch (error) {
          await cluster.run('stop').catch(() => undefined);
          throw error;
        }
        return cluster;
      }
    }
    throw new Error('no free ports for a test broker');
  }

  get bootstrapServers(): string {
    return Array.from({ length: this.brokers }, (_, i) => `127.0.0.1:${this.port + 2 * i}`).join(',');
  }

  /** Runs kafka.sh without blocking the event loop (the app under test keeps running meanwhile). */
  run(command: 'start' | 'stop' | 'restart'): Promise<void> {
    return new Promise((done, fail) => {
      const child = spawn('bash', [script, command], {
        env: { ...process.env, KAFKA_PORT: String(this.port), KAFKA_BROKERS: String(this.brokers), KAFKA_DATA_DIR: this.dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`kafka.sh ${command} failed (${code}):\n${output}`))));
    });
  }

  signalNode(n: number, signal: 'SIGKILL' | 'SIGSTOP' | 'SIGCONT'): void {
    const pid = Number(readFileSync(join(this.dataDir, `node-${n}`, 'kafka.pid'), 'utf8').trim());
    process.kill(pid, signal);
  }
}

async function kafkaBackend(bootstrapServers: string): Promise<Backend> {
  const { createKafkaBackend } = await import('../../src/backend/kafka/index.js');
  return createKafkaBackend({ bootstrapServers });
}

/** Measures the longest stretch without progress of `processed()` while running. */
class PauseMeter {
  private last = 0;
  private lastChange = Date.now();
  longestMs = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(processed: () => number) {
    this.timer = setInterval(() => {
      const now = Date.now();
      const n = processed();
      if (n !== this.last) {
        this.longestMs = Math.max(this.longestMs, now - this.lastChange);
        this.last = n;
        this.lastChange = now;
      }
    }, 50);
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

interface Case {
  readonly name: string;
  readonly brokers: 1 | 3;
  readonly guarantee: 'exactly_once_v2' | 'at_least_once';
  /** What happens to the cluster mid-stream. */
  readonly fault: (cluster: OwnCluster) => Promise<void>;
}

const cases: Case[] = [
  { name: 'a broker restart, exactly-once: output exact', brokers: 1, guarantee: 'exactly_once_v2', fault: (c) => c.run('restart') },
  { name: 'a broker restart, at-least-once: nothing lost', brokers: 1, guarantee: 'at_least_once', fault: (c) => c.run('restart') },
  {
    name: 'three brokers, one SIGKILLed and brought back, exactly-once: output exact',
    brokers: 3,
    guarantee: 'exactly_once_v2',
    fault: async (c) => {
      c.signalNode(2, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 3_000));
      await c.run('start');
    },
  },
  {
    // A JVM that stops dead (a long GC pause, a starved or suspended host): no connection is closed, every request
    // goes unanswered, and on waking the broker finds its own controller session expired and fences itself before it
    // leads its partitions again. Meanwhile it answers Metadata with topics and no broker, on which librdkafka used to
    // drop every broker it knew (tools/librdkafka/metadata-without-brokers.patch): this case then failed on its own
    // input producer, whose records timed out after 120 s, and the shop's stream threads timed out in committed().
    name: 'a broker frozen for 25 s (SIGSTOP, then SIGCONT), exactly-once: output exact',
    brokers: 1,
    guarantee: 'exactly_once_v2',
    fault: async (c) => {
      c.signalNode(1, 'SIGSTOP');
      try {
        await new Promise((r) => setTimeout(r, 25_000));
      } finally {
        c.signalNode(1, 'SIGCONT');
      }
    },
  },
];

if (kafkaBootstrapServers) {
  describe('retriable errors on a real cluster', { timeout: 1_200_000, concurrency: 1 }, () => {
    for (const tc of cases) {
      it(tc.name, async () => {
        // Everything this case starts is stopped whatever fails, in reverse order: a broker or a client left
        // running would keep this test file's process alive.
        const cleanup: Array<() => unknown> = [];
        try {
          await runCase(tc, cleanup);
        } finally {
          for (const step of cleanup.reverse()) {
            try {
              await step();
            } catch {
              // Cleaning up as much as possible; the test's own failure (if any) is what gets reported.
            }
          }
        }
      });
    }
  });
}

/** One case: its own cluster, an app counting through a repartition topic, the fault mid-stream, the output checked. */
async function runCase(tc: Case, cleanup: Array<() => unknown>): Promise<void> {
  const total = 40_000;
  const keys = 1000;
  const data = tempDir('broker');
  cleanup.push(() => data.remove());
  const state = tempDir('broker-state');
  cleanup.push(() => state.remove());
  const cluster = await OwnCluster.start(tc.brokers, 29300, data.path);
  cleanup.push(() => cluster.run('stop'));
  const backend = await kafkaBackend(cluster.bootstrapServers);
  cleanup.push(() => backend.close());
  const [input, output] = [uniqueName('br-in'), uniqueName('br-out')];
  const admin = backend.admin();
  cleanup.push(() => admin.close());
  // A cluster that just opened its ports may still be electing a controller or registering brokers.
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.createTopics([input, output].map((name) => ({ name, numPartitions: 4 })));
      // Created is not yet known everywhere: wait until the metadata shows both topics whole.
      const seen = await admin.describeTopics([input, output]);
      if (seen.get(input) === 4 && seen.get(output) === 4) break;
      throw new Error(`topics not visible yet (${JSON.stringify([...seen])})`);
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
  const logLines: string[] = [];
  const builder = new StreamsBuilder();
  builder
    .stream<string, string>(input, { keySerde: S, valueSerde: S })
    // groupBy, not groupByKey: the records go through a repartition topic, written and read across the fault.
    .groupBy((key) => key, { keySerde: S, valueSerde: S })
    .count()
    .toStream()
    .to(output, { keySerde: S, valueSerde: L });
  const app = new KafkaStreams(builder.build(), {
    applicationId: uniqueName('br-app'),
    bootstrapServers: cluster.bootstrapServers,
    stateDir: state.path,
    processingGuarantee: tc.guarantee,
    commitIntervalMs: tc.guarantee === 'exactly_once_v2' ? 100 : 1000,
    logger: recordingLogger(logLines),
  });
  cleanup.push(() => app.close());
  const meter = new PauseMeter(() => app.metrics().processedRecords);
  cleanup.push(() => meter.stop());
  await app.start();
  await app.waitForRunning(90_000);
  const producer = await backend.createProducer({ clientId: 'br-producer' });
  cleanup.push(() => producer.close());
  let faultMs = 0;
  for (let b = 0; b * 1000 < total; b++) {
    for (let i = b * 1000; i < (b + 1) * 1000; i++) {
      producer.send({ topic: input, key: Buffer.from(`k${i % keys}`), value: Buffer.from(String(i)) });
    }
    await producer.flush();
    if (b === 10) {
      const started = Date.now();
      await tc.fault(cluster);
      faultMs = Date.now() - started;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const expected = total / keys;
  let seen = 0;
  const out = await consumeUntil(
    backend,
    output,
    S,
    L,
    (rs) => {
      seen = rs.length;
      const latest = new Map<string, number>();
      for (const r of rs) if (r.key !== null && r.value !== null) latest.set(r.key, Math.max(latest.get(r.key) ?? 0, r.value));
      return latest.size === keys && [...latest.values()].every((v) => v >= expected);
    },
    240_000,
  ).catch((error: unknown) => {
    // Say what the app went through, not the records read so far.
    const m = app.metrics();
    throw new Error(
      `output incomplete after the fault (${seen} records read; app ${m.state}, processed ${m.processedRecords}, ` +
        `${m.retriableErrors} retriable errors, ${m.recoveries} recoveries, ${m.commits} commits; tasks ${m.tasks.join(',')}; ` +
        `lag ${JSON.stringify(m.lag)}). App log:\n${logLines.slice(-40).join('\n')}`,
      { cause: error },
    );
  });
  assert.notEqual(app.state, 'ERROR');
  const m = app.metrics();
  console.log(
    `${tc.name}: fault took ${faultMs} ms; longest processing pause ${meter.longestMs} ms; ` +
      `${m.retriableErrors} retriable errors, ${m.recoveries} recoveries`,
  );
  const byKey = new Map<string, number[]>();
  for (const r of out) if (r.key !== null && r.value !== null) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r.value]);
  if (tc.guarantee === 'exactly_once_v2') {
    // Exact: each key's counts are 1..expected, once each — no duplicate, no gap.
    assert.equal(out.length, total, `output has ${out.length} records for ${total} inputs`);
    for (const [key, seq] of byKey) assert.deepEqual(seq, Array.from({ length: expected }, (_, i) => i + 1), `counts of ${key}`);
  } else {
    for (const [key, seq] of byKey) assert.ok(Math.max(...seq) >= expected, `${key} lost records: ${Math.max(...seq)}`);
  }
}
