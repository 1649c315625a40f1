import { cleanerSteps } from './log-cleaner.js';
import type { PartitionLog } from './partition-log.js';
import type { Topic } from './topic-directory.js';

/** How often retention and compaction run (Kafka: `log.retention.check.interval.ms` 5 min, cleaner backoff 15 s). */
export const DEFAULT_CLEANER_INTERVAL_MS = 15000;
/** How long the cleaner works before letting the event loop run (it finishes the partition it is on). */
const CLEANER_SLICE_MS = 20;
/**
 * The share of the event loop a round may take while it has work left: after a slice the cleaner waits four times
 * as long, as Kafka throttles its cleaner (`log.cleaner.io.max.bytes.per.second`). Resumed with `setImmediate`, a
 * round's compactions took most of a busy loop for a second or more, and every app in the process fell behind.
 */
const CLEANER_LOOP_SHARE = 0.2;

/** The topics the cleaner works on. */
export interface CleanerHost {
  isClosed(): boolean;
  topics(): Iterable<Topic>;
  topic(name: string): Topic | undefined;
  /** A topic's config as the log applies it: its own settings over the log's defaults. */
  effectiveConfig(config: Readonly<Record<string, string>>): Readonly<Record<string, string>>;
}

/** Runs the cleaner (`log-cleaner.ts`) over every partition of a durable log: on a timer, or when asked. */
export class CleanerScheduler {
  private readonly timer: NodeJS.Timeout;
  /** The round under way, if any (see `cleanInSlices`). */
  private round: Promise<void> | null = null;

  constructor(
    private readonly host: CleanerHost,
    intervalMs: number,
  ) {
    this.timer = setInterval(() => void this.cleanInSlices(Date.now()), intervalMs);
    this.timer.unref();
  }

  /** One round of retention and compaction over every partition, at once. */
  clean(now: number): void {
    if (this.host.isClosed()) return;
    for (const topic of this.host.topics()) for (const p of topic.partitions) this.cleanPartition(topic, p, now);
  }

  /**
   * One round of retention and compaction over every partition, in slices of about `sliceMs` between which the event
   * loop runs for four times as long (the timer's rounds): a round over a busy log at once held the loop for seconds,
   * and one compaction pass over a partition of many segments for hundreds of milliseconds, so a slice may also end
   * between two segments of a partition. Resolves when the round is done; a round already under way is joined.
   */
  cleanInSlices(now: number, sliceMs: number = CLEANER_SLICE_MS): Promise<void> {
    if (this.host.isClosed()) return Promise.resolve();
    if (this.round !== null) return this.round;
    const queue: Array<[Topic, PartitionLog]> = [];
    for (const topic of this.host.topics()) for (const p of topic.partitions) queue.push([topic, p]);
    let finish!: () => void;
    const round = new Promise<void>((resolve) => (finish = resolve));
    this.round = round;
    /** The partition being cleaned, paused between two of its segments when a slice ran out. */
    let current: Cleaning | undefined;
    const slice = (): void => {
      const deadline = performance.now() + sliceMs;
      do {
        if (current === undefined) {
          const next = queue.shift();
          if (next !== undefined) current = this.cleaning(next[0], next[1], now);
        }
        // A topic deleted (or the log closed) since the round began is left alone.
        if (current !== undefined && (this.host.isClosed() || this.host.topic(current.topic.name) !== current.topic || step(current))) {
          current = undefined;
        }
      } while ((current !== undefined || queue.length > 0) && performance.now() < deadline);
      if ((current !== undefined || queue.length > 0) && !this.host.isClosed()) {
        const worked = performance.now() - (deadline - sliceMs);
        setTimeout(slice, Math.ceil((worked * (1 - CLEANER_LOOP_SHARE)) / CLEANER_LOOP_SHARE));
        return;
      }
      this.round = null;
      finish();
    };
    // Only once the round is registered: a round that ends within its first slice must not stay registered.
    slice();
    return round;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private cleanPartition(topic: Topic, p: PartitionLog, now: number): void {
    const cleaning = this.cleaning(topic, p, now);
    while (!step(cleaning));
  }

  private cleaning(topic: Topic, p: PartitionLog, now: number): Cleaning {
    return { topic, partition: p.partition, steps: cleanerSteps(p, this.host.effectiveConfig(topic.config), now) };
  }
}

/** One partition's retention and compaction, in steps (`cleanerSteps`). */
interface Cleaning {
  readonly topic: Topic;
  readonly partition: number;
  readonly steps: Generator<void, void, void>;
}

/** Runs one step of a partition's cleaning; true when it is over (done, or failed). */
function step(cleaning: Cleaning): boolean {
  try {
    return cleaning.steps.next().done === true;
  } catch (err) {
    // Retention and compaction only ever remove data the config allows to remove; failing leaves it in place.
    process.emitWarning(`log cleaner on ${cleaning.topic.name}-${cleaning.partition}: ${(err as Error).message}`, 'TributaryLogCleaner');
    return true;
  }
}
