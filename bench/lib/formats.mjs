/**
 * The three wire formats of the benchmark's records, on the Node side (bench/jvm/.../*Format.java are the JVM side;
 * change both together): what the pre-loader writes, which serdes the Tributary topologies use, and the few field
 * accessors the topologies need, so one topology per case serves every format.
 *
 * - string: UTF-8 CSV values (`id,user,page,amount,country,ts,agent,pad`, about 140 bytes), string keys `u<n>`;
 *   the topology splits the line and reads fields by position.
 * - json: the JSON events of records.mjs (about 213 bytes), string keys; the topology parses to an object.
 * - binary: a fixed-layout 34-byte big-endian record (`id` i64, `ts` i64, `user` i64, `amountCents` i32, `page`
 *   i32, `country` 2 ASCII bytes), 8-byte long keys (the user number), decoded to an object by a custom serde.
 *
 * Every format carries the same fields for record `i`, so filters keep the same records and counts are the same.
 */
import { MIN_AMOUNT, amountOf, eventRecord, eventValue, userProfile, userRecord } from './records.mjs';

export const FORMATS = ['string', 'json', 'binary'];

const MIN_CENTS = MIN_AMOUNT * 100;

function longBuffer(n) {
  const b = Buffer.allocUnsafe(8);
  b.writeBigInt64BE(BigInt(n), 0);
  return b;
}

/** The first 28 bytes of both binary layouts: id, ts, user (i64), amountCents (i32). */
function binaryHead(size, v) {
  const b = Buffer.allocUnsafe(size);
  b.writeBigInt64BE(BigInt(v.id), 0);
  b.writeBigInt64BE(BigInt(v.ts), 8);
  b.writeBigInt64BE(BigInt(v.user), 16);
  b.writeInt32BE(v.amountCents, 24);
  return b;
}

/** The binary event layout (34 bytes): the head, page (i32), country (2 bytes). */
function encodeBinaryEvent(e) {
  const b = binaryHead(34, e);
  b.writeInt32BE(e.page, 28);
  b.write(e.country, 32, 2, 'latin1');
  return b;
}

function decodeBinaryEvent(b) {
  return {
    id: Number(b.readBigInt64BE(0)),
    ts: Number(b.readBigInt64BE(8)),
    user: Number(b.readBigInt64BE(16)),
    amountCents: b.readInt32BE(24),
    page: b.readInt32BE(28),
    country: b.toString('latin1', 32, 34),
  };
}

/** The binary summary layout (30 bytes): the head, country lower-cased (2 bytes). */
function encodeBinarySummary(v) {
  const b = binaryHead(30, v);
  b.write(v.country, 28, 2, 'latin1');
  return b;
}

function customSerde(serialize, deserialize) {
  return {
    serialize: (_topic, v) => (v === null || v === undefined ? null : serialize(v)),
    deserialize: (_topic, b) => (b === null || b === undefined ? null : deserialize(b)),
  };
}

/** The JSON format's field functions (also used by flow-app.mjs, which runs the JSON format only). */
export const JSON_FUNCTIONS = {
  keep: (v) => v.amount >= MIN_AMOUNT,
  summarize: (v) => ({ id: v.id, user: v.user, amountCents: Math.round(v.amount * 100), country: v.country.toLowerCase(), ts: v.ts }),
  userOf: (v) => v.user,
  enrich: (event, user) => ({
    id: event.id,
    user: event.user,
    amount: event.amount,
    ts: event.ts,
    name: user === null || user === undefined ? null : user.name,
    tier: user === null || user === undefined ? null : user.tier,
  }),
};

const csvUser = (v) => v.slice(v.indexOf(',') + 1, v.indexOf(',', v.indexOf(',') + 1));

/**
 * Per format: `event(i, keys, ts)` and `user(j)` (undefined: the format has no join table) as `{key, value}` Buffers
 * for the pre-loader; `tributary(lib)` the serdes and field functions of the Tributary topologies (topologies.mjs).
 */
export const FORMAT = {
  string: {
    event(i, keys, ts) {
      const e = eventValue(i, keys, ts);
      const line = `${e.id},${e.user},${e.page},${e.amount},${e.country},${e.ts},${e.agent},${e.pad}`;
      return { key: Buffer.from(e.user), value: Buffer.from(line), timestamp: ts };
    },
    user(j) {
      const u = userProfile(j);
      return { key: Buffer.from(`u${j}`), value: Buffer.from(`${u.name},${u.tier},${u.since}`) };
    },
    tributary(lib) {
      const S = lib.Serdes.string();
      return {
        key: S,
        event: S,
        summary: S,
        user: S,
        enriched: S,
        keep: (v) => Number(v.split(',')[3]) >= MIN_AMOUNT,
        summarize: (v) => {
          const f = v.split(',');
          return `${f[0]},${f[1]},${Math.round(Number(f[3]) * 100)},${f[4].toLowerCase()},${f[5]}`;
        },
        userOf: (v) => csvUser(v),
        enrich: (v, u) => {
          const f = v.split(',');
          const p = u === null || u === undefined ? ['', ''] : u.split(',');
          return `${f[0]},${f[1]},${f[3]},${f[5]},${p[0]},${p[1]}`;
        },
      };
    },
  },
  json: {
    event: eventRecord,
    user: userRecord,
    tributary(lib) {
      const S = lib.Serdes.string();
      const J = lib.Serdes.json();
      return {
        key: S,
        event: J,
        summary: J,
        user: J,
        enriched: J,
        ...JSON_FUNCTIONS,
      };
    },
  },
  binary: {
    event(i, keys, ts) {
      const e = eventValue(i, keys, ts);
      const user = i % keys;
      const value = encodeBinaryEvent({ id: i, ts, user, amountCents: Math.round(amountOf(i) * 100), page: i % 1000, country: e.country });
      return { key: longBuffer(user), value, timestamp: ts };
    },
    user: undefined,
    tributary(lib) {
      const L = lib.Serdes.long();
      return {
        key: L,
        event: customSerde(encodeBinaryEvent, decodeBinaryEvent),
        summary: customSerde(encodeBinarySummary, () => {
          throw new Error('binary summaries are only written');
        }),
        user: undefined,
        enriched: undefined,
        keep: (v) => v.amountCents >= MIN_CENTS,
        summarize: (v) => ({ id: v.id, ts: v.ts, user: v.user, amountCents: v.amountCents, country: v.country.toLowerCase() }),
        userOf: (v) => v.user,
        enrich: undefined,
      };
    },
  },
};

/** The user number of an output key: `u123` (string formats) or an 8-byte long (binary). */
export function userNumberOf(format, key) {
  if (format === 'binary') return Number(key.readBigInt64BE(0));
  return Number(key.toString('latin1', 1));
}

export function formatOf(name) {
  const f = FORMAT[name];
  if (f === undefined) throw new Error(`unknown format ${name} (one of ${FORMATS.join(', ')})`);
  return f;
}
