/**
 * Restores task stores from their changelog partitions before the task processes anything (Kafka Streams'
 * `StoreChangelogReader`): from the checkpointed offset for persistent stores, from the beginning otherwise, up to
 * the end offset seen when restore began.
 */
import type { Consumer, TopicPartitionOffset } from '../backend/port.js';
import type { Checkpoint } from './checkpoint.js';
import { tpKey } from '../backend/topic-partition.js';
import type { Logger } from './config.js';
import type { ChangelogInfo } from './task-state-manager.js';
import { FetchStalledError, ProgressWatch } from './progress-watch.js';

export interface RestoreResult {
  /** Next offset per changelog partition after restore (what the store now holds). */
  readonly positions: Map<string, number>;
  readonly restoredRecords: number;
}

export async function restoreChangelogs(
  consumer: Consumer,
  changelogs: ReadonlyArray<ChangelogInfo>,
  checkpoint: Checkpoint,
  logger: Logger,
  onProgress: (done: number, total: number) => void = () => undefined,
): Promise<RestoreResult> {
  const positions = new Map<string, number>();
  if (changelogs.length === 0) return { positions, restoredRecords: 0 };
  const tps = changelogs.map((c) => ({ topic: c.topic, partition: c.partition }));
  const [ends, begins] = await Promise.all([consumer.endOffsets(tps), consumer.beginningOffsets(tps)]);
  const endOf = new Map(ends.map((e) => [tpKey(e.topic, e.partition), e.offset]));
  const beginOf = new Map(begins.map((e) => [tpKey(e.topic, e.partition), e.offset]));
  const pending = new Map<string, { info: ChangelogInfo; end: number }>();
  const assignment: TopicPartitionOffset[] = [];
  for (const info of changelogs) {
    const key = tpKey(info.topic, info.partition);
    const end = endOf.get(key) ?? 0;
    const begin = beginOf.get(key) ?? 0;
    const checkpointed = info.persistent ? checkpoint.get(key) : undefined;
    const start = checkpointed !== undefined && checkpointed >= begin && checkpointed <= end ? checkpointed : begin;
    positions.set(key, start);
    if (start < end) {
      pending.set(key, { info, end });
      assignment.push({ topic: info.topic, partition: info.partition, offset: start });
    } else {
      positions.set(key, end);
    }
  }
  let restored = 0;
  if (assignment.length === 0) return { positions, restoredRecords: 0 };
  const total = [...pending.values()].reduce((n, p) => n + (p.end - (positions.get(tpKey(p.info.topic, p.info.partition)) ?? 0)), 0);
  await consumer.assign(assignment);
  // A changelog partition that stops delivering before its end would keep the task from ever running, silently.
  const progress = new ProgressWatch();
  try {
    while (pending.size > 0) {
      const records = await consumer.poll(10_000, 200);
      const batches = new Map<string, Array<{ key: Buffer; value: Buffer | null; timestamp: number }>>();
      for (const r of records) {
        const key = tpKey(r.topic, r.partition);
        if (!pending.has(key) || r.key === null) {
          if (pending.has(key)) positions.set(key, r.offset + 1);
          continue;
        }
        let batch = batches.get(key);
        if (!batch) batches.set(key, (batch = []));
        batch.push({ key: r.key, value: r.value, timestamp: r.timestamp });
        positions.set(key, r.offset + 1);
      }
      for (const [key, batch] of batches) {
        pending.get(key)?.info.restore(batch);
        restored += batch.length;
      }
      onProgress(restored, total);
      // Under read_committed, transaction markers and aborted records occupy offsets we never receive: ask the
      // consumer where it stands rather than trusting the last record's offset.
      for (const [key, p] of pending) {
        const pos = consumer.position({ topic: p.info.topic, partition: p.info.partition });
        if (pos > (positions.get(key) ?? 0)) positions.set(key, pos);
        if ((positions.get(key) ?? 0) >= p.end) pending.delete(key);
      }
      progress.observe([...pending].map(([key, p]) => ({ key, position: positions.get(key) ?? 0, end: p.end })));
      const stalled = progress.stalled();
      if (stalled.length > 0) {
        throw new FetchStalledError(
          `restore stopped receiving records before the end of ${stalled.map((s) => `${s.key} (at ${s.position} for ${s.forMs} ms)`).join(', ')}`,
        );
      }
    }
  } finally {
    await consumer.unassign();
  }
  if (restored > 0) logger.info({ changelogs: changelogs.map((c) => c.topic), restored }, 'restored state stores');
  return { positions, restoredRecords: restored };
}
