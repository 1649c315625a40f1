/**
 * A crash of the command processor mid-run applies no command twice: a child process runs the inventory's command
 * processor (exactly-once) and is SIGKILLed while it works through a batch of commands (with repeated command ids
 * among them); the same app then restarts in this process on the same state directory and finishes. Every command id
 * has exactly one event, and the stock is what applying each command once gives. On the embedded log the child
 * writes the commands and the log survives the kill on disk; on Kafka (when KAFKA_BOOTSTRAP_SERVERS is set) this
 * process writes them to the broker.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEmbeddedBackend, createKafkaBackend, type Backend } from '@tributary/streams';
import type { InventoryCommand, InventoryEvent } from '../src/inventory/schemas.js';
import { inventoryCommandSerde } from '../src/inventory/serdes.js';
import { serdes, TOPICS } from '../src/topics.js';
import { crashTestApp } from './inventory-crash-app.js';
import { kafkaBootstrapServers, readRawTopic, runId, tempDir } from './support.js';

const CHILD = fileURLToPath(new URL('./inventory-child.ts', import.meta.url));
const WAIT_MS = 60_000;

/** 1,200 commands on one product: ADD 2 or REMOVE 1 (never more than is there), every tenth id sent twice. */
function commandsFor(product: string): { commands: InventoryCommand[]; distinct: number; expected: number } {
  const commands: InventoryCommand[] = [];
  let expected = 0;
  let distinct = 0;
  for (let i = 0; i < 1100; i++) {
    const add = i % 3 !== 2;
    const command: InventoryCommand = { commandId: `crash-${runId}-${i}`, type: add ? 'ADD' : 'REMOVE', product, quantity: add ? 2 : 1 };
    commands.push(command);
    distinct += 1;
    expected += add ? 2 : -1;
    if (i % 10 === 0) commands.push({ ...command });
  }
  return { commands, distinct, expected };
}

/** Runs the child until it has processed `atLeast` records, then SIGKILLs it; resolves with what it last reported. */
function runChildAndKill(env: Record<string, string>, atLeast: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let processed = 0;
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), WAIT_MS);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      for (const m of d.toString().matchAll(/processed (\d+)/g)) processed = Number(m[1]);
      if (processed >= atLeast && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' && processed >= atLeast) resolve(processed);
      else reject(new Error(`child ended (${signal ?? _code}) after ${processed} records: ${stderr.slice(-2000)}`));
    });
  });
}

const targets: Array<{ name: string; kafka: boolean }> = [{ name: 'embedded', kafka: false }];
if (kafkaBootstrapServers !== undefined) targets.push({ name: 'kafka', kafka: true });

for (const target of targets) {
  describe(`inventory crash on ${target.name}`, { timeout: 150_000 }, () => {
    it('a SIGKILL of the command processor mid-run applies no command twice', async (t) => {
      const dir = tempDir(`crash-${target.name}`);
      const product = `8${String(Date.now()).slice(-13)}`;
      const { commands, distinct, expected } = commandsFor(product);
      const instance = `crash-${runId}`;
      let backend: Backend | undefined;
      try {
        const env: Record<string, string> = { CHILD_DIR: dir.path, CHILD_INSTANCE: instance };
        if (target.kafka) {
          env['KAFKA_BOOTSTRAP_SERVERS'] = kafkaBootstrapServers ?? '';
          backend = await createKafkaBackend({ bootstrapServers: kafkaBootstrapServers ?? '' });
          const producer = await backend.createProducer({ clientId: `crash-writer-${runId}` });
          for (const c of commands) producer.send({ topic: TOPICS.inventoryCommands, key: serdes.key.serialize('', product), value: inventoryCommandSerde.serialize('', c) });
          await producer.flush();
          await producer.close();
        } else {
          env['KAFKA_BOOTSTRAP_SERVERS'] = '';
          env['CHILD_COMMANDS'] = JSON.stringify(commands);
        }
        // Killed well before the end: part of the batch is committed, part is in an open transaction, part unread.
        const processedBeforeKill = await runChildAndKill(env, 300);
        t.diagnostic(`child killed after ${processedBeforeKill} records`);

        backend ??= await createEmbeddedBackend({ dataDir: join(dir.path, 'log'), autoCreateTopics: false });
        const restarted = crashTestApp(backend, dir.path, instance);
        await restarted.start();
        try {
          const ofProduct = (rs: Awaited<ReturnType<typeof readRawTopic>>): InventoryEvent[] =>
            rs.filter((r) => r.key?.toString('utf8') === product).map((r) => JSON.parse(r.value?.toString('utf8') ?? 'null') as InventoryEvent);
          // Read until every command id has an event: a command applied twice would show before the last one's event
          // (a replay after the restart precedes what comes after it in the product's partition).
          const records = await readRawTopic(backend, TOPICS.inventoryEvents, (rs) => new Set(ofProduct(rs).map((e) => e.commandId)).size >= distinct, WAIT_MS * 2);
          const events = ofProduct(records);
          const perCommand = new Map<string, number>();
          for (const e of events) perCommand.set(e.commandId, (perCommand.get(e.commandId) ?? 0) + 1);
          assert.equal(perCommand.size, distinct, 'every command decided');
          assert.deepEqual(
            [...perCommand].filter(([, n]) => n !== 1),
            [],
            'no command applied twice',
          );
          assert.equal(events.filter((e) => e.type === 'REJECTED').length, 0);
          assert.equal(events.at(-1)?.available, expected);
        } finally {
          await restarted.close();
        }
      } finally {
        await backend?.close();
        dir.remove();
      }
    });
  });
}
