/**
 * The String workload of the client-ceiling and A/B measurements (bench/lib/client-ceilings.mjs,
 * bench/lib/string-ab.mjs): small String records (about 20 bytes of value) over `keys` keys, so the per-record cost
 * of the client hand-off and the runtime dominates, not serde or payload size. One deterministic generator, shared by
 * the pre-loader and the expected-output arithmetic; bench/jvm/.../StringBenchApp.java computes the same.
 */

/** Key of record `i`: `k0..k{keys-1}`. */
export function stringKey(i, keys) {
  return `k${i % keys}`;
}

/** Value of record `i`: `u<group>|<12-digit id>`, 17-18 bytes; `u<group>` is what the groupBy case groups by. */
export function stringValue(i, keys) {
  return `u${(i * 7919) % keys}|${String(i).padStart(12, '0')}`;
}

/** The stateless filter keeps values whose last digit is not 7 (it drops 10 %). */
export function keepsValue(value) {
  return value.charCodeAt(value.length - 1) !== 55;
}

/** Output records each case produces for records 0..n-1 (caches off: one update per input). */
export function expectedStringOutputs(benchCase, n) {
  if (benchCase !== 'stateless') return n;
  let count = 0;
  for (let i = 0; i < n; i++) if (i % 10 !== 7) count++;
  return count;
}
