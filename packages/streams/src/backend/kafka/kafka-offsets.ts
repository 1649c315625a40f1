import type { TopicPartition, TopicPartitionOffset } from '../port.js';
import { tpKey } from '../topic-partition.js';
import { call, toPortError } from './errors.js';
import type { NativeAdminClient, NativeModule } from './native.js';

/**
 * Per call. Short enough that a request stuck on a broker that has just died (librdkafka's admin client keeps
 * sending to the leader it cached until the call times out) costs one retry of the caller, not a long pause.
 */
const TIMEOUT_MS = 10_000;
/** librdkafka's _TIMED_OUT: the whole call timed out, typically waiting on a dead broker's connection. */
const CALL_TIMED_OUT = -185;
/** NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH: the leader moved or its epoch changed. */
const STALE_METADATA_CODES: ReadonlySet<number> = new Set([6, 74, 75]);

/**
 * Log-start and end offsets through the ListOffsets admin API. Unlike `queryWatermarkOffsets` (always the high
 * watermark), ListOffsets honours the isolation level, so read_committed gets the last stable offset.
 */
export class KafkaOffsets {
  constructor(
    private readonly mod: NativeModule,
    private readonly admin: () => NativeAdminClient,
    /**
     * Called when the admin client's metadata is stale. After a broker restart librdkafka's admin ListOffsets keeps
     * sending the leader epoch it cached and the broker keeps answering FENCED_LEADER_EPOCH; a fresh client asks for
     * fresh metadata.
     */
    private readonly onStaleMetadata: () => void = () => undefined,
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
    let result: Array<{ topic: string; partition: number; offset: number; error?: Error }>;
    try {
      result = await call(`listing ${which} offsets`, (cb) =>
        this.admin().listOffsets(
          partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition, offset: spec })),
          { timeout: TIMEOUT_MS, isolationLevel },
          cb,
        ),
      );
    } catch (error) {
      // A call that timed out as a whole most likely waited on a broker that is gone: the retry gets a new client.
      if ((error as { code?: unknown }).code === CALL_TIMED_OUT) this.onStaleMetadata();
      throw error;
    }
    const byKey = new Map(result.map((r) => [tpKey(r.topic, r.partition), r]));
    return partitions.map((tp) => {
      const r = byKey.get(tpKey(tp.topic, tp.partition));
      if (r === undefined) throw new Error(`listing ${which} offsets of ${tp.topic}-${tp.partition} failed: no answer`);
      if (r.error) {
        // Keep librdkafka's code, so a leader or epoch change during a broker restart is known to be retriable.
        // The per-partition error is a plain `{ code, message }`, not an Error: give it the shape of one.
        const { code, message } = r.error as { code?: unknown; message?: unknown };
        if (typeof code === 'number' && STALE_METADATA_CODES.has(code)) this.onStaleMetadata();
        const native = Object.assign(new Error(typeof message === 'string' ? message : 'unknown error'), { code: typeof code === 'number' ? code : -1 });
        throw toPortError(native, `listing ${which} offsets of ${tp.topic}-${tp.partition}`);
      }
      return { topic: tp.topic, partition: tp.partition, offset: r.offset };
    });
  }
}
