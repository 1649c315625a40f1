/**
 * When is a run finished? Watches a contender's output records and says when its output is complete, the same way
 * for the broker's output topics (the harness's watcher) and the embedded log (its in-process consumer).
 *
 * - stateless, join: one output per input that passes, so complete when that many outputs arrived.
 * - count, windowed: complete when every key (count) or every key and window (windowed) has shown its final count.
 *   With the record cache on, updates of a key are coalesced between commits, so the number of outputs is not known
 *   in advance (and differs between contenders); what is known is the final count per key, which a run reaches only
 *   after it consumed (and, with the cache, flushed at a commit) all its input. Caches off, the last output of each
 *   key is its final count, so the criterion is the same.
 *
 * `observe(key, value, ts)` takes one output (key and value Buffers, `ts` its time: the broker's append time, or the
 * receive time in-process) and returns true once complete; `state` has `outputs` (records seen), `firstTs` (earliest)
 * and `doneTs` (the time of the record that completed the output).
 */
import { expectedOutputs } from './records.mjs';
import { userNumberOf } from './formats.mjs';

export const WINDOW_MS = 60_000;

/** The exact number of records `i < n` with `i % keys === u`. */
function countOfUser(u, n, keys) {
  return u < n ? Math.floor((n - 1 - u) / keys) + 1 : 0;
}

/**
 * `{ benchCase, format, records, keys, base }`: `base` is the timestamp of record 0 (records are 1 ms apart), needed
 * for the windowed case's windows.
 */
export function completionFor({ benchCase, format, records, keys, base }) {
  const state = { outputs: 0, firstTs: undefined, doneTs: undefined, complete: false, expected: 0, reached: 0 };
  const seen = (ts) => {
    state.outputs++;
    if (state.firstTs === undefined || ts < state.firstTs) state.firstTs = ts;
  };

  if (benchCase === 'stateless' || benchCase === 'join') {
    state.expected = expectedOutputs(benchCase, records);
    return {
      kind: 'outputs',
      state,
      observe(_key, _value, ts) {
        seen(ts);
        if (state.doneTs === undefined || ts > state.doneTs) state.doneTs = ts;
        if (state.outputs >= state.expected) state.complete = true;
        return state.complete;
      },
    };
  }

  let finals;
  let cellOf;
  if (benchCase === 'count' || benchCase === 'stateful') {
    const users = Math.min(keys, records);
    finals = new Int32Array(users);
    for (let u = 0; u < users; u++) finals[u] = countOfUser(u, records, keys);
    cellOf = (key) => userNumberOf(format, key);
  } else if (benchCase === 'windowed') {
    const w0 = Math.floor(base / WINDOW_MS);
    const windows = Math.floor((base + records - 1) / WINDOW_MS) - w0 + 1;
    finals = new Int32Array(Math.min(keys, records) * windows);
    for (let i = 0; i < records; i++) finals[(i % keys) * windows + Math.floor((base + i) / WINDOW_MS) - w0]++;
    // Output keys are `<user>@<windowStart>`, the user as `u123` (string formats) or `123` (binary).
    cellOf = (key) => {
      const text = key.toString('latin1');
      const at = text.indexOf('@');
      const user = Number(text.slice(text[0] === 'u' ? 1 : 0, at));
      return user * windows + Number(text.slice(at + 1)) / WINDOW_MS - w0;
    };
  } else {
    throw new Error(`unknown case ${benchCase}`);
  }
  const reached = new Uint8Array(finals.length);
  for (const f of finals) if (f > 0) state.expected++;
  return {
    kind: 'final values',
    state,
    observe(key, value, ts) {
      seen(ts);
      const cell = cellOf(key);
      // Counts are 8-byte longs far below 2^31: the low word is the count.
      if (reached[cell] === 0 && value.readInt32BE(4) === finals[cell]) {
        reached[cell] = 1;
        state.reached++;
        if (state.doneTs === undefined || ts > state.doneTs) state.doneTs = ts;
        if (state.reached === state.expected) state.complete = true;
      }
      return state.complete;
    },
  };
}
