/**
 * A stream thread's recovery from task migrations and retriable errors (see `failure.ts` for what is which): it
 * decides whether an error is recovered from — with back-off and for at most `taskTimeoutMs` without progress — and
 * rebuilds the thread's tasks from committed state: abort, rewind to what was committed, create the tasks again.
 */
import type { Consumer, Producer, TopicPartition } from '../backend/port.js';
import { needsNewClient } from '../backend/port.js';
import type { Commit } from './commit.js';
import type { Logger } from './config.js';
import { classifyFailure, RetryPolicy } from './failure.js';
import type { TaskManager } from './task-manager.js';
import type { ThreadStats } from './thread-stats.js';

/** What recovery rebuilds: the thread's clients and tasks. */
export interface RecoveryTarget {
  /** The thread's consumer now (recovery may replace it). */
  consumer(): Consumer;
  /**
   * Closes the consumer and creates and subscribes a new one; its group assignment then creates the tasks (as after
   * a rebalance).
   */
  replaceConsumer(): Promise<void>;
  readonly tasks: TaskManager;
  readonly commitUnit: Commit;
  /** The thread's producer; undefined when replacing it failed half-way. */
  producer(): Producer | undefined;
  /** Closes the producer (if any) and creates the thread's producer anew. */
  replaceProducer(): Promise<Producer>;
  /** Creates the tasks of `partitions`, restoring their state (as after a rebalance). */
  reassign(partitions: ReadonlyArray<TopicPartition>): Promise<void>;
}

/** How long reading the committed offsets may keep failing before the consumer is replaced (`consumerSeemsStuck`). */
const CONSUMER_STUCK_MS = 60_000;

export class ThreadRecovery {
  /** Set while the tasks must be rebuilt from committed state before processing goes on. */
  recovering = false;
  /** Set when an error left the producer fenced or in a fatal state: recovery replaces it. */
  producerUnusable = false;
  private readonly retries: RetryPolicy;
  /** When reading the committed offsets first failed in the current run of failures; undefined after a success. */
  private committedFailingSince: number | undefined;
  /** Set from the decision to replace the consumer until a new one is subscribed (creating it may fail and be retried). */
  private replacingConsumer = false;

  constructor(
    taskTimeoutMs: number,
    private readonly logger: Logger,
    private readonly stats: ThreadStats,
    private readonly exactlyOnce: boolean,
    private readonly now: () => number = Date.now,
  ) {
    this.retries = new RetryPolicy(taskTimeoutMs);
  }

  /** Decides what an error means: waits before a recovery, or rethrows when the thread must stop. */
  async onError(error: unknown): Promise<void> {
    const kind = classifyFailure(error);
    if (kind === 'fatal') throw error;
    const { delayMs, failingForMs } = this.retries.onFailure(error);
    this.stats.retriableErrors++;
    this.logger.warn(
      { err: errorText(error), kind, failingForMs, retryInMs: delayMs },
      kind === 'task-migrated' ? 'tasks migrated; rejoining from committed state' : 'retriable error; retrying from committed state',
    );
    this.recovering = true;
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }

  /** An error on the way through processing or commit: notes whether it left the producer unusable. */
  noteProducerState(error: unknown): void {
    const kind = classifyFailure(error);
    // A wrapper (ProcessorError) keeps the client's error as its cause: needsNewClient looks down the chain.
    if (kind === 'task-migrated' || needsNewClient(error)) this.producerUnusable = true;
  }

  /** A commit went through: a run of failures is over. */
  progressed(): void {
    this.retries.progressed();
  }

