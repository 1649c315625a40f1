import type { CallsInFlight } from './calls-in-flight.js';
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

/**
 * Codes that describe a passing state of the cluster (Kafka's RetriableException family): brokers restarting or
 * unreachable, leaders and coordinators moving, requests timing out, replicas catching up. librdkafka marks some
 * errors retriable itself; these are the ones it reports from calls (offset listing, commits, transactions) where
 * it does not.
 */
const RETRIABLE_CODES: ReadonlySet<number> = new Set([
  -195, // _TRANSPORT: broker connection down
  -192, // _MSG_TIMED_OUT
  -187, // _ALL_BROKERS_DOWN
  -185, // _TIMED_OUT
  -184, // _QUEUE_FULL
  -180, // _WAIT_COORD
  -166, // _TIMED_OUT_QUEUE
  -156, // _NOENT: ListOffsets while a partition has no known leader (its broker is down, no election yet)
  5, // LEADER_NOT_AVAILABLE
  6, // NOT_LEADER_OR_FOLLOWER
  7, // REQUEST_TIMED_OUT
  8, // BROKER_NOT_AVAILABLE
  13, // NETWORK_EXCEPTION
  14, // COORDINATOR_LOAD_IN_PROGRESS
  15, // COORDINATOR_NOT_AVAILABLE
  16, // NOT_COORDINATOR
  19, // NOT_ENOUGH_REPLICAS
  20, // NOT_ENOUGH_REPLICAS_AFTER_APPEND
  51, // CONCURRENT_TRANSACTIONS
  56, // KAFKA_STORAGE_ERROR
  74, // FENCED_LEADER_EPOCH ("Leader epoch is older than broker epoch")
  75, // UNKNOWN_LEADER_EPOCH
  78, // OFFSET_NOT_AVAILABLE
  89, // THROTTLING_QUOTA_EXCEEDED
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
  const retriable = err.isFatal !== true && (err.isRetriable === true || RETRIABLE_CODES.has(err.code));
  return new KafkaClientError(message, err.code, err.isFatal === true, err.isTxnRequiresAbort === true, err, retriable);
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
    /** A retry may cure it (see `isRetriable` in the port). */
    readonly retriable = false,
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

/**
 * Raised when a client call's callback has not come back well after the timeout the call was given. librdkafka
 * bounds most calls by their timeouts, but `send_offsets_to_transaction` ignores its own (confluentinc/librdkafka#5456)
 * and waits for good when the group coordinator it cached is gone (#5511): seen here after one of three brokers was
 * SIGKILLed, the thread then stayed RUNNING without progress or error. Retriable, and `fatal` for the client: the
 * owner replaces it.
 */
export class ClientCallHungError extends KafkaClientError {
  constructor(message: string) {
    super(message, -185, true, false, undefined, true);
  }
}

/**
 * Like `callDone`, but gives up after `deadlineMs` with a `ClientCallHungError` (after calling `onHung`). `calls`, if
 * given, counts the call until librdkafka answers it, deadline or not.
 */
export function callDoneWithin(
  what: string,
  deadlineMs: number,
  onHung: () => void,
  run: (cb: (err: NativeError | null | undefined) => void) => unknown,
  calls?: CallsInFlight,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onHung();
      reject(new ClientCallHungError(`${what}: no answer from the client after ${deadlineMs} ms (its own timeout passed)`));
    }, deadlineMs);
  });
  // The call stays counted in flight past the deadline: its worker still holds the client.
  const answer = callDone(what, run);
  return Promise.race([calls ? calls.track(answer) : answer, deadline]).finally(() => clearTimeout(timer));
}
