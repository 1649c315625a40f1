import type { AdminClient, NewTopic, TopicPartitionOffset } from '../port.js';
import { ErrorCode, KafkaClientError, call, callDone, toPortError } from './errors.js';
import type { NativeAdminClient } from './native.js';

const TIMEOUT_MS = 30_000;
/** Internal topics the Java AdminClient leaves out of listTopics() by default. */
const INTERNAL_TOPICS: ReadonlySet<string> = new Set(['__consumer_offsets', '__transaction_state', '__share_group_state']);
const METADATA_WAIT_MS = 15_000;

export class KafkaAdmin implements AdminClient {
  constructor(
    /** The shared native admin client; a promise because the backend loads the native module on first use. */
    private readonly native: () => Promise<NativeAdminClient>,
    private readonly onClose: () => void = () => undefined,
  ) {}

  async createTopics(topics: ReadonlyArray<NewTopic>): Promise<void> {
    await Promise.all(
      topics.map(async (topic) => {
        try {
          const admin = await this.native();
          await callDone(`creating topic ${topic.name}`, (cb) =>
            admin.createTopic(
              {
                topic: topic.name,
                num_partitions: topic.numPartitions,
                // -1: the broker's default.replication.factor (KIP-464), so one setting serves 1 and 3 brokers.
                replication_factor: -1,
                ...(topic.config ? { config: { ...topic.config } } : {}),
              },
              TIMEOUT_MS,
              cb,
            ),
          );
        } catch (err) {
          if (!hasCode(err, ErrorCode.TOPIC_ALREADY_EXISTS)) throw err;
        }
      }),
    );
    // The controller answers before every broker's metadata cache knows the topic; clients created right after
    // would see it as unknown for a moment.
    await this.waitUntilDescribed(topics.map((t) => t.name));
  }

  async describeTopics(names: ReadonlyArray<string>): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    const described = await Promise.all(names.map((name) => this.describeOne(name)));
    names.forEach((name, i) => {
      const partitions = described[i];
      if (partitions !== undefined) result.set(name, partitions);
    });
    return result;
  }

  async listTopics(): Promise<string[]> {
    const admin = await this.native();
    const names = await call<string[]>('listing topics', (cb) => admin.listTopics({ timeout: TIMEOUT_MS }, cb));
    return names.filter((name) => !INTERNAL_TOPICS.has(name)).sort();
  }

  async deleteTopics(names: ReadonlyArray<string>): Promise<void> {
    await Promise.all(
      names.map(async (name) => {
        try {
          const admin = await this.native();
          await callDone(`deleting topic ${name}`, (cb) => admin.deleteTopic(name, TIMEOUT_MS, cb));
        } catch (err) {
          if (!hasCode(err, ErrorCode.UNKNOWN_TOPIC_OR_PART)) throw err;
        }
      }),
    );
  }

  /** Kafka's DeleteRecords through librdkafka (`rd_kafka_DeleteRecords`); per-partition errors are thrown. */
  async deleteRecords(offsets: ReadonlyArray<TopicPartitionOffset>): Promise<void> {
    if (offsets.length === 0) return;
    const native = await this.native();
    const results = await call<Array<{ topic: string; partition: number; error?: { code?: number; message?: string } }>>('deleting records', (cb) =>
      native.deleteRecords(
        offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset })),
        { timeout: TIMEOUT_MS, operationTimeout: TIMEOUT_MS },
        cb,
      ),
    );
    // Per-partition errors arrive as plain `{ code, message }` objects (e.g. OFFSET_OUT_OF_RANGE beyond the high watermark).
    const failed = results.find((r) => r.error !== undefined && r.error !== null);
    if (failed !== undefined) {
      const { code = -1, message = 'unknown error' } = failed.error!;
      throw new KafkaClientError(`deleting records of ${failed.topic}-${failed.partition}: ${message} (librdkafka code ${code})`, code, false, false, failed.error);
    }
  }

  async close(): Promise<void> {
    this.onClose();
  }

  private async describeOne(name: string): Promise<number | undefined> {
    const admin = await this.native();
    try {
      const [description] = await call<Array<{ name: string; partitions: unknown[]; error?: Error }>>(
        `describing topic ${name}`,
        (cb) => admin.describeTopics([name], { timeout: TIMEOUT_MS }, cb),
      );
      if (description === undefined) return undefined;
      if (description.error !== undefined) {
        if (hasCode(description.error, ErrorCode.UNKNOWN_TOPIC_OR_PART)) return undefined;
        throw toPortError(description.error, `describing topic ${name}`);
      }
      return description.partitions.length;
    } catch (err) {
      if (hasCode(err, ErrorCode.UNKNOWN_TOPIC_OR_PART)) return undefined;
      throw err;
    }
  }

  private async waitUntilDescribed(names: ReadonlyArray<string>): Promise<void> {
    const deadline = Date.now() + METADATA_WAIT_MS;
    let missing = [...names];
    while (missing.length > 0 && Date.now() < deadline) {
      const found = await this.describeTopics(missing);
      missing = missing.filter((name) => !found.has(name));
      if (missing.length > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Per-topic errors arrive as plain `{ code, message }` objects, call errors as Error subclasses. */
function hasCode(err: unknown, code: number): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === code;
}
