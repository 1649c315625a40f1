import type { TopicPartition, TopicPartitionOffset } from '../port.js';
import { tpKey } from '../topic-partition.js';
import { call, toPortError } from './errors.js';
import type { NativeAdminClient, NativeModule } from './native.js';

const TIMEOUT_MS = 30_000;

/**
 * Log-start and end offsets through the ListOffsets admin API. Unlike `queryWatermarkOffsets` (always the high
 * watermark), ListOffsets honours the isolation level, so read_committed gets the last stable offset.
 */
export class KafkaOffsets {
  constructor(
    private readonly mod: NativeModule,
    private readonly admin: () => NativeAdminClient,
  ) {}

  async list(
    partitions: ReadonlyArray<TopicPartition>,
    which: 'earliest' | 'latest',
    isolation: 'read_committed' | 'read_uncommitted',
  ): Promise<TopicPartitionOffset[]> {
    if (partitions.length === 0) return [];
    const spec = which === 'earliest' ? this.mod.OffsetSpec.EARLIEST : this.mod.OffsetSpec.LATEST;
    const isolationLevel =
      isolation === 'read_committed' ? this.mod.IsolationLevel.READ_COMMITTED : this.mod.IsolationLevel.READ_UNCOMMITTED;
    const result = await call<Array<{ topic: string; partition: number; offset: number; error?: Error }>>(
      `listing ${which} offsets`,
      (cb) =>
        this.admin().listOffsets(
          partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition, offset: spec })),
          { timeout: TIMEOUT_MS, isolationLevel },
          cb,
        ),
    );
    const byKey = new Map(result.map((r) => [tpKey(r.topic, r.partition), r]));
    return partitions.map((tp) => {
      const r = byKey.get(tpKey(tp.topic, tp.partition));
      if (r === undefined) throw new Error(`listing ${which} offsets of ${tp.topic}-${tp.partition} failed: no answer`);
      if (r.error) {
        // Keep librdkafka's code, so a leader or epoch change during a broker restart is known to be retriable.
        throw toPortError(r.error, `listing ${which} offsets of ${tp.topic}-${tp.partition}`);
      }
      return { topic: tp.topic, partition: tp.partition, offset: r.offset };
    });
  }
}
