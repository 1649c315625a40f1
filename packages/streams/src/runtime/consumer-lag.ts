/** Consumer lag per assigned input partition (records between the position and the end), for metrics. */
import type { Consumer } from '../backend/port.js';
import { tpKey } from '../backend/topic-partition.js';
import type { Logger } from './config.js';

/** Where one partition stands: its position and its end (the last stable offset under read_committed). */
export interface PartitionProgress {
  readonly key: string;
  readonly position: number;
  readonly end: number;
}

/** Updates `into` and returns what it measured; undefined when the end offsets could not be read. */
export async function measureLag(consumer: Consumer, into: Map<string, number>, logger: Logger): Promise<PartitionProgress[] | undefined> {
  const assignment = consumer.assignment();
  if (assignment.length === 0) return [];
  try {
    const ends = await consumer.endOffsets(assignment);
    into.clear();
    const measured: PartitionProgress[] = [];
    for (const e of ends) {
      const position = Math.max(consumer.position(e), 0);
      into.set(`${e.topic}-${e.partition}`, Math.max(0, e.offset - position));
      measured.push({ key: tpKey(e.topic, e.partition), position, end: e.offset });
    }
    return measured;
  } catch (error) {
    // Lag is informative only: a broker that is away is reported by the processing path, not here.
    logger.debug({ err: String(error) }, 'could not read end offsets for lag');
    return undefined;
  }
}
