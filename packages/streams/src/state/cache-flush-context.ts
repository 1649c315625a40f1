import { recordTimestamp } from './record-timestamp.js';
import type { StateStoreContext } from './store.js';

/**
 * The context a caching layer gives the layers below it: while the cache flushes an entry, they must stamp the
 * change (its changelog record) with the timestamp of the record that wrote the entry, not the current record's.
 */
export class CacheFlushContext {
  private override: number | undefined;

  /** The context to init the wrapped layers with. */
  readonly inner: StateStoreContext;

  constructor(readonly outer: StateStoreContext) {
    this.inner = {
      applicationId: outer.applicationId,
      taskId: outer.taskId,
      taskDir: outer.taskDir,
      logChange: (storeName, key, value, timestamp) => outer.logChange(storeName, key, value, timestamp),
      register: (store, restore) => outer.register(store, restore),
      currentTimestamp: () => this.override ?? recordTimestamp(outer),
      // The layers below (an LMDB store) must still be synced before a checkpoint names their state.
      ...(outer.registerSync === undefined ? {} : { registerSync: outer.registerSync.bind(outer) }),
    };
  }

  /** The current record's timestamp: what a write to the cache is stamped with. */
  now(): number {
    return recordTimestamp(this.outer);
  }

  /** Runs `write` with the layers below seeing `timestamp` as the current record's. */
  stamped(timestamp: number, write: () => void): void {
    const previous = this.override;
    this.override = timestamp;
    try {
      write();
    } finally {
      this.override = previous;
    }
  }
}
