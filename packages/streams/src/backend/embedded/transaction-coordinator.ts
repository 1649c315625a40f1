import { ProducerFencedError } from '../port.js';
import { toTriples, type ConsumerGroups } from './consumer-groups.js';
import type { MetaStore } from './meta-store.js';
import type { Signal } from './signal.js';
import { Txn } from './transaction.js';

interface TransactionalProducerState {
  epoch: number;
  txn: Txn | null;
}

/** What a transaction touches besides its partitions. */
export interface TransactionHost {
  readonly signal: Signal;
  readonly groups: ConsumerGroups;
  /** With a data directory; null in memory only, where a commit needs nothing on disk. */
  meta(): MetaStore | null;
  /** Throws once the log is closed. */
  ensureOpen(): void;
  isClosed(): boolean;
}

/**
 * The transaction coordinator: producer epochs per transactional id (a newer producer fences older ones), transaction
 * ids, and the completion of transactions, whose records and group offsets become visible together.
 */
export class TransactionCoordinator {
  private readonly producers = new Map<string, TransactionalProducerState>();
  private nextTxnId = 1;

  constructor(private readonly host: TransactionHost) {}

  /** Keeps ids up to `id` from being given out again: they were found on disk. */
  reserveIdsThrough(id: number): void {
    if (id >= this.nextTxnId) this.nextTxnId = id + 1;
  }

  /** Registers a producer epoch for a transactional id, fencing older ones and aborting their open transaction. */
  initProducer(transactionalId: string): number {
    this.host.ensureOpen();
    const state = this.producers.get(transactionalId);
    if (state === undefined) {
      this.producers.set(transactionalId, { epoch: 0, txn: null });
      return 0;
    }
    state.epoch++;
    if (state.txn !== null && state.txn.status === 'open') this.abort(state.txn);
    state.txn = null;
    return state.epoch;
  }

  checkEpoch(transactionalId: string, epoch: number): void {
    if (this.producers.get(transactionalId)?.epoch !== epoch) {
      throw new ProducerFencedError(`Producer with transactional id "${transactionalId}" (epoch ${epoch}) has been fenced`);
    }
  }

  beginTransaction(transactionalId: string, epoch: number, timeoutMs: number): Txn {
    this.checkEpoch(transactionalId, epoch);
    const state = this.producers.get(transactionalId)!;
    const txn = new Txn(this.nextTxnId++, transactionalId);
    state.txn = txn;
    // The coordinator aborts transactions left open too long and bumps the epoch, which fences their producer.
    txn.timer = setTimeout(() => {
      if (txn.status !== 'open' || state.txn !== txn) return;
      state.epoch++;
      state.txn = null;
      this.abort(txn);
    }, timeoutMs);
    txn.timer.unref();
    return txn;
  }

  /** Makes the transaction's records and offsets visible, atomically: its commit point is one durable meta entry. */
  async commit(txn: Txn): Promise<void> {
    this.host.ensureOpen();
    if (txn.status !== 'open') throw new ProducerFencedError(`Transaction of "${txn.transactionalId}" is ${txn.status}`);
    txn.status = 'committing';
    clearTimeout(txn.timer);
    const meta = this.host.meta();
    if (meta !== null) {
      try {
        await Promise.all([...txn.partitions.keys()].map((p) => p.file?.sync()));
        const groups = [...txn.pendingOffsets.values()].map((g) => ({ group: g.groupId, offsets: toTriples(g.offsets) }));
        await meta.appendTxn({ t: 'txn', id: txn.id, groups });
      } catch (err) {
        // No durable commit entry (a failed append is cut back off the file): abort, with markers where the
        // partition still takes writes, so the LSO moves on instead of waiting for a commit that cannot come.
        if (!this.host.isClosed()) this.complete(txn, false);
        throw err;
      }
    }
    this.complete(txn, true);
    meta?.maybeCompact();
  }

  abort(txn: Txn): void {
    if (txn.status !== 'open') return;
    clearTimeout(txn.timer);
    this.complete(txn, false);
  }

  /** Stops the timeouts of open transactions: the log is closing. */
  close(): void {
    for (const state of this.producers.values()) if (state.txn !== null) clearTimeout(state.txn.timer);
  }

  private complete(txn: Txn, committed: boolean): void {
    txn.status = committed ? 'committed' : 'aborted';
    for (const p of txn.partitions.keys()) p.appendMarker(txn, committed);
    if (committed) {
      for (const pending of txn.pendingOffsets.values()) this.host.groups.setOffsets(pending.groupId, pending.offsets);
    }
    const state = this.producers.get(txn.transactionalId);
    if (state?.txn === txn) state.txn = null;
    this.host.signal.notify();
  }
}
