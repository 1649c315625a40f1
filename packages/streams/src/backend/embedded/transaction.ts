import type { PartitionLog } from './partition-log.js';

/**
 * One transaction of one producer, while it is open or completing: the partitions it wrote (their first offsets bound
 * the LSO) and the group offsets it commits. Records and markers carry its id; once aborted, each partition keeps the
 * id in its set of aborted transactions, which read_committed reads consult.
 */
export type TxnStatus = 'open' | 'committing' | 'committed' | 'aborted';

export interface PendingOffsets {
  readonly groupId: string;
  /** `topic\0partition` → next offset to read. */
  readonly offsets: Map<string, number>;
}

export class Txn {
  status: TxnStatus = 'open';
  /** Partitions written in this transaction, each with the offset of its first record (which bounds the LSO). */
  readonly partitions = new Map<PartitionLog, number>();
  readonly pendingOffsets = new Map<string, PendingOffsets>();
  timer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: number,
    readonly transactionalId: string,
  ) {}
}
