/** Consumer lag per assigned input partition (records between the position and the end), for metrics. */
import type { Consumer } from '../backend/port.js';
import type { Logger } from './config.js';

export async function measureLag(consumer: Consumer, into: Map<string, number>, logger: Logger): Promise<void> {
  const assignment = consumer.assignment();
  if (assignment.length === 0) return;
  try {
    const ends = await consumer.endOffsets(assignment);
    into.clear();
    for (const e of ends) into.set(`${e.topic}-${e.partition}`, Math.max(0, e.offset - Math.max(consumer.position(e), 0)));
  } catch (error) {
    // Lag is informative only: a broker that is away is reported by the processing path, not here.
    logger.debug({ err: String(error) }, 'could not read end offsets for lag');
  }
}
