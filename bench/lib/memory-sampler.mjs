/**
 * Where a Node child's memory went: peaks of the V8 heap and of off-heap buffers, sampled every 250 ms, so the
 * harness can split the peak RSS into JavaScript heap, Buffers and the rest (native libraries, mapped files).
 */
export function startMemorySampler() {
  const peak = { heapUsedMiB: 0, heapTotalMiB: 0, externalMiB: 0, arrayBuffersMiB: 0 };
  const mib = (n) => Math.round(n / 104857.6) / 10;
  const sample = () => {
    const m = process.memoryUsage();
    peak.heapUsedMiB = Math.max(peak.heapUsedMiB, mib(m.heapUsed));
    peak.heapTotalMiB = Math.max(peak.heapTotalMiB, mib(m.heapTotal));
    peak.externalMiB = Math.max(peak.externalMiB, mib(m.external));
    peak.arrayBuffersMiB = Math.max(peak.arrayBuffersMiB, mib(m.arrayBuffers));
  };
  const timer = setInterval(sample, 250);
  timer.unref();
  return {
    /** The peaks so far, as one `MEMORY {json}` line for the harness. */
    report() {
      sample();
      return `MEMORY ${JSON.stringify(peak)}`;
    },
  };
}
