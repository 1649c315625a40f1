/**
 * The on-disk form of one log entry. Each entry is length-prefixed and checksummed, so that a torn write at the tail
 * (a crash mid-append) and any damage elsewhere (a flipped bit) are detected on load; each carries its own offset, so
 * that entries are never renumbered by position and gaps (compaction, a repair) are visible.
 *
 *   u32 bodyLength | u32 crc32(body) | body
 *   body: u8 kind | f64 offset | f64 txnId (0: none) | f64 timestamp | i32 keyLength (-1: null) | key
 *         | i32 valueLength (-1: null) | value | u16 headerCount | (u16 nameLength | name | i32 length | bytes)*
 */
import { crc32 } from './crc32.js';

export const EntryKind = { Data: 0, CommitMarker: 1, AbortMarker: 2 } as const;
export type EntryKind = (typeof EntryKind)[keyof typeof EntryKind];

export interface LogEntry {
  readonly kind: EntryKind;
  readonly offset: number;
  readonly txnId: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, Buffer>>;
}

/** What a scan needs of an entry without copying its key and value. */
export interface EntryHeader {
  readonly kind: EntryKind;
  readonly offset: number;
  readonly txnId: number;
  readonly timestamp: number;
}

export const FRAME = 8;
export const FIXED_BODY = 1 + 8 + 8 + 8 + 4 + 4 + 2;
/** Larger bodies are taken for damage: Kafka's default `message.max.bytes` is 1 MiB; this leaves ample room. */
export const MAX_BODY = 256 * 1024 * 1024;

export function encodeEntry(
  kind: EntryKind,
  offset: number,
  txnId: number,
  timestamp: number,
  key: Buffer | null,
  value: Buffer | null,
  headers: Readonly<Record<string, Buffer>>,
): Buffer {
  const buf = Buffer.allocUnsafe(entrySize(key, value, headers));
  encodeEntryInto(buf, 0, kind, offset, txnId, timestamp, key, value, headers);
  return buf;
}

/** The encoded size of an entry, frame included. */
export function entrySize(key: Buffer | null, value: Buffer | null, headers: Readonly<Record<string, Buffer>>): number {
  let size = FRAME + FIXED_BODY + (key?.length ?? 0) + (value?.length ?? 0);
  for (const name in headers) size += 2 + Buffer.byteLength(name, 'utf8') + 4 + headers[name]!.length;
  return size;
}

/**
 * Encodes an entry at `pos` of `buf` (which must hold `entrySize` bytes from there) and returns the position after it:
 * a partition encodes its appends straight into the buffer it writes to the file, with no buffer per entry.
 */
export function encodeEntryInto(
  buf: Buffer,
  start: number,
  kind: EntryKind,
  offset: number,
  txnId: number,
  timestamp: number,
  key: Buffer | null,
  value: Buffer | null,
  headers: Readonly<Record<string, Buffer>>,
): number {
  let pos = start + FRAME;
  buf[pos] = kind;
  pos += 1;
  buf.writeDoubleBE(offset, pos);
  pos += 8;
  buf.writeDoubleBE(txnId, pos);
  pos += 8;
  buf.writeDoubleBE(timestamp, pos);
  pos += 8;
  pos = writeBytes(buf, pos, key);
  pos = writeBytes(buf, pos, value);
  const countAt = pos;
  pos += 2;
  let count = 0;
  for (const name in headers) {
    const length = buf.write(name, pos + 2, 'utf8');
    buf.writeUInt16BE(length, pos);
    pos = writeBytes(buf, pos + 2 + length, headers[name]!);
    count++;
  }
  buf.writeUInt16BE(count, countAt);
  buf.writeUInt32BE(pos - start - FRAME, start);
  buf.writeUInt32BE(crc32(buf, start + FRAME, pos), start + 4);
  return pos;
}

function writeBytes(buf: Buffer, pos: number, bytes: Buffer | null): number {
  if (bytes === null) {
    buf.writeInt32BE(-1, pos);
    return pos + 4;
  }
  buf.writeInt32BE(bytes.length, pos);
  buf.set(bytes, pos + 4);
  return pos + 4 + bytes.length;
}

