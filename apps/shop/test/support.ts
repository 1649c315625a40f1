/**
 * Starting and stopping a whole shop for end-to-end tests, on each log the shop runs on: always the embedded log,
 * and Apache Kafka when KAFKA_BOOTSTRAP_SERVERS names a broker (scripts/run-tests.mjs starts a throw-away one and
 * sets it). The shop's topic names and application ids are fixed by shop-spec.md, so on Kafka every suite shares
 * them with earlier suites on the same broker: tests there use ids unique to the run (`runId`, `uniqueCustomerId`).
 */
import { gtinCheckDigit } from '../src/catalog/gtin.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedBackend, createKafkaBackend, type Backend, type ConsumedRecord, type Logger } from '@tributary/streams';
import { fileEmailSender, type Email } from '../src/email/email-sender.js';
import { startShop, type RunningShop, type ShopOptions } from '../src/shop.js';

export const quietLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `shop-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Distinguishes this test process from earlier ones that used the same broker. */
export const runId = `${process.pid.toString(36)}${Date.now().toString(36)}`;

let customers = 0;
const customerBase = Date.now() * 1000;
/**
 * A customer id no earlier run used: fraud totals are kept per customer over a 1-hour session and the customers
 * topic is shared on a broker, so a reused id would carry another run's orders or level into this one.
 */
export function uniqueCustomerId(): number {
  customers += 1;
  return customerBase + customers;
}

export interface TestShop {
  readonly shop: RunningShop;
  /** What the email service sent, as the pluggable sender saw it. */
  readonly emails: Email[];
  /** The default file sink (`DATA_DIR/emails.jsonl`) the same emails also went to. */
  readonly emailFile: string;
  readonly backend: Backend;
  close(): Promise<void>;
}

/** The emails in the file sink, oldest first. */
export function emailsInFile(shop: TestShop): Email[] {
  let text: string;
  try {
    text = readFileSync(shop.emailFile, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Email);
}

export interface ShopTarget {
  readonly name: 'embedded' | 'kafka';
  /** Every service plus the API on this backend; state stores, emails and (embedded) the log live in `dir`. */
  start(dir: string): Promise<TestShop>;
}

/** The broker the real-Kafka variants use, or undefined when they do not run. */
export const kafkaBootstrapServers: string | undefined = process.env['KAFKA_BOOTSTRAP_SERVERS'] || undefined;

export function shopTargets(): ShopTarget[] {
  const targets: ShopTarget[] = [{ name: 'embedded', start: startTestShop }];
  const bootstrapServers = kafkaBootstrapServers;
  if (bootstrapServers !== undefined) {
    targets.push({
      name: 'kafka',
      // Exactly-once services commit each transaction at the commit interval; 100 ms keeps a round trip short.
      start: (dir) => startOn(createKafkaBackend({ bootstrapServers }), dir, 100),
    });
  }
  return targets;
}

/** Reads `topic` from its beginning until `done` holds for what was read (or `waitMs` pass); committed records only. */
export async function readRawTopic(
  backend: Backend,
  topic: string,
  done: (records: ConsumedRecord[]) => boolean,
  waitMs = 60_000,
): Promise<ConsumedRecord[]> {
  const admin = backend.admin();
  const partitions = (await admin.describeTopics([topic])).get(topic) ?? 0;
  await admin.close();
  const consumer = await backend.createConsumer({ clientId: `shop-test-raw-reader-${runId}`, isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
  const records: ConsumedRecord[] = [];
  try {
    await consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: -1 })));
    const deadline = Date.now() + waitMs;
    while (!done(records) && Date.now() < deadline) records.push(...(await consumer.poll(200, 100)));
  } finally {
    await consumer.close();
  }
  return records;
}

/** Writes raw bytes to `topic`, as a producer other than the shop's API might. */
export async function writeRaw(backend: Backend, topic: string, key: string, value: string): Promise<void> {
  const producer = await backend.createProducer({ clientId: `shop-test-raw-writer-${runId}` });
  try {
    producer.send({ topic, key: Buffer.from(key, 'utf8'), value: Buffer.from(value, 'utf8') });
    await producer.flush();
  } finally {
    await producer.close();
  }
}

/** Every service plus the API on the embedded log in `dir` (durable, so a second start sees the first's data). */
export function startTestShop(dir: string, extra: Partial<ShopOptions> = {}): Promise<TestShop> {
  // Like the test broker (auto.create.topics.enable=false): a topic the shop forgets to create fails on both.
  return startOn(createEmbeddedBackend({ dataDir: join(dir, 'log'), autoCreateTopics: false }), dir, 50, extra);
}

async function startOn(opening: Backend | Promise<Backend>, dir: string, commitIntervalMs: number, extra: Partial<ShopOptions> = {}): Promise<TestShop> {
  const backend = await opening;
  const emails: Email[] = [];
  const emailFile = join(dir, 'emails.jsonl');
  const fileSink = fileEmailSender(emailFile);
  let shop: RunningShop;
  try {
    shop = await startShop({
      ...extra,
      backend,
      stateDir: join(dir, 'state'),
      logger: quietLogger,
      commitIntervalMs,
      emailSender: {
        send: (email) => {
          emails.push(email);
          fileSink.send(email);
        },
      },
    });
  } catch (error) {
    await backend.close();
    throw error;
  }
  const close = async (): Promise<void> => {
    await shop.close();
    await backend.close();
    fileSink.close();
  };
  try {
    for (const app of shop.apps.values()) await app.waitForRunning(60_000);
  } catch (error) {
    await close();
    throw error;
  }
  return { shop, emails, emailFile, backend, close };
}

/**
 * A GTIN-13 no other test run uses (a valid check digit, in the canonical 13-digit form the catalog and the
 * inventory key products by): `prefix` and the clock fill the 12-digit body.
 */
export function uniqueGtin(prefix: string, n = 0): string {
  const body = `${prefix}${String(Date.now() + n)}`.slice(-12).padStart(12, '0');
  return `${body}${gtinCheckDigit(body)}`;
}
