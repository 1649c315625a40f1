/**
 * Prometheus metrics of one instance. Values are read from the thread's counters when scraped, so the processing
 * path only bumps plain numbers. Each instance has its own registry: several apps in one process do not collide.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { ThreadStats } from './thread-stats.js';

const STATES = ['CREATED', 'REBALANCING', 'RUNNING', 'PENDING_SHUTDOWN', 'NOT_RUNNING', 'PENDING_ERROR', 'ERROR'] as const;

export class StreamsMetrics {
  readonly registry = new Registry();

  constructor(applicationId: string, processId: string, read: () => { state: string; stats: ThreadStats; tasks: number; dropped: ReadonlyMap<string, number> }) {
    this.registry.setDefaultLabels({ application_id: applicationId, process_id: processId });
    const r = [this.registry];
    new Gauge({
      name: 'tributary_state',
      help: 'Life-cycle state of the instance (1 for the current state)',
      labelNames: ['state'],
      registers: r,
      collect() {
        const now = read().state;
        for (const s of STATES) this.set({ state: s }, s === now ? 1 : 0);
      },
    });
    let reported = 0;
    new Counter({
      name: 'tributary_records_processed_total',
      help: 'Records processed by this instance',
      registers: r,
      collect() {
        const total = read().stats.processed;
        this.inc(total - reported);
        reported = total;
      },
    });
    let commitsReported = 0;
    new Counter({
      name: 'tributary_commits_total',
      help: 'Commits (or committed transactions)',
      registers: r,
      collect() {
        const total = read().stats.commits;
        this.inc(total - commitsReported);
        commitsReported = total;
      },
    });
    new Gauge({
      name: 'tributary_commit_latency_ms',
      help: 'Duration of the last commit',
      registers: r,
      collect() {
        this.set(read().stats.lastCommitMs);
      },
    });
    new Gauge({
      name: 'tributary_consumer_lag_records',
      help: 'Records behind the end of each input partition',
      labelNames: ['partition'],
      registers: r,
      collect() {
        this.reset();
        for (const [p, lag] of read().stats.lag) this.set({ partition: p }, lag);
      },
    });
    new Gauge({
      name: 'tributary_restore_remaining_records',
      help: 'Changelog records left in the restore under way',
      registers: r,
      collect() {
        const { done, total } = read().stats.restoring;
        this.set(Math.max(0, total - done));
      },
    });
    new Gauge({
      name: 'tributary_restored_records',
      help: 'Changelog records restored since start',
      registers: r,
      collect() {
        this.set(read().stats.restoredRecords);
      },
    });
    new Gauge({
      name: 'tributary_dropped_records',
      help: 'Records dropped since start (late records, null keys, records skipped by error handlers), by reason',
      labelNames: ['reason'],
      registers: r,
      collect() {
        this.reset();
        for (const [reason, n] of read().dropped) this.set({ reason }, n);
      },
    });
    new Gauge({
      name: 'tributary_active_tasks',
      help: 'Tasks this instance runs',
      registers: r,
      collect() {
        this.set(read().tasks);
      },
    });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
