/** Latency bookkeeping for the load generator: exact percentiles over every sample (runs are bounded). */
export class LatencyStats {
  private readonly samples: number[] = [];
  private sorted = new Float64Array(0);

  add(ms: number): void {
    this.samples.push(ms);
  }

  get count(): number {
    return this.samples.length;
  }

  /** Nearest-rank percentile, `p` in (0, 100]; NaN without samples. */
  percentile(p: number): number {
    if (this.samples.length === 0) return Number.NaN;
    const sorted = this.sortedSamples();
    const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
    return sorted[rank - 1] ?? Number.NaN;
  }

  /** Sorted once per new sample count: progress lines ask for several percentiles a second of a long run. */
  private sortedSamples(): Float64Array {
    if (this.sorted.length !== this.samples.length) this.sorted = Float64Array.from(this.samples).sort();
    return this.sorted;
  }
}