/**
 * The frame at `pos` of `data`: its end (a valid entry), `'incomplete'` (the bytes end before its declared end:
 * a torn write if nothing valid follows) or `'corrupt'` (impossible length, checksum mismatch, inconsistent body).
 */
export function checkFrame(data: Buffer, pos: number): number | 'incomplete' | 'corrupt' {
  if (pos + FRAME > data.length) return 'incomplete';
  const size = data.readUInt32BE(pos);
  if (size < FIXED_BODY || size > MAX_BODY) return 'corrupt';
  const end = pos + FRAME + size;
  if (end > data.length) return 'incomplete';
  if (crc32(data, pos + FRAME, end) !== data.readUInt32BE(pos + 4)) return 'corrupt';
  return bodyIsConsistent(data.subarray(pos + FRAME, end)) ? end : 'corrupt';
}

/** Whether a frame of this declared size could start at `pos` (cheap pre-check before a CRC, used to resynchronise). */
export function plausibleFrameStart(data: Buffer, pos: number): boolean {
  if (pos + FRAME + 1 > data.length) return false;
  const size = data.readUInt32BE(pos);
  return size >= FIXED_BODY && size <= MAX_BODY && data[pos + FRAME]! <= EntryKind.AbortMarker;
}

export function frameSize(data: Buffer, pos: number): number {
  return FRAME + data.readUInt32BE(pos);
}

/** The entry's fixed fields; the frame must have passed `checkFrame`. */
export function readHeader(data: Buffer, pos: number): EntryHeader {
  const b = pos + FRAME;
  return {
    kind: data.readUInt8(b) as EntryKind,
    offset: data.readDoubleBE(b + 1),
    txnId: data.readDoubleBE(b + 9),
    timestamp: data.readDoubleBE(b + 17),
  };
}

/**
 * The offset a frame says it holds, without checking it (to step over entries before a read position: an entry
 * actually read is checked in full).
 */
export function entryOffset(data: Buffer, pos: number): number {
  return data.readDoubleBE(pos + FRAME + 1);
}

/** The key of a checked frame, without copying (a view into `data`). */
export function keyView(data: Buffer, pos: number): Buffer | null {
  const b = pos + FRAME + 25;
  const length = data.readInt32BE(b);
  return length < 0 ? null : data.subarray(b + 4, b + 4 + length);
}

/** Whether a checked frame's value is null (a tombstone). */
export function isTombstone(data: Buffer, pos: number): boolean {
  const b = pos + FRAME + 25;
  const keyLength = data.readInt32BE(b);
  return data.readInt32BE(b + 4 + Math.max(0, keyLength)) < 0;
}

/**
 * Checks the frame's checksum and decodes it in one pass (the read path: entries were fully verified when the log
 * opened, so the checksum alone tells damage since then). Null when the frame is cut short or damaged. Key, value
 * and headers are copied, so that `data` can be reused or garbage collected.
 */
export function decodeIfIntact(data: Buffer, pos: number): LogEntry | null {
  if (pos + FRAME > data.length) return null;
  const size = data.readUInt32BE(pos);
  const end = pos + FRAME + size;
  if (size < FIXED_BODY || end > data.length) return null;
  if (crc32(data, pos + FRAME, end) !== data.readUInt32BE(pos + 4)) return null;
  try {
    return decodeBody(data, pos + FRAME, end);
  } catch {
    return null;
  }
}

/** Decodes the entry at `pos` without checking it: for bytes this process encoded and kept in memory. */
export function decodeEntry(data: Buffer, pos: number): LogEntry {
  const start = pos + FRAME;
  return decodeBody(data, start, start + data.readUInt32BE(pos));
}

/** Up to `max` entries of a run kept in memory (entry `k` starts at `positions[k]`), from its `i`-th on. */
export function decodeRun(data: Buffer, positions: ArrayLike<number>, i: number, max: number): LogEntry[] {
  const out: LogEntry[] = [];
  for (let k = i; k < positions.length && out.length < max; k++) out.push(decodeEntry(data, positions[k]!));
  return out;
}

