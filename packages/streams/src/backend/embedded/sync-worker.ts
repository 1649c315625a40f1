import { Worker } from 'node:worker_threads';

/**
 * fdatasync of the embedded log's files on a worker thread, in batches. An exactly-once commit syncs every partition
 * file it wrote before its commit entry: the shop at 200 orders/s asks for about 4,000 syncs a second. Each
 * `fs.fdatasync` on the main thread is a submission to libuv's pool and a completion callback there, which took
 * 5–6 % of the shop's main thread. Here the syncs asked for in one turn of the event loop (a commit asks for all its
 * partitions at once) go to the worker in one message and come back in one, and the worker shares a sync of a file
 * among the requests that arrive while it runs (each request is answered by a sync that started after it).
 *
 * A descriptor is synced by number: the caller keeps the file open until its sync is answered (segments are closed
 * only after a blocking sync of their own, at a roll or when the log closes).
 */

/**
 * The worker's code (CommonJS, evaluated: no file to resolve from the built or the TypeScript sources): per
 * descriptor, the sync running with the requests it answers, and the requests waiting for the next one.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { fdatasync } = require('node:fs');
const running = new Map();
function start(fd, waiters) {
  const state = { waiters, next: [] };
  running.set(fd, state);
  fdatasync(fd, (err) => {
    for (const w of waiters) w(err);
    if (state.next.length > 0) start(fd, state.next);
    else running.delete(fd);
  });
}
parentPort.on('message', ({ id, fds }) => {
  let left = fds.length;
  const failed = [];
  // A sync started for this message covers every request of it: they were all made before it started.
  const startedNow = new Set();
  for (const fd of fds) {
    const done = (err) => {
      if (err) failed.push({ fd, message: err.message, code: err.code });
      if (--left === 0) parentPort.postMessage({ id, failed });
    };
    const state = running.get(fd);
    if (state === undefined) {
      start(fd, [done]);
      startedNow.add(fd);
    } else if (startedNow.has(fd)) state.waiters.push(done);
    else state.next.push(done);
  }
});
`;

interface Failure {
  readonly fd: number;
  readonly message: string;
  readonly code?: string;
}

interface Waiter {
  readonly fd: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

class SyncWorker {
  private worker: Worker | undefined;
  private nextId = 1;
  /** Batches sent and not answered yet. */
  private readonly inFlight = new Map<number, Waiter[]>();
  /** Requests of this turn, sent together once it ends. */
  private queued: Waiter[] = [];

  sync(fd: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.queued.length === 0) queueMicrotask(() => this.send());
      this.queued.push({ fd, resolve, reject });
    });
  }

  private send(): void {
    const batch = this.queued;
    this.queued = [];
    if (batch.length === 0) return;
    const id = this.nextId++;
    const worker = this.start();
    // Referenced only while a batch is out: an idle worker must not keep the process alive, a busy one must.
    if (this.inFlight.size === 0) worker.ref();
    this.inFlight.set(id, batch);
    worker.postMessage({ id, fds: batch.map((w) => w.fd) });
  }

  private start(): Worker {
    if (this.worker !== undefined) return this.worker;
    // No inherited flags: `--input-type=module` would make the evaluated code a module, and loaders are not needed.
    const worker = new Worker(WORKER_SOURCE, { eval: true, name: 'tributary-log-sync', execArgv: [] });
    worker.unref();
    worker.on('message', ({ id, failed }: { id: number; failed: Failure[] }) => this.answered(id, failed));
    const lost = (error: Error): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      const batches = [...this.inFlight.values()];
      this.inFlight.clear();
      for (const batch of batches) for (const w of batch) w.reject(error);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`the embedded log's sync thread exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private answered(id: number, failed: ReadonlyArray<Failure>): void {
    const batch = this.inFlight.get(id);
    if (batch === undefined) return;
    this.inFlight.delete(id);
    if (this.inFlight.size === 0) this.worker?.unref();
    const errors = new Map(failed.map((f) => [f.fd, f]));
    for (const w of batch) {
      const f = errors.get(w.fd);
      if (f === undefined) w.resolve();
      else w.reject(Object.assign(new Error(`fdatasync: ${f.message}`), { code: f.code }));
    }
  }
}

const shared = new SyncWorker();

/** Resolves once everything written to `fd` before the call is on disk (fdatasync, off the event loop). */
export function fdatasyncOffLoop(fd: number): Promise<void> {
  return shared.sync(fd);
}
