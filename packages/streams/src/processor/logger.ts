/**
 * Where processors report records they drop (null keys, late records), as Kafka Streams' dropped-records sensor:
 * the task behind the context counts them per reason (exposed as metrics) and logs them at debug level, so a
 * stream of late records cannot flood the log.
 */
import type { ProcessorContext } from '../api/processor.js';

export interface Logger {
  warn(obj: object, msg?: string): void;
}

/** Contexts made by the runtime carry this hook; contexts made elsewhere (tests, user code) may not. */
export interface DroppedRecordSink {
  recordDropped(reason: string): void;
}

function hasSink(ctx: object): ctx is DroppedRecordSink {
  return typeof (ctx as Partial<DroppedRecordSink>).recordDropped === 'function';
}

export function droppedRecord(ctx: ProcessorContext<unknown, unknown>, reason: string, logger: Logger | undefined): void {
  if (hasSink(ctx)) ctx.recordDropped(reason);
  if (logger) {
    const meta = ctx.recordMetadata();
    logger.warn({ taskId: ctx.taskId, ...(meta ?? {}), reason }, 'dropping record');
  }
}