/** Decoded entries without headers share one (frozen) empty headers object. */
const NO_HEADERS: Readonly<Record<string, Buffer>> = Object.freeze({});

/**
 * The body at `data[start, end)`. Read in place, at absolute positions (a view of the body per entry was one more
 * object per record on the consumer's path); every variable part is checked to end within the body.
 */
function decodeBody(data: Buffer, start: number, end: number): LogEntry {
  const kind = data[start] as EntryKind;
  const offset = data.readDoubleBE(start + 1);
  const txnId = data.readDoubleBE(start + 9);
  const timestamp = data.readDoubleBE(start + 17);
  let p = start + 25;
  const keyLength = readInt32Within(data, p, end);
  const key = copyBytes(data, p + 4, keyLength, end);
  p += 4 + Math.max(0, keyLength);
  const valueLength = readInt32Within(data, p, end);
  const value = copyBytes(data, p + 4, valueLength, end);
  p += 4 + Math.max(0, valueLength);
  const count = readUInt16Within(data, p, end);
  p += 2;
  let headers = NO_HEADERS;
  if (count > 0) {
    const decoded: Record<string, Buffer> = {};
    for (let i = 0; i < count; i++) {
      const nameLength = readUInt16Within(data, p, end);
      p += 2;
      if (p + nameLength > end) throw new RangeError(`a header name of ${nameLength} bytes at ${p} runs past the entry`);
      const name = data.toString('utf8', p, p + nameLength);
      p += nameLength;
      const length = readInt32Within(data, p, end);
      decoded[name] = copyBytes(data, p + 4, length, end) ?? Buffer.alloc(0);
      p += 4 + Math.max(0, length);
    }
    headers = decoded;
  }
  return { kind, offset, txnId, timestamp, key, value, headers };
}

function readInt32Within(data: Buffer, p: number, end: number): number {
  if (p + 4 > end) throw new RangeError(`a length at ${p} runs past the entry`);
  return data.readInt32BE(p);
}

function readUInt16Within(data: Buffer, p: number, end: number): number {
  if (p + 2 > end) throw new RangeError(`a count at ${p} runs past the entry`);
  return data.readUInt16BE(p);
}

/**
 * A copy of `length` bytes at `start` (null for length -1), so that the chunk read can be reused. Copied with
 * `TypedArray#set` from a plain view: V8's own copy, where `Buffer#copy` went through argument checks and a native
 * binding per call (measured: a third of the decode).
 */
function copyBytes(data: Buffer, start: number, length: number, end: number): Buffer | null {
  if (length < 0) return null;
  if (start + length > end) throw new RangeError(`${length} bytes at ${start} run past the entry`);
  const out = Buffer.allocUnsafe(length);
  out.set(new Uint8Array(data.buffer, data.byteOffset + start, length));
  return out;
}

/** Walks the body's variable parts: a checksum only proves the bytes are the ones written, not that they parse. */
function bodyIsConsistent(body: Buffer): boolean {
  const kind = body[0]!;
  if (kind > EntryKind.AbortMarker) return false;
  const offset = body.readDoubleBE(1);
  const txnId = body.readDoubleBE(9);
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(txnId) || txnId < 0) return false;
  let p = 25;
  for (let i = 0; i < 2; i++) {
    const length = body.readInt32BE(p);
    p += 4 + Math.max(0, length);
    if (length < -1 || p + (i === 0 ? 6 : 2) > body.length) return false;
  }
  const count = body.readUInt16BE(p);
  p += 2;
  for (let i = 0; i < count; i++) {
    if (p + 2 > body.length) return false;
    p += 2 + body.readUInt16BE(p);
    if (p + 4 > body.length) return false;
    const length = body.readInt32BE(p);
    p += 4 + Math.max(0, length);
    if (length < -1 || p > body.length) return false;
  }
  return p === body.length;
}
