/**
 * The main thread's handle on a stream thread that runs in a worker thread (`thread-host.ts` is the other side). It
 * starts the worker on the application's entry module, serves the worker's backend calls with this process's
 * backend (the Kafka client's native module loads in one JavaScript context only), turns the worker's reports into
 * the thread callbacks, and reads the worker's stores and counters synchronously (`sync-call.ts`). Stopping it asks
 * the worker's app to close (clean: commit and checkpoint) and then ends the worker.
 */
import { Worker } from 'node:worker_threads';
import { BackendServer } from '../backend/bridge/backend-server.js';
import { deserializeError, type SerializedError } from '../backend/bridge/error-codec.js';
import { PortRpc } from '../backend/bridge/port-rpc.js';
import type { Backend } from '../backend/port.js';
import type { StreamTask } from './stream-task.js';
import type { Logger } from './config.js';
import { InvalidStateStoreError, StreamsError } from './errors.js';
import { streamThreadName, type ThreadCallbacks } from './stream-thread.js';
import { SyncCaller } from './sync-call.js';
import type { ThreadStats } from './thread-stats.js';
import { statsOf, workerDataFor, type StoreQuery, type ThreadSnapshot } from './worker-protocol.js';

export interface WorkerThreadOptions {
  readonly applicationId: string;
  readonly processId: string;
  readonly index: number;
  readonly backend: Backend;
  /** The module the worker runs (the main thread's entry module). */
  readonly entry: string;
  readonly logger: Logger;
  readonly callbacks: ThreadCallbacks;
}

/** How long a worker may take to run the entry module and start its stream thread; closing is bounded alike. */
const START_TIMEOUT_MS = 120_000;
const CLOSE_TIMEOUT_MS = 120_000;
/** How long a store lookup or a counter read waits for the worker. */
const QUERY_TIMEOUT_MS = 10_000;
const SNAPSHOT_REUSE_MS = 100;

