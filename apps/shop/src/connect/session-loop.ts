/**
 * The life of a connector (the outbox relays, the table sink): sessions run one after another until `close()`. A
 * session that fails is logged, the connector is WAITING with the failure, and the next session starts after a
 * back-off that doubles from 100 ms to 5 s; it resets once a session reports that it runs.
 */
import type { Logger } from '@tributary/streams';

export type ConnectorState = 'STARTING' | 'RUNNING' | 'WAITING' | 'CLOSED';

export interface SessionLoopOptions {
  readonly logger: Logger;
  /** Fields of the retry warning that name the connector, e.g. `{ relay: name }`. */
  readonly logFields: Readonly<Record<string, unknown>>;
  /** The retry warning's message. */
  readonly retryMessage: string;
  /** One session: calls `running()` once it is up; resolves when closed, rejects when it fails. */
  readonly session: (running: () => void) => Promise<void>;
}

const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

export class SessionLoop {
  private closedFlag = false;
  private loop: Promise<void> | undefined;
  private stateValue: ConnectorState = 'STARTING';
  private lastError: string | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: SessionLoopOptions) {}

  get state(): ConnectorState {
    return this.stateValue;
  }

  /** Why the connector is WAITING, when it is. */
  get failure(): string | undefined {
    return this.lastError;
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /**
   * Ends the loop: a pause (`pause`, the back-off) ends at once; `interrupt` ends a session that does not watch
   * `closed` itself (a replication stream); resolves when the last session has ended.
   */
  async close(interrupt?: () => Promise<void>): Promise<void> {
    this.closedFlag = true;
    this.wake?.();
    await interrupt?.().catch(() => undefined);
    await this.loop;
    this.stateValue = 'CLOSED';
  }

  /** Waits `ms`, or less when the loop is closed meanwhile. */
  pause(ms: number): Promise<void> {
    if (this.closedFlag) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    let backoff = FIRST_BACKOFF_MS;
    const running = (): void => {
      this.stateValue = 'RUNNING';
      this.lastError = undefined;
      backoff = FIRST_BACKOFF_MS;
    };
    while (!this.closedFlag) {
      try {
        await this.options.session(running);
      } catch (error) {
        if (this.closedFlag) break;
        this.lastError = error instanceof Error ? error.message : String(error);
        this.stateValue = 'WAITING';
        this.options.logger.warn({ ...this.options.logFields, err: this.lastError, retryInMs: backoff }, this.options.retryMessage);
        await this.pause(backoff);
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      }
    }
    this.stateValue = 'CLOSED';
  }
}

/**
 * A connector run by a SessionLoop: its state, failure, start and close are the loop's; a subclass supplies the
 * session (and may close differently, e.g. interrupting a stream first).
 */
export abstract class SessionConnector {
  protected readonly sessions: SessionLoop;

  constructor(options: Omit<SessionLoopOptions, 'session'>) {
    this.sessions = new SessionLoop({ ...options, session: (running) => this.session(running) });
  }

  get state(): ConnectorState {
    return this.sessions.state;
  }

  /** Why the connector is WAITING, when it is. */
  get failure(): string | undefined {
    return this.sessions.failure;
  }

  start(): void {
    this.sessions.start();
  }

  close(): Promise<void> {
    return this.sessions.close();
  }

  /** One session: calls `running()` once it is up; resolves when closed, rejects when it fails. */
  protected abstract session(running: () => void): Promise<void>;
}
