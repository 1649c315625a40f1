/**
 * 64-bit big-endian two's complement integers to and from JS numbers without BigInt: longs (Kafka's LongSerde) and
 * the timestamps of timestamped store values are written and read once or twice per record, and a BigInt on each of
 * them cost more than the rest of the conversion.
 */

const TWO_32 = 4294967296;

/** Writes a safe integer as 8 bytes; anything else goes through BigInt (which throws for a non-integer, as before). */
export function writeInt64BE(buf: Buffer, value: number, offset: number): void {
  checkBounds(buf, offset);
  if (!Number.isSafeInteger(value)) {
    buf.writeBigInt64BE(BigInt(value), offset);
    return;
  }
  const hi = Math.floor(value / TWO_32);
  const lo = value - hi * TWO_32;
  buf[offset] = hi >>> 24;
  buf[offset + 1] = hi >>> 16;
  buf[offset + 2] = hi >>> 8;
  buf[offset + 3] = hi;
  buf[offset + 4] = lo >>> 24;
  buf[offset + 5] = lo >>> 16;
  buf[offset + 6] = lo >>> 8;
  buf[offset + 7] = lo;
}

/**
 * Reads 8 bytes as a number: exact within ±2^53, beyond that rounded to the nearest double (as `Number(bigint)`).
 */
export function readInt64BE(buf: Buffer, offset: number): number {
  checkBounds(buf, offset);
  const hi = (buf[offset]! << 24) | (buf[offset + 1]! << 16) | (buf[offset + 2]! << 8) | buf[offset + 3]!;
  const lo = ((buf[offset + 4]! << 24) | (buf[offset + 5]! << 16) | (buf[offset + 6]! << 8) | buf[offset + 7]!) >>> 0;
  return hi * TWO_32 + lo;
}

/** As Buffer's own 64-bit accessors, an offset outside the buffer throws rather than reading or writing nothing. */
function checkBounds(buf: Buffer, offset: number): void {
  if (!(offset >= 0 && offset + 8 <= buf.length)) throw new RangeError(`offset ${offset} is out of range for 8 bytes of a ${buf.length}-byte buffer`);
}
