/** Turns values into bytes and back. `null` is a tombstone and passes through every serde as `null`. */
export interface Serde<T> {
  serialize(topic: string, data: T | null): Buffer | null;
  deserialize(topic: string, data: Buffer | null): T | null;
}

/** Thrown for malformed bytes or schema mismatches; always names the topic. */
export class SerializationError extends Error {
  override readonly name = 'SerializationError';
  constructor(
    readonly topic: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${message} (topic "${topic}")`, options);
  }
}
