/** Where processors report records they drop (null keys, late records), as Kafka Streams' dropped-records sensor. */
import type { ProcessorContext } from '../api/processor.js';

export interface Logger {
  warn(obj: object, msg?: string): void;
}

export function droppedRecord(ctx: ProcessorContext<unknown, unknown>, reason: string, logger: Logger | undefined): void {
  const meta = ctx.recordMetadata();
  logger?.warn({ taskId: ctx.taskId, ...(meta ?? {}), reason }, 'dropping record');
}
