/**
 * The benchmark's input data: one deterministic generator shared by the pre-loader, the embedded run and the
 * expected-output arithmetic, so every contender processes byte-identical records.
 */

/** The stateless filter drops amounts below this (about 5 % of records). BenchApp.MIN_AMOUNT must match. */
export const MIN_AMOUNT = 5;

/** Events carry user keys `u0..u{keys-1}`; the join table holds profiles for the first `tableSize` of them. */
export function tableSizeFor(keys) {
  return Math.min(keys, 100_000);
}

const AGENT = 'Mozilla/5.0 (X11; Linux x86_64) tributary-bench';
const COUNTRIES = ['DE', 'FR', 'US', 'GB', 'NL', 'SE', 'PL', 'ES'];

export function amountOf(i) {
  return ((i * 7919) % 10_000) / 100;
}

export function passesFilter(i) {
  return amountOf(i) >= MIN_AMOUNT;
}

/** The event object for record `i`; `pad` brings the JSON to about 200 bytes. */
export function eventValue(i, keys, ts) {
  return {
    id: i,
    user: `u${i % keys}`,
    page: `/catalog/item/${i % 1000}`,
    amount: amountOf(i),
    country: COUNTRIES[i % COUNTRIES.length],
    ts,
    agent: AGENT,
    pad: 'x'.repeat(40),
  };
}

export function eventRecord(i, keys, ts) {
  const value = eventValue(i, keys, ts);
  return { key: Buffer.from(value.user), value: Buffer.from(JSON.stringify(value)), timestamp: ts };
}

/** The join table's profile of user `j`. */
export function userProfile(j) {
  return { name: `User ${j}`, tier: ['gold', 'silver', 'bronze'][j % 3], since: 1_600_000_000_000 + j };
}

export function userRecord(j) {
  return { key: Buffer.from(`u${j}`), value: Buffer.from(JSON.stringify(userProfile(j))) };
}

/** Output records of the stateless case (one per record that passes the filter) and the join (one per record). */
export function expectedOutputs(benchCase, n) {
  if (benchCase === 'stateless') {
    let count = 0;
    for (let i = 0; i < n; i++) if (passesFilter(i)) count++;
    return count;
  }
  return n;
}

/**
 * Record timestamps of the pre-loaded topic: 1 ms apart, ending a minute before the run, so the windowed case
 * sees about n/60000 tumbling windows and no timestamp is in the broker's future.
 */
export function preloadBaseTimestamp(n, now) {
  return now - n - 60_000;
}

/** Record ids of the paced latency runs start here, apart from the pre-loaded ones. */
export const PACED_ID_BASE = 10_000_000;

export function pacedExpected(total) {
  let n = 0;
  for (let i = 0; i < total; i++) if (passesFilter(PACED_ID_BASE + i)) n++;
  return n;
}

/** A record the stateless filter keeps: the latency runs send it first and wait for its output. */
export const WARM_UP_ID = 1;
