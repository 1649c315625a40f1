import { ProducerFencedError, UnknownTopicError } from '../port.js';
import type { NativeError } from './native.js';

/** librdkafka error codes this backend reacts to (negative: local to librdkafka; positive: Kafka protocol). */
export const ErrorCode = {
  FENCED: -144,
  ASSIGNMENT_LOST: -142,
  REVOKE_PARTITIONS: -174,
  ASSIGN_PARTITIONS: -175,
  UNKNOWN_TOPIC: -188,
  UNKNOWN_PARTITION: -190,
  UNKNOWN_TOPIC_OR_PART: 3,
  ILLEGAL_GENERATION: 22,
  UNKNOWN_MEMBER_ID: 25,
  REBALANCE_IN_PROGRESS: 27,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PRODUCER_EPOCH: 47,
  TRANSACTION_COORDINATOR_FENCED: 52,
  FENCED_INSTANCE_ID: 82,
  PRODUCER_FENCED: 90,
} as const;

/**
 * Codes that mean "someone newer took over": a newer producer with our transactional id, or a group generation
 * that moved on (what the Java client reports as CommitFailedException). Kafka Streams treats both as
 * task migration, so the port reports both as ProducerFencedError.
 */
const FENCING_CODES: ReadonlySet<number> = new Set([
  ErrorCode.FENCED,
  ErrorCode.PRODUCER_FENCED,
  ErrorCode.INVALID_PRODUCER_EPOCH,
  ErrorCode.TRANSACTION_COORDINATOR_FENCED,
  ErrorCode.FENCED_INSTANCE_ID,
  ErrorCode.ILLEGAL_GENERATION,
  ErrorCode.UNKNOWN_MEMBER_ID,
  ErrorCode.REBALANCE_IN_PROGRESS,
]);

export function isNativeError(value: unknown): value is NativeError {
  return value instanceof Error && typeof (value as { code?: unknown }).code === 'number';
}

/** Turns a client error into the port's error types, keeping the original as `cause`. */
export function toPortError(err: unknown, what: string, topic?: string): Error {
  if (!isNativeError(err)) return err instanceof Error ? err : new Error(`${what}: ${String(err)}`);
  const message = `${what}: ${err.message} (librdkafka code ${err.code})`;
  if (FENCING_CODES.has(err.code)) return new ProducerFencedError(message, { cause: err });
  if (
    topic !== undefined &&
    (err.code === ErrorCode.UNKNOWN_TOPIC ||
      err.code === ErrorCode.UNKNOWN_TOPIC_OR_PART ||
      err.code === ErrorCode.UNKNOWN_PARTITION)
  ) {
    return new UnknownTopicError(topic);
  }
  return new KafkaClientError(message, err.code, err.isFatal === true, err.isTxnRequiresAbort === true, err);
}

/** Any other error of the Kafka client, with librdkafka's classification. */
export class KafkaClientError extends Error {
  override readonly name = 'KafkaClientError';
  constructor(
    message: string,
    readonly code: number,
    readonly fatal: boolean,
    /** The transaction must be aborted before the producer can go on. */
    readonly txnRequiresAbort: boolean,
    cause: unknown,
  ) {
    super(message, { cause });
  }
}

/** Adapts a node-style callback API to a promise, mapping the error. */
export function call<T>(what: string, run: (cb: (err: NativeError | null | undefined, result: T) => void) => unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      run((err, result) => (err ? reject(toPortError(err, what)) : resolve(result)));
    } catch (err) {
      reject(toPortError(err, what));
    }
  });
}

export function callDone(what: string, run: (cb: (err: NativeError | null | undefined) => void) => unknown): Promise<void> {
  return call<void>(what, (cb) => run((err) => cb(err, undefined)));
}
