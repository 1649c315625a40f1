/**
 * Errors crossing between threads. Structured cloning keeps only an error's message and stack, while the runtime
 * decides on its class (`ProducerFencedError`, `CommitFailedError`) and on flags in its cause chain (`retriable`,
 * `fatal`, `txnRequiresAbort`): those are carried explicitly and the port's error classes are rebuilt.
 */
import { CommitFailedError, ProducerFencedError, UnknownTopicError } from '../port.js';

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** Own fields with plain values (`retriable`, `fatal`, `code`, `topic`, ...). */
  readonly fields: Readonly<Record<string, string | number | boolean>>;
  readonly cause: SerializedError | undefined;
}

export function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), stack: undefined, fields: {}, cause: undefined };
  const fields: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(error)) {
    if (key === 'cause') continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[key] = value;
  }
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    fields,
    cause: error.cause !== undefined && depth < 8 ? serializeError(error.cause, depth + 1) : undefined,
  };
}

export function deserializeError(data: SerializedError): Error {
  const cause = data.cause ? { cause: deserializeError(data.cause) } : undefined;
  let error: Error;
  switch (data.name) {
    case 'ProducerFencedError':
      error = new ProducerFencedError(data.message, cause);
      break;
    case 'CommitFailedError':
      error = new CommitFailedError(data.message, cause);
      break;
    case 'UnknownTopicError':
      error = new UnknownTopicError(String(data.fields['topic'] ?? ''));
      error.message = data.message;
      break;
    default:
      error = new Error(data.message, cause);
      if (data.name !== 'Error') Object.defineProperty(error, 'name', { value: data.name, enumerable: false, configurable: true, writable: true });
  }
  for (const [key, value] of Object.entries(data.fields)) {
    if (key !== 'name' && key !== 'message') Object.defineProperty(error, key, { value, enumerable: true, configurable: true, writable: true });
  }
  if (data.stack !== undefined) error.stack = data.stack;
  return error;
}