  /**
   * Rebuilds from committed state: the open transaction is aborted, tasks are closed dirty, the consumer rewinds to
   * the committed offsets and the tasks are created again from their changelogs. Under exactly-once nothing of the
   * failed transaction is visible, so processing resumes with no duplicate and no gap. Any step may fail again while
   * the cluster is away; the loop then retries the whole recovery.
   *
   * Exactly-once also replaces the producer every time, as Kafka Streams re-initialises a thread's producer after it
   * lost its tasks: the new producer's initialisation aborts, on the broker, whatever transaction the transactional id
   * left open. The abort above cannot always do that. When the broker goes away while an AddPartitionsToTxn or
   * TxnOffsetCommit is in flight, librdkafka may believe the transaction holds nothing and abort it locally only,
   * while the broker keeps it open. Until the broker times it out, that transaction holds back the last stable offset
   * of the partitions it wrote (read-committed readers of the repartition topic stop there), and if it held offsets,
   * every fetch of the group's committed offsets answers UNSTABLE_OFFSET_COMMIT and times out. The first was seen
   * after a broker restart (a thread without progress for 45 s, until the broker fenced its producer); the second is
   * the likely cause of a CI run whose thread could not read its offsets for four minutes.
   */
  async recover(target: RecoveryTarget): Promise<void> {
    const { tasks, commitUnit } = target;
    try {
      await commitUnit.abort();
    } catch (error) {
      this.logger.warn({ err: errorText(error) }, 'abort failed; replacing the producer');
      this.producerUnusable = true;
    }
    tasks.closeDirty();
    if (this.exactlyOnce || this.producerUnusable || target.producer() === undefined) {
      // Exactly-once: initialising a producer with our transactional id aborts whatever transaction was left open.
      commitUnit.useProducer(await target.replaceProducer());
      this.producerUnusable = false;
    }
    if (this.replacingConsumer || this.consumerSeemsStuck()) {
      await this.replaceConsumer(target);
      return;
    }
    const consumer = target.consumer();
    const assignment = consumer.assignment();
    const committed = await consumer.committed(assignment).catch((error: unknown) => {
      this.committedFailingSince ??= this.now();
      throw error;
    });
    this.committedFailingSince = undefined;
    // Only partitions without a committed offset need their log start: each ListOffsets round trip may be the one
    // that waits for a broker that has just gone away.
    const uncommitted = committed.filter((c) => c.offset < 0);
    const begins = uncommitted.length > 0 ? await consumer.beginningOffsets(uncommitted) : [];
    for (const c of committed) {
      const begin = begins.find((b) => b.topic === c.topic && b.partition === c.partition)?.offset ?? 0;
      consumer.seek({ topic: c.topic, partition: c.partition, offset: c.offset >= 0 ? c.offset : begin });
    }
    await target.reassign(assignment);
    this.recovering = false;
    this.stats.recoveries++;
    this.logger.info({ pausedMs: this.retries.failingForMs() }, 'recovered; processing again');
  }

  /**
   * Reading the committed offsets has failed for a minute. After a broker froze and came back fenced, a librdkafka
   * consumer whose brokers had all been dropped from its metadata kept looking for its group coordinator and never
   * found one — five minutes on end, until the task timeout stopped the app — while a new consumer of the same group
   * read the offsets at once. That cause is patched (tools/librdkafka/metadata-without-brokers.patch); this is for
   * any other way a consumer gets stuck. Also harmless when the cluster is really away: the new one waits like the
   * old would have.
   */
  private consumerSeemsStuck(): boolean {
    return this.committedFailingSince !== undefined && this.now() - this.committedFailingSince >= CONSUMER_STUCK_MS;
  }

  private async replaceConsumer(target: RecoveryTarget): Promise<void> {
    if (!this.replacingConsumer) {
      this.logger.warn(
        { failingForMs: this.now() - (this.committedFailingSince ?? this.now()) },
        'committed offsets unreadable for long; replacing the consumer',
      );
      this.replacingConsumer = true;
      this.committedFailingSince = undefined;
    }
    await target.replaceConsumer();
    this.replacingConsumer = false;
    // The tasks are closed; the new consumer's assignment creates them from their committed offsets.
    this.recovering = false;
    this.stats.recoveries++;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
