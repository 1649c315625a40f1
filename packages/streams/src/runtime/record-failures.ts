/**
 * What a task does when a record cannot be deserialized or a processor throws on it: the configured exception
 * handler decides between failing (the record stays unconsumed, the thread stops) and skipping it (counted, logged
 * and, with a dead-letter topic, written there raw with the error in its headers, as Kafka Streams' KIP-1034).
 */
import type { RecordContext, StreamRecord } from '../api/record.js';
import type { ConsumedRecord } from '../backend/port.js';
import { ProducerFencedError, inCauseChain } from '../backend/port.js';
import type { ErrorHandlerContext, ErrorHandlerSetting, Logger, ResolvedConfig } from './config.js';
import { ProcessorError, StreamsError } from './errors.js';
import type { RecordCollector } from './record-collector.js';

/** Headers of dead-letter records, as Kafka Streams writes them (KIP-1034). */
export const DLQ_HEADERS = {
  exception: '__streams.errors.exception',
  message: '__streams.errors.message',
  stacktrace: '__streams.errors.stacktrace',
  topic: '__streams.errors.topic',
  partition: '__streams.errors.partition',
  offset: '__streams.errors.offset',
} as const;

type HandlerKind = 'deserializationExceptionHandler' | 'processingExceptionHandler';

export interface RecordFailuresOptions {
  readonly taskId: string;
  readonly config: ResolvedConfig;
  readonly logger: Logger;
  /** Where dead-letter records go (the task's guarded collector). */
  readonly collector: RecordCollector;
  /** Counts a skipped record under its reason (the task's dropped-records metric). */
  readonly countDropped: (reason: string) => void;
}

function isFencing(error: unknown): boolean {
  return inCauseChain(error, (e) => e instanceof ProducerFencedError);
}

export class RecordFailures {
  constructor(private readonly options: RecordFailuresOptions) {}

  /** `raw` could not be deserialized (or its timestamp is invalid): throws to fail, returns when it is skipped. */
  deserializationFailed(error: unknown, processorName: string, raw: ConsumedRecord): void {
    const kind = 'deserializationExceptionHandler';
    const err = error instanceof Error ? error : new Error(String(error));
    // Fencing is not the record's fault: never let a handler skip the record because of it.
    if (isFencing(err)) throw error;
    const { taskId, config } = this.options;
    const setting: ErrorHandlerSetting = config[kind];
    const ctx: ErrorHandlerContext = {
      taskId,
      topic: raw.topic,
      partition: raw.partition,
      offset: raw.offset,
      timestamp: raw.timestamp,
      processorName,
      key: raw.key,
      value: raw.value,
      headers: raw.headers,
    };
    const response = setting === 'fail' ? 'fail' : setting === 'logAndContinue' ? 'continue' : setting(err, ctx);
    if (response === 'fail') {
      if (err instanceof ProcessorError) throw err;
      throw new StreamsError(
        `Deserialization failed in task ${taskId} for ${raw.topic}-${raw.partition}@${raw.offset}: ${err.message}`,
        { cause: err },
      );
    }
    this.skipRecord(kind, err, processorName, raw);
  }

  /**
   * A processor (or sink) threw on `record`: as Kafka's ProcessorNode, the processing exception handler decides right
   * there, with the record as that processor received it. `continue` drops the record at this node only (its parent
   * goes on with its other children, as in Kafka); `fail` throws a ProcessorError, which the nodes above pass on.
   * `context` and `raw` are the consumed record being processed, if any (not in punctuations and cache flushes).
   */
  processingFailed(
    processorName: string,
    error: unknown,
    record: StreamRecord<unknown, unknown>,
    context: RecordContext | undefined,
    raw: ConsumedRecord | undefined,
  ): void {
    // Decided further down, or fencing (not the record's fault: never let a handler skip the record because of it).
    if (error instanceof ProcessorError || isFencing(error)) throw error;
    const { taskId } = this.options;
    const err = error instanceof Error ? error : new Error(String(error));
    const c = context;
    const ctx: ErrorHandlerContext = {
      taskId,
      topic: c?.topic,
      partition: c?.partition,
      offset: c?.offset,
      timestamp: record.timestamp,
      processorName,
      key: record.key,
      value: record.value,
      headers: record.headers,
    };
    const setting = this.options.config.processingExceptionHandler;
    let response: unknown;
    try {
      response = setting === 'fail' ? 'fail' : setting === 'logAndContinue' ? 'continue' : setting(err, ctx);
      if (response !== 'fail' && response !== 'continue') throw new TypeError(`Invalid processing exception handler response: ${String(response)}`);
    } catch (handlerError) {
      // As Kafka: a handler that throws (or answers nonsense) is fatal, and is not asked again by the nodes above.
      throw new ProcessorError(processorName, taskId, new StreamsError('Fatal user code error in processing error callback', { cause: handlerError }));
    }
    if (response === 'fail') {
      const failure = new ProcessorError(processorName, taskId, err);
      // Where the input record came from, as Kafka's message says it ("Exception caught in process. taskId=...").
      failure.message += ` (Exception caught in process. taskId=${taskId}, processor=${processorName}, topic=${c?.topic}, partition=${c?.partition}, offset=${c?.offset})`;
      throw failure;
    }
    this.skipRecord('processingExceptionHandler', err, processorName, raw);
  }

  /** A handler said `continue`: count and log the dropped record, and send its raw form to the dead-letter topic. */
  private skipRecord(kind: HandlerKind, err: Error, processorName: string, raw: ConsumedRecord | undefined): void {
    const { taskId, config, logger, collector } = this.options;
    this.options.countDropped(kind === 'deserializationExceptionHandler' ? 'deserialization error' : 'processing error');
    logger.warn(
      { taskId, topic: raw?.topic, partition: raw?.partition, offset: raw?.offset, processor: processorName, err: err.message },
      kind === 'deserializationExceptionHandler' ? 'skipping a record that cannot be deserialized' : 'skipping a record whose processing failed',
    );
    const dlq = config.deadLetterQueueTopic;
    // Outside a consumed record (a punctuation, a cache flush) there are no raw bytes to write.
    if (dlq && raw) {
      const cause = err instanceof ProcessorError && err.cause instanceof Error ? err.cause : err;
      collector.send({
        topic: dlq,
        partition: undefined,
        key: raw.key,
        value: raw.value,
        timestamp: raw.timestamp,
        headers: {
          ...raw.headers,
          [DLQ_HEADERS.exception]: cause.name,
          [DLQ_HEADERS.message]: err.message,
          [DLQ_HEADERS.stacktrace]: cause.stack ?? '',
          [DLQ_HEADERS.topic]: raw.topic,
          [DLQ_HEADERS.partition]: String(raw.partition),
          [DLQ_HEADERS.offset]: String(raw.offset),
        },
      });
    }
  }
}
