/**
 * The worker's side of a stream thread in a worker thread. The worker runs the application's entry module again (as
 * Node's `cluster` workers do: closures cannot be sent to a worker, so it builds the topology itself); there the
 * `KafkaStreams` with the worker's application id becomes this host's app: it runs only its one stream thread, on a
 * backend whose clients live in the main thread (`PortBackend`), reports its state and a failure of its thread to
 * the main thread, which decides (the uncaught-exception handler runs there), and answers the main thread's store
 * lookups and counter reads. Any other `KafkaStreams` the module creates in the worker stays inert.
 */
import { parentPort } from 'node:worker_threads';
import { serializeError } from '../backend/bridge/error-codec.js';
import { PortBackend, type ConsumerMirror } from '../backend/bridge/port-backend.js';
import { PortRpc } from '../backend/bridge/port-rpc.js';
import type { TopicPartition } from '../backend/port.js';
import { answerSyncCalls } from './sync-call.js';
import { streamThreadWorkerData, type StoreQuery, type StreamThreadWorkerData, type SyncRequest, type ThreadSnapshot } from './worker-protocol.js';

/** What the host needs of its app. */
export interface HostedApp {
  close(mode: 'clean' | 'dirty'): Promise<void>;
  query(query: StoreQuery): unknown;
  snapshot(): ThreadSnapshot;
}

let claimed = false;

/** The host for the app with `applicationId`, when this worker was started for it (the first such app only). */
export function threadHostFor(applicationId: string): ThreadHost | undefined {
  const data = streamThreadWorkerData();
  if (!data || data.applicationId !== applicationId || claimed || !parentPort) return undefined;
  claimed = true;
  return new ThreadHost(data);
}

export class ThreadHost {
  readonly backend: PortBackend;
  private readonly rpc: PortRpc;
  private app: HostedApp | undefined;

  constructor(readonly data: StreamThreadWorkerData) {
    this.rpc = new PortRpc(parentPort as NonNullable<typeof parentPort>, (method, args) => this.handle(method, args));
    this.backend = new PortBackend(this.rpc, data.backendKind);
  }

  /** The stream thread has started: from now on the main thread's calls are answered. */
  started(app: HostedApp): void {
    this.app = app;
    answerSyncCalls(this.data.sync, (request) => this.answer(request as SyncRequest));
    this.rpc.notify('started');
  }

  startFailed(error: unknown): void {
    this.rpc.notify('start-failed', [serializeError(error)]);
  }

  state(state: 'REBALANCING' | 'RUNNING', tasks: string[]): void {
    this.rpc.notify('state', [state, tasks]);
  }

  /** The thread stopped on an error (its tasks are closed dirty): the main thread's handler decides what follows. */
  died(error: unknown): void {
    this.rpc.notify('died', [serializeError(error)]);
  }

  private async handle(method: string, args: unknown[]): Promise<unknown> {
    switch (method) {
      case 'rebalance':
        return this.backend.onRebalance(args[0] as number, args[1] as 'revoked' | 'assigned' | 'lost', args[2] as TopicPartition[], args[3] as ConsumerMirror);
      case 'close':
        await this.app?.close(args[0] as 'clean' | 'dirty');
        return undefined;
      default:
        throw new Error(`stream-thread worker: unknown call ${method}`);
    }
  }

  private answer(request: SyncRequest): unknown {
    const app = this.app;
    if (!app) throw new Error('the stream thread is not started');
    return request.kind === 'snapshot' ? app.snapshot() : app.query(request);
  }
}