/**
 * Runs the entry module in the worker. A TypeScript entry (run by the main thread through tsx) is imported through
 * tsx's ESM API, found from the entry's folder: loader hooks given with `--import` do not reach workers on every
 * Node version, and tsx's CommonJS build of that API cannot be imported.
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const entry = workerData.tributaryStreamThread.entry;
const url = pathToFileURL(entry).href;
function tsxApi() {
  const pkgPath = createRequire(entry).resolve('tsx/package.json');
  const target = require(pkgPath).exports['./esm/api'].import;
  return pathToFileURL(join(dirname(pkgPath), typeof target === 'string' ? target : target.default)).href;
}
const run = /\\.[cm]?tsx?$/.test(entry) ? import(tsxApi()).then((tsx) => tsx.tsImport(url, url)) : import(url);
run.catch((error) => { throw error; });
`;

export class WorkerStreamThread {
  readonly name: string;
  /** A worker has no tasks of this thread's: they live in the worker. */
  readonly activeTasks: ReadonlyMap<string, StreamTask> = new Map();
  readonly globalState = undefined;
  readonly topicLayout = undefined;
  readonly standbyTaskIds: string[] = [];
  readonly standbyRecordsApplied = 0;
  private worker: Worker | undefined;
  private rpc: PortRpc | undefined;
  private readonly server: BackendServer;
  private readonly sync = new SyncCaller();
  private tasks: string[] = [];
  private last: ThreadSnapshot | undefined;
  private lastReadAt = 0;
  private serving = false;
  private gone = false;
  private stopping = false;

  constructor(private readonly options: WorkerThreadOptions) {
    this.name = streamThreadName(options.applicationId, options.processId, options.index);
    this.server = new BackendServer(options.backend, () => this.rpc as PortRpc);
  }

  /** Resolves once the worker's stream thread has started (joined the group), as `StreamThread.start()`. */
  start(): Promise<void> {
    const { options } = this;
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      execArgv: process.execArgv,
      // The entry module runs again in the worker and may read its command line, as it did in the main thread
      // (a worker's process.argv otherwise holds only the executable and the script).
      argv: process.argv.slice(2),
      workerData: workerDataFor({
        applicationId: options.applicationId,
        index: options.index,
        processId: options.processId,
        backendKind: options.backend.kind,
        entry: options.entry,
        sync: this.sync.remoteEnd,
      }),
      transferList: [this.sync.remoteEnd.port],
    });
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => fail(new StreamsError(`${this.name}: the worker did not start a KafkaStreams "${options.applicationId}" from ${options.entry} within ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS,
      );
      let settled = false;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        return true;
      };
      const fail = (error: Error): void => {
        if (settle()) {
          this.stopping = true;
          void this.end();
          reject(error);
        } else this.died(error);
      };
      this.rpc = new PortRpc(worker, (method, args) => {
        switch (method) {
          case 'started':
            this.serving = true;
            if (settle()) resolve();
            return undefined;
          case 'start-failed':
            fail(deserializeError(args[0] as SerializedError));
            return undefined;
          case 'state':
            this.tasks = args[1] as string[];
            if (args[0] === 'RUNNING') options.callbacks.onRunning();
            else options.callbacks.onRebalancing();
            return undefined;
          case 'died':
            this.died(deserializeError(args[0] as SerializedError));
            return undefined;
          default:
            return this.server.handle(method, args);
        }
      });
      worker.on('error', (error) => fail(error));
      worker.on('exit', (code) => {
        this.gone = true;
        this.rpc?.close(new StreamsError(`${this.name}: its worker exited`));
        // Before it started this fails the start (also when stopped meanwhile); later only an unexpected exit counts.
        fail(new StreamsError(`${this.name}: its worker exited (code ${code})`));
      });
    });
  }

  /**
   * Closes the worker's app (clean: it commits and, under exactly-once, checkpoints; dirty: it aborts), ends the
   * worker and closes whatever clients it left open here.
   */
  async stop(mode: 'clean' | 'dirty' = 'clean'): Promise<void> {
    this.stopping = true;
    let failure: unknown;
    if (this.rpc && !this.gone && this.serving) {
      try {
        await withTimeout(this.rpc.call('close', [mode]), CLOSE_TIMEOUT_MS, `${this.name}: close`);
      } catch (error) {
        failure = error;
      }
    }
    await this.end();
    if (failure !== undefined && mode === 'clean') throw failure;
  }

  /** Thread 1 (in the main thread) asks the application to shut down; a worker never does. */
  requestApplicationShutdown(): Promise<void> {
    return Promise.reject(new StreamsError('a worker thread cannot request the application shutdown'));
  }

  /** The tasks the worker reported with its last state change. */
  taskIds(): string[] {
    return this.tasks;
  }

  droppedRecords(): Map<string, number> {
    return new Map(this.snapshot()?.dropped ?? []);
  }

  /** The worker's counters now (or as last read, once it is gone). */
  stats(): ThreadStats {
    return statsOf(this.snapshot());
  }

  /** Runs a lookup on the worker's view of a store; arrays stand for the iterables it returned. */
  query(query: Omit<StoreQuery, 'kind'>): unknown {
    if (!this.serving || this.gone) throw new InvalidStateStoreError(`${this.name} is not running; its stores cannot be queried`);
    try {
      return this.sync.call({ kind: 'store', ...query }, QUERY_TIMEOUT_MS);
    } catch (error) {
      if (error instanceof Error && error.name === 'InvalidStateStoreError') throw new InvalidStateStoreError(error.message, { cause: error });
      throw error;
    }
  }

  private snapshot(): ThreadSnapshot | undefined {
    // One read serves the several a metrics scrape makes in a row.
    if (this.serving && !this.gone && Date.now() - this.lastReadAt >= SNAPSHOT_REUSE_MS) {
      this.lastReadAt = Date.now();
      try {
        this.last = this.sync.call<ThreadSnapshot>({ kind: 'snapshot' }, QUERY_TIMEOUT_MS);
      } catch (error) {
        this.options.logger.debug({ err: String(error), thread: this.name }, 'could not read the counters of a worker thread');
      }
    }
    return this.last;
  }

  private died(error: Error): void {
    if (this.stopping) return;
    this.stopping = true;
    this.options.callbacks.onFatal(error);
  }

  private async end(): Promise<void> {
    this.serving = false;
    await this.worker?.terminate().catch(() => undefined);
    this.rpc?.close(new StreamsError(`${this.name}: stopped`));
    await this.server.close();
    this.sync.close();
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new StreamsError(`${what} did not finish within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
