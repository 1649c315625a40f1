/** Latency percentiles (ms) of a list of samples. */
export function percentiles(samples) {
  if (samples.length === 0) return { p50: null, p95: null, p99: null, max: null };
  const s = Float64Array.from(samples).sort();
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: s[s.length - 1] };
}
