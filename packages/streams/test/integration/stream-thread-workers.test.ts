/**
 * `numStreamThreads` on Kafka with threads in worker threads: an application process (test/fixtures/threads-app.ts)
 * runs thread 1 in its main thread and thread 2 in a worker that runs the module again. The group spreads the tasks
 * over both; the output of a count over four partitions is exact under exactly-once; the main thread's queries,
 * metrics and clean close cover the worker's tasks. Real broker only (the embedded log runs threads in-process).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Serdes } from '../../src/serde/serdes.js';
import type { ThreadMetadata } from '../../src/runtime/stream-threads.js';
import { kafkaBootstrapServers, testBackends, uniqueName } from '../support/backends.js';
import { consumeUntil, latest, produce, tempDir } from './harness.js';

const S = Serdes.string();
const L = Serdes.long();
const TASKS = ['0_0', '0_1', '0_2', '0_3'];
const KEYS = Array.from({ length: 24 }, (_, i) => `k${i}`);
/** Arguments the application process is started with; the worker must see them too (apps read their settings there). */
const APP_ARGS = ['--profile', '{"threads":2}'];
const expectedCount = (key: string): number => (Number(key.slice(1)) % 3) + 1;
const INPUT = KEYS.flatMap((key) => Array.from({ length: expectedCount(key) }, () => ({ key, value: 'x' })));

interface Report {
  readonly event: 'report';
  readonly state: string;
  readonly threads: ThreadMetadata[];
  readonly counts: Record<string, number | null>;
  readonly all: number;
  readonly entries: number;
  readonly partitions: number[];
  readonly metrics: { tasks: string[]; processedRecords: number; commits: number; threadReplacements: number };
  readonly handled: string[];
}

/** The application process and the messages it sent. */
class AppProcess {
  private readonly child: ChildProcess;
  private readonly messages: Array<{ event: string }> = [];
  private readonly waiters: Array<() => void> = [];
  readonly exit: Promise<number | null>;

