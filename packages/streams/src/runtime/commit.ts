/**
 * The commit: the one transactional unit of the runtime. Everything that makes progress durable happens here, in
 * this order (the steps are numbered as in Quix Streams' `Checkpoint.commit`, and match Kafka Streams' commit):
 *
 *   1. flush the stores: caches forward their dirty entries, change-logging stores have sent every change, and
 *      persistent stores are durable on disk;
 *   2. make the output durable: at-least-once flushes the producer (its records and the changelog records are
 *      acknowledged); exactly-once flushes inside the open transaction;
 *   3. commit the input offsets: at-least-once through the consumer group, after the output; exactly-once by adding
 *      them to the transaction and committing it, so output, changelogs and offsets become visible together;
 *   4. advance each task's changelog positions to what was written and, at-least-once, write the checkpoints
 *      (exactly-once writes them only when a task closes cleanly: while it runs its stores may hold writes of a
 *      transaction that is later aborted).
 *
 * A failure at any step leaves the steps after it undone, so nothing is ever committed past output that is not
 * durable. The owner of the commit also owns the transaction: it opens one when the first record of a batch is
 * processed and always finishes it here, since a transaction left open while idle is timed out by the broker and
 * fences the producer.
 */
import type { Consumer, Producer, TopicPartitionOffset } from '../backend/port.js';
import { isRetriable } from '../backend/port.js';
import { tpKey } from '../backend/topic-partition.js';
import type { ErrorHandlerSetting, Logger } from './config.js';
import { StreamsError } from './errors.js';

/** What the commit needs of a task. */
export interface CommittableTask {
  readonly id: string;
  readonly commitNeeded: boolean;
  /** Step 1: flush stores. */
  flushState(): void;
  /** Step 3: the next input offset to read per partition. */
  consumedOffsets(): TopicPartitionOffset[];
  /** Step 4. */
  readonly stateManager: {
    advance(written: ReadonlyMap<string, number>): void;
    /** At-least-once: checkpoints when the changelogs moved far enough since the last checkpoint. */
    maybeCheckpoint(): void;
  };
  markCommitted(): void;
}

export interface CommitOptions {
  readonly exactlyOnce: boolean;
  readonly productionExceptionHandler: ErrorHandlerSetting;
  readonly logger: Logger;
}

export interface CommitResult {
  /** Tasks whose progress was committed. */
  readonly committed: number;
  /** The input offsets committed (next offset to read per partition). */
  readonly offsets: ReadonlyArray<TopicPartitionOffset>;
  readonly durationMs: number;
}

export class Commit {
  private transactionOpen = false;

  constructor(
    private producer: Producer,
    private consumer: Consumer,
    private readonly options: CommitOptions,
  ) {}

  /** Whether a transaction is open (exactly-once). */
  get inTransaction(): boolean {
    return this.transactionOpen;
  }

  /** After the consumer was replaced (thread-recovery.ts): later commits use the new one's group metadata. */
  useConsumer(consumer: Consumer): void {
    this.consumer = consumer;
  }

  /** After the producer was replaced (fenced or in a fatal state): later commits use the new one. */
  useProducer(producer: Producer): void {
    this.producer = producer;
    this.transactionOpen = false;
  }

  /** Exactly-once: opens a transaction unless one is open. At-least-once: nothing. */
  async begin(): Promise<void> {
    if (!this.options.exactlyOnce || this.transactionOpen) return;
    await this.producer.beginTransaction();
    this.transactionOpen = true;
  }

  /** Commits the progress of `tasks` (those that need no commit are skipped). */
  async commit(tasks: Iterable<CommittableTask>): Promise<CommitResult> {
    const started = Date.now();
    const due = [...tasks].filter((t) => t.commitNeeded);
    // An open transaction is always finished, even with nothing to commit (punctuation output, or nothing).
    if (due.length === 0 && !this.transactionOpen) return { committed: 0, offsets: [], durationMs: 0 };
    if (this.options.exactlyOnce) await this.begin();

    // 1. Flush the stores.
    for (const task of due) task.flushState();
    const offsets = due.flatMap((t) => t.consumedOffsets());

    let written: TopicPartitionOffset[];
    if (this.options.exactlyOnce) {
      // 2. Output durable inside the transaction.
      written = await this.producer.flush();
      // 3. Offsets into the transaction, then commit output, changelogs and offsets at once.
      if (offsets.length > 0) await this.producer.sendOffsetsToTransaction(offsets, this.consumer.groupMetadata());
      await this.producer.commitTransaction();
      this.transactionOpen = false;
    } else {
      // 2. Output durable.
      written = await this.flushOutput();
      // 3. Offsets, only after the output they depend on.
      if (offsets.length > 0) await this.consumer.commit(offsets);
    }

    // 4. Changelog positions and checkpoints.
    const next = new Map(written.map((w) => [tpKey(w.topic, w.partition), w.offset + 1]));
    for (const task of due) {
      task.stateManager.advance(next);
      if (!this.options.exactlyOnce) task.stateManager.maybeCheckpoint();
      task.markCommitted();
    }
    return { committed: due.length, offsets, durationMs: Date.now() - started };
  }

  /**
   * Abandons the open transaction (exactly-once): none of its output, changelog records or offsets become visible.
   * Rejects when the abort itself fails; the caller then replaces the producer, whose initialisation aborts it.
   */
  async abort(): Promise<void> {
    if (!this.transactionOpen) return;
    this.transactionOpen = false;
    await this.producer.abortTransaction();
  }

  /**
   * At-least-once: a record the broker rejected goes to the production exception handler. `fail` stops before the
   * input offsets are committed (the records are read again after a restart); `logAndContinue` gives the record
   * up, as Kafka Streams' handler does with CONTINUE.
   */
  private async flushOutput(): Promise<TopicPartitionOffset[]> {
    try {
      return await this.producer.flush();
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      if (isRetriable(err)) throw err;
      const setting = this.options.productionExceptionHandler;
      const response =
        setting === 'fail'
          ? 'fail'
          : setting === 'logAndContinue'
            ? 'continue'
            : setting(err, { taskId: '', topic: undefined, partition: undefined, offset: undefined, timestamp: Date.now(), processorName: undefined });
      if (response === 'fail') throw new StreamsError(`Producing output failed: ${err.message}`, { cause: err });
      this.options.logger.warn({ err: err.message }, 'a produced record was rejected; continuing as the production exception handler says');
      return [];
    }
  }
}
