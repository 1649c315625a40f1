/**
 * 8-byte big-endian two's complement integers (Kafka's longs: timestamps in stores and window keys, LongSerde) read
 * and written as JS numbers, in two 32-bit halves. The BigInt round trip this replaces allocated a BigInt per call,
 * and these sit on the per-record path of every timestamped and windowed store.
 */
const TWO_32 = 4294967296;

/**
 * Writes the integer `value` at `offset`. Throws a RangeError, as `writeBigInt64BE(BigInt(value))` does, for a
 * value that is not an integer or does not fit 64 bits.
 */
export function writeInt64BE(buf: Buffer, value: number, offset: number): void {
  if (!Number.isInteger(value)) throw new RangeError(`The value ${value} is not an integer`);
  // Math.floor keeps the sign in the high half (writeInt32BE rejects one beyond 32 bits); >>> 0 is the low half
  // modulo 2^32, negative values included.
  buf.writeInt32BE(Math.floor(value / TWO_32), offset);
  buf.writeUInt32BE(value >>> 0, offset + 4);
}

/**
 * Reads the integer at `offset`: exact within ±(2^53 - 1); beyond that rounded to the nearest double, as
 * `Number(readBigInt64BE())`.
 */
export function readInt64BE(buf: Buffer, offset: number): number {
  return buf.readInt32BE(offset) * TWO_32 + buf.readUInt32BE(offset + 4);
}