  constructor(env: Record<string, string>) {
    const script = fileURLToPath(new URL('../fixtures/threads-app.ts', import.meta.url));
    // Not a test file: the application process runs its threads in workers, as in production.
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    delete childEnv['NODE_TEST_CONTEXT'];
    this.child = spawn(process.execPath, ['--import', 'tsx', script, ...APP_ARGS], { env: childEnv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: { event: string }) => {
      this.messages.push(m);
      for (const w of this.waiters.splice(0)) w();
    });
    this.exit = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  async next<T extends { event: string }>(event: string, timeoutMs = 180_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.messages.findIndex((m) => m.event === event);
      if (i >= 0) return this.messages.splice(i, 1)[0] as T;
      if (Date.now() > deadline || this.child.exitCode !== null) throw new Error(`no "${event}" from the application process`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 500);
      });
    }
  }

  send(command: string): void {
    this.child.send({ command });
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

// Like the other real-broker suites: present when the test runner has a broker (it fails in CI when it has none).
for (const kafka of testBackends().filter((b) => b.name === 'kafka')) {
  describe('stream threads in worker threads on kafka', () => {
    /** Starts the application process, produces the input and checks the exact output; then `check` looks on. */
    async function run(env: Record<string, string>, check: (app: AppProcess, dir: string, applicationId: string) => Promise<void>): Promise<void> {
      const backend = await kafka.create();
      const dir = tempDir('thread-workers');
      const [input, output, applicationId] = [uniqueName('tw-in'), uniqueName('tw-out'), uniqueName('tw-app')];
      const admin = backend.admin();
      await admin.createTopics([
        { name: input, numPartitions: 4 },
        { name: output, numPartitions: 1 },
      ]);
      await admin.close();
      const app = new AppProcess({
        KAFKA_BOOTSTRAP_SERVERS: kafkaBootstrapServers as string,
        THREADS_APP_ID: applicationId,
        THREADS_INPUT: input,
        THREADS_OUTPUT: output,
        THREADS_STATE_DIR: dir.path,
        THREADS_KEYS: KEYS.join(','),
        ...env,
      });
      try {
        await app.next('running');
        await produce(backend, input, S, S, INPUT);
        const records = await consumeUntil(backend, output, S, L, (rs) => {
          const table = latest(rs);
          return KEYS.every((k) => table.get(k) === expectedCount(k));
        }, 120_000);
        // Exactly once: each key's counts once, in order.
        for (const key of KEYS) {
          assert.deepEqual(
            records.filter((r) => r.key === key).map((r) => r.value),
            Array.from({ length: expectedCount(key) }, (_, i) => i + 1),
            `counts of ${key}`,
          );
        }
        await check(app, dir.path, applicationId);
      } finally {
        app.kill();
        await backend.close();
        dir.remove();
      }
    }

    it('thread 2 runs in a worker; exact output, queries, metrics and a clean close cover both threads', async () => {
      await run({}, async (app, dir, applicationId) => {
        assert.equal(workerMarks(dir), 1, 'one worker thread hosts a stream thread');
        assert.deepEqual(workerArgv(dir), APP_ARGS, "the worker sees the process's command line");
        app.send('report');
        const report = await app.next<Report>('report');
        assert.equal(report.state, 'RUNNING');
        assertBothThreadsWork(report);
        // The main thread's store view answers for the worker's tasks too.
        assert.deepEqual(report.counts, Object.fromEntries(KEYS.map((k) => [k, expectedCount(k)])));
        assert.deepEqual([...new Set(report.partitions)].sort(), [0, 1, 2, 3]);
        assert.equal(report.all, KEYS.length);
        assert.equal(report.entries, KEYS.length);
        assert.ok(report.metrics.processedRecords >= INPUT.length, `processed ${report.metrics.processedRecords} of ${INPUT.length}`);

        app.send('close');
        const closed = await app.next<{ event: string; state: string; errors: string[] }>('closed');
        assert.equal(closed.state, 'NOT_RUNNING');
        assert.deepEqual(closed.errors, []);
        assert.equal(await app.exit, 0);
        // Both threads committed and checkpointed their tasks on the way out.
        for (const task of TASKS) assert.ok(existsSync(join(dir, applicationId, task, '.checkpoint')), `no checkpoint for ${task}`);
      });
    });

    it('REPLACE_THREAD from the handler in the main thread restarts the failed worker', async () => {
      await run({ THREADS_FAIL_ONCE: '1' }, async (app, dir) => {
        app.send('report');
        const report = await app.next<Report>('report');
        assert.equal(report.handled.length, 1);
        assert.match(report.handled[0] ?? '', /worker cannot handle/);
        assert.equal(report.metrics.threadReplacements, 1);
        assert.equal(workerMarks(dir), 2, 'a second worker ran the module again');
        assertBothThreadsWork(report);
        assert.deepEqual(report.counts, Object.fromEntries(KEYS.map((k) => [k, expectedCount(k)])));
        app.send('close');
        assert.equal((await app.next<{ event: string; state: string }>('closed')).state, 'NOT_RUNNING');
        assert.equal(await app.exit, 0);
      });
    });
  });
}

/** How many workers said they host a stream thread (each leaves a mark in the state directory). */
function workerMarks(dir: string): number {
  return readdirSync(dir).filter((f) => f.startsWith('worker-')).length;
}

/** The command line the (first) worker saw, as it wrote it in its mark. */
function workerArgv(dir: string): unknown {
  const mark = readdirSync(dir).find((f) => f.startsWith('worker-'));
  return JSON.parse(readFileSync(join(dir, mark as string), 'utf8'));
}

function assertBothThreadsWork(report: Report): void {
  assert.equal(report.threads.length, 2);
  for (const t of report.threads) assert.ok(t.activeTasks.length > 0, `${t.threadName} has no task: ${JSON.stringify(report.threads)}`);
  assert.deepEqual(report.threads.flatMap((t) => t.activeTasks).sort(), TASKS, 'each task in exactly one thread');
  assert.match(report.threads[1]?.threadName ?? '', /-StreamThread-2$/);
  assert.deepEqual([...report.metrics.tasks].sort(), TASKS);
}
