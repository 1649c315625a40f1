import type { PartitionLog } from './partition-log.js';

/**
 * One transaction of one producer. Records carry a reference to it, so a commit or abort changes what read_committed
 * consumers see without touching the records: visibility is read off `status`.
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

  /** True once the outcome is known and it was not a commit, i.e. records must stay hidden from read_committed. */
  get aborted(): boolean {
    return this.status === 'aborted';
  }
}
