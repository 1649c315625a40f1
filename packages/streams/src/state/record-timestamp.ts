import type { StateStoreContext } from './store.js';

/** The timestamp stores stamp changes with (see `StateStoreContext.currentTimestamp`). */
export function recordTimestamp(context: StateStoreContext): number {
  return context.currentTimestamp?.() ?? Date.now();
}
