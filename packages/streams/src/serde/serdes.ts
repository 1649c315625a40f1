import { SerializationError, type Serde } from './serde.js';
import { validateSync, type JsonSchema } from './standard-schema.js';
import { readInt64BE, writeInt64BE } from './int64.js';

function serde<T>(
  serialize: (topic: string, data: T) => Buffer,
  deserialize: (topic: string, data: Buffer) => T,
): Serde<T> {
  return {
    serialize: (topic, data) => (data === null || data === undefined ? null : serialize(topic, data)),
    deserialize: (topic, data) => (data === null || data === undefined ? null : deserialize(topic, data)),
  };
}

function expectLength(topic: string, data: Buffer, length: number, type: string): void {
  if (data.length !== length) {
    throw new SerializationError(topic, `${type} needs ${length} bytes, got ${data.length}`);
  }
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

const stringSerde = serde<string>(
  (_topic, data) => Buffer.from(data, 'utf8'),
  (topic, data) => {
    try {
      return fatalUtf8.decode(data);
    } catch (cause) {
      throw new SerializationError(topic, 'malformed UTF-8 string', { cause });
    }
  },
);

const integerSerde = serde<number>(
  (topic, data) => {
    if (!Number.isInteger(data) || data < -0x80000000 || data > 0x7fffffff) {
      throw new SerializationError(topic, `${data} is not a 32-bit integer`);
    }
    const out = Buffer.allocUnsafe(4);
    out.writeInt32BE(data, 0);
    return out;
  },
  (topic, data) => {
    expectLength(topic, data, 4, 'integer');
    return data.readInt32BE(0);
  },
);

// JS numbers hold integers exactly only up to 2^53; beyond that a long cannot round-trip, so refuse it.
const longSerde = serde<number>(
  (topic, data) => {
    if (!Number.isSafeInteger(data)) throw new SerializationError(topic, `${data} is not a safe integer long`);
    const out = Buffer.allocUnsafe(8);
    writeInt64BE(out, data, 0);
    return out;
  },
  (topic, data) => {
    expectLength(topic, data, 8, 'long');
    // Exact whenever the long fits; one that does not rounds to 2^53 or beyond, which is not a safe integer.
    const value = readInt64BE(data, 0);
    if (!Number.isSafeInteger(value)) {
      throw new SerializationError(topic, `long ${data.readBigInt64BE(0)} does not fit a JS number exactly`);
    }
    return value;
  },
);

const doubleSerde = serde<number>(
  (_topic, data) => {
    const out = Buffer.allocUnsafe(8);
    out.writeDoubleBE(data, 0);
    return out;
  },
  (topic, data) => {
    expectLength(topic, data, 8, 'double');
    return data.readDoubleBE(0);
  },
);

const bytesSerde = serde<Buffer>(
  (_topic, data) => data,
  (_topic, data) => data,
);

function jsonSerde<T>(schema?: JsonSchema<T>): Serde<T> {
  return serde<T>(
    (topic, data) => {
      let text: string | undefined;
      try {
        text = JSON.stringify(data);
      } catch (cause) {
        throw new SerializationError(topic, 'value cannot be written as JSON', { cause });
      }
      if (text === undefined) throw new SerializationError(topic, 'value cannot be written as JSON');
      return Buffer.from(text, 'utf8');
    },
    (topic, data) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(fatalUtf8.decode(data));
      } catch (cause) {
        throw new SerializationError(topic, 'malformed JSON', { cause });
      }
      if (schema === undefined) return parsed as T;
      const outcome = validateSync(schema, parsed);
      if (!outcome.ok) throw new SerializationError(topic, `schema validation failed: ${outcome.message}`);
      return outcome.value;
    },
  );
}

/** Factories for the common serdes, as Kafka's `Serdes`. Every serde maps null to null (tombstones). */
export const Serdes = {
  string: (): Serde<string> => stringSerde,
  /** 4-byte big-endian two's complement (Kafka's IntegerSerde). */
  integer: (): Serde<number> => integerSerde,
  /** 8-byte big-endian two's complement (Kafka's LongSerde); values must be safe integers (|n| <= 2^53 - 1). */
  long: (): Serde<number> => longSerde,
  /** 8-byte big-endian IEEE 754 (Kafka's DoubleSerde). */
  double: (): Serde<number> => doubleSerde,
  bytes: (): Serde<Buffer> => bytesSerde,
  /** UTF-8 JSON; with a zod or Standard Schema the deserialized value is validated (synchronously). */
  json: <T = unknown>(schema?: JsonSchema<T>): Serde<T> => jsonSerde(schema),
} as const;
