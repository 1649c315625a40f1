// The store contract: what every store implements and what the runtime hands it. In api/ because the Processor API
// (`ProcessorContext.getStateStore`), the graph, the topology and the runtime all name it.

/**
 * What the runtime hands a store when a task opens it. The store uses it to find its directory, to log changes
 * and to register how changelog records are replayed into it.
 */
export interface StateStoreContext {
  readonly applicationId: string;
  readonly taskId: string;
  /** `<stateDir>/<applicationId>/<taskId>`: persistent stores keep their files below it. */
  readonly taskDir: string;
  /**
   * Writes a change to the store's changelog topic (no-op when logging is disabled or when the runtime does not
   * log, e.g. for global stores whose source topic is the changelog).
   */
  logChange(storeName: string, key: Buffer, value: Buffer | null, timestamp: number): void;
  /**
   * Registers the store with the runtime. `restore` is called with batches of raw changelog records (in offset
   * order) before processing starts, and must write them straight into the innermost bytes store without
   * logging them again.
   */
  register(store: StateStore, restore: (batch: ReadonlyArray<RestoreRecord>) => void): void;
  /**
   * The timestamp of the record being processed, or the punctuation time inside a punctuator (Kafka Streams'
   * `context.timestamp()`). Change-logging stores stamp changelog records with it; timestamped stores use the
   * timestamp kept in the value instead. When absent, stores fall back to the wall clock.
   */
  currentTimestamp?(): number;
  /**
   * Registers how the store makes its committed writes durable (an fsync), for stores whose commits do not sync
   * (LMDB's are cheap page-cache writes). The runtime calls every registered `sync` of a task before a checkpoint
   * file names the task's state, so a checkpoint never vouches for writes a power loss could take away. Returns a
   * function that unregisters it (a closed store or segment). Absent where nothing is checkpointed (global stores,
   * the test driver).
   */
  registerSync?(sync: () => void): () => void;
}

export interface RestoreRecord {
  readonly key: Buffer;
  readonly value: Buffer | null;
  readonly timestamp: number;
}

export interface StateStore {
  readonly name: string;
  readonly persistent: boolean;
  init(context: StateStoreContext): void;
  /** Makes every write so far durable (and, for caching stores, forwards them). Called before each commit. */
  flush(): void;
  close(): void;
  isOpen(): boolean;
}
