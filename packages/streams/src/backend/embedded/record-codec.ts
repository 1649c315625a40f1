/**
 * The on-disk form of one log entry. Each entry is length-prefixed and checksummed so that a torn write at the tail
 * (a crash mid-append) is detected on load and cut off instead of corrupting what follows.
 *
 *   u32 bodyLength | u32 crc32(body) | body
 *   body: u8 kind | f64 offset | f64 txnId (0: none) | f64 timestamp | i32 keyLength (-1: null) | key
 *         | i32 valueLength (-1: null) | value | u16 headerCount | (u16 nameLength | name | i32 length | bytes)*
 */
import { crc32 } from 'node:zlib';

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

const FRAME = 8;
const FIXED_BODY = 1 + 8 + 8 + 8 + 4 + 4 + 2;

export function encodeEntry(
  kind: EntryKind,
  offset: number,
  txnId: number,
  timestamp: number,
  key: Buffer | null,
  value: Buffer | null,
  headers: Readonly<Record<string, Buffer>>,
): Buffer {
  let size = FIXED_BODY + (key?.length ?? 0) + (value?.length ?? 0);
  const names: Buffer[] = [];
  const values: Buffer[] = [];
  for (const name in headers) {
    const n = Buffer.from(name, 'utf8');
    const v = headers[name]!;
    names.push(n);
    values.push(v);
    size += 2 + n.length + 4 + v.length;
  }
  const buf = Buffer.allocUnsafe(FRAME + size);
  let pos = FRAME;
  buf.writeUInt8(kind, pos);
  pos += 1;
  buf.writeDoubleBE(offset, pos);
  pos += 8;
  buf.writeDoubleBE(txnId, pos);
  pos += 8;
  buf.writeDoubleBE(timestamp, pos);
  pos += 8;
  pos = writeBytes(buf, pos, key);
  pos = writeBytes(buf, pos, value);
  buf.writeUInt16BE(names.length, pos);
  pos += 2;
  for (let i = 0; i < names.length; i++) {
    const n = names[i]!;
    buf.writeUInt16BE(n.length, pos);
    pos += 2;
    n.copy(buf, pos);
    pos += n.length;
    pos = writeBytes(buf, pos, values[i]!);
  }
  buf.writeUInt32BE(size, 0);
  buf.writeUInt32BE(crc32(buf.subarray(FRAME)), 4);
  return buf;
}

function writeBytes(buf: Buffer, pos: number, bytes: Buffer | null): number {
  if (bytes === null) {
    buf.writeInt32BE(-1, pos);
    return pos + 4;
  }
  buf.writeInt32BE(bytes.length, pos);
  bytes.copy(buf, pos + 4);
  return pos + 4 + bytes.length;
}

/**
 * Decodes entries from a file's bytes. Returns them with the length of the valid prefix: anything after it is a torn
 * or corrupt tail the caller truncates.
 */
export function decodeEntries(data: Buffer): { entries: LogEntry[]; validLength: number } {
  const entries: LogEntry[] = [];
  let pos = 0;
  while (pos + FRAME <= data.length) {
    const size = data.readUInt32BE(pos);
    const end = pos + FRAME + size;
    if (size < FIXED_BODY || end > data.length) break;
    const body = data.subarray(pos + FRAME, end);
    if (crc32(body) !== data.readUInt32BE(pos + 4)) break;
    entries.push(decodeBody(body));
    pos = end;
  }
  return { entries, validLength: pos };
}

function decodeBody(body: Buffer): LogEntry {
  let pos = 0;
  const kind = body.readUInt8(pos) as EntryKind;
  pos += 1;
  const offset = body.readDoubleBE(pos);
  pos += 8;
  const txnId = body.readDoubleBE(pos);
  pos += 8;
  const timestamp = body.readDoubleBE(pos);
  pos += 8;
  const [key, afterKey] = readBytes(body, pos);
  const [value, afterValue] = readBytes(body, afterKey);
  pos = afterValue;
  const count = body.readUInt16BE(pos);
  pos += 2;
  const headers: Record<string, Buffer> = {};
  for (let i = 0; i < count; i++) {
    const nameLength = body.readUInt16BE(pos);
    pos += 2;
    const name = body.toString('utf8', pos, pos + nameLength);
    pos += nameLength;
    const [v, next] = readBytes(body, pos);
    headers[name] = v ?? Buffer.alloc(0);
    pos = next;
  }
  return { kind, offset, txnId, timestamp, key, value, headers };
}

function readBytes(body: Buffer, pos: number): [Buffer | null, number] {
  const length = body.readInt32BE(pos);
  if (length < 0) return [null, pos + 4];
  // Copied so that the file buffer read at load time can be garbage collected.
  return [Buffer.from(body.subarray(pos + 4, pos + 4 + length)), pos + 4 + length];
}
