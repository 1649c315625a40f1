/**
 * Garbage collection on demand, for tests that show a structure lets go of what it no longer needs (a drained queue,
 * a settled request) or allocates no more than it should, without timing. V8's collector is precise, so an object no longer reachable
 * is gone after a full collection; `gc` is reached through V8's flag rather than a command-line option, so the test
 * runner needs no special flags.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Full collections: memory figures taken after it count live objects only. */
export async function collectGarbage(): Promise<void> {
  // Twice, with a turn of the event loop between: the second finishes freeing what the first found dead.
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
}

/** True when nothing but `ref` holds its target any more. */
export async function isCollectable(ref: WeakRef<object>): Promise<boolean> {
  // A target stays alive until the job that created or dereferenced its WeakRef ends.
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  return ref.deref() === undefined;
}
