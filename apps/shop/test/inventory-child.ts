/**
 * A child process for `inventory-crash.test.ts`: runs the inventory's command processor (the inventory service's
 * topology, exactly-once) on the embedded log in CHILD_DIR or on Kafka, and reports how many records it has processed
 * on stdout (`processed <n>`) so the parent can SIGKILL it mid-run. On the embedded log (which lives in one process)
 * it first writes the commands itself (`CHILD_COMMANDS`, a JSON array), as a client would have.
 */
import { join } from 'node:path';
import { createEmbeddedBackend, createKafkaBackend, KafkaStreams } from '@tributary/streams';
import type { InventoryCommand } from '../src/inventory/schemas.js';
import { inventoryCommandSerde } from '../src/inventory/serdes.js';
import { ensureTopics, serdes, TOPICS } from '../src/topics.js';
import { crashTestApp } from './inventory-crash-app.js';

const dir = process.env['CHILD_DIR'] ?? '';
const bootstrapServers = process.env['KAFKA_BOOTSTRAP_SERVERS'] || undefined;
const backend = bootstrapServers !== undefined ? await createKafkaBackend({ bootstrapServers }) : await createEmbeddedBackend({ dataDir: join(dir, 'log') });
await ensureTopics(backend);
const commands = JSON.parse(process.env['CHILD_COMMANDS'] ?? '[]') as InventoryCommand[];
if (commands.length > 0) {
  const producer = await backend.createProducer({ clientId: 'inventory-child-writer' });
  for (const c of commands) producer.send({ topic: TOPICS.inventoryCommands, key: serdes.key.serialize('', c.product), value: inventoryCommandSerde.serialize('', c) });
  await producer.flush();
  await producer.close();
  process.stdout.write('produced\n');
}
const app: KafkaStreams = crashTestApp(backend, dir, process.env['CHILD_INSTANCE'] ?? 'crash');
await app.start();
setInterval(() => process.stdout.write(`processed ${app.metrics().processedRecords}\n`), 20);
