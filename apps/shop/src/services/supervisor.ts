/**
 * Keeps one streams app of the shop alive. A KafkaStreams app that reaches ERROR stays there for good (as in Kafka
 * Streams), so the supervisor closes it and starts a fresh one from the same factory after an exponential,
 * capped back-off. The fresh app restores its state from its changelogs and resumes from the committed offsets;
 * with exactly-once nothing the failed app did uncommitted is seen. The supervisor reacts to the ERROR state only,
 * so it works whatever the app's uncaught-exception handler decides.
 */
import type { KafkaStreams, KafkaStreamsState, Logger } from '@tributary/streams';

export interface BackoffSettings {
  /** Delay before the first restart after a failure. */
  readonly initialMs: number;
  /** Cap of the doubling delay. */
  readonly maxMs: number;
  /** An app that ran this long before failing starts the back-off over from `initialMs`. */
  readonly stableMs: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = { initialMs: 500, maxMs: 30_000, stableMs: 60_000 };

export interface ServiceFailure {
  /** The error that stopped the app, as its message says it. */
  readonly reason: string;
  /** When it failed (epoch ms). */
  readonly at: number;
}

export class SupervisedApp {
  private current: KafkaStreams | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private consecutiveFailures = 0;
  private runningSince: number | undefined;
  /** Fresh apps started after a failure (for /metrics). */
  restarts = 0;
  /** The last failure, until the app runs again. */
  failure: ServiceFailure | undefined;

  constructor(
    readonly name: string,
    private readonly create: () => KafkaStreams,
    private readonly logger: Logger,
    private readonly backoff: BackoffSettings = DEFAULT_BACKOFF,
  ) {}

  /** The app running now (a new instance after each restart). */
  get app(): KafkaStreams {
    if (this.current === undefined) throw new Error(`service ${this.name} has not been started`);
    return this.current;
  }

  get state(): KafkaStreamsState {
    return this.current?.state ?? 'CREATED';
  }

  /**
   * Starts the first app; rejects when it cannot start (the caller decides whether the process goes on; the
   * supervisor keeps trying, with back-off, until it is closed).
   */
  async start(): Promise<void> {
    await this.launch();
  }

  /** Resolves once the current app (or a later one, after restarts) is RUNNING, within `timeoutMs`. */
  async waitForRunning(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.current?.state !== 'RUNNING') {
      if (this.closed) throw new Error(`service ${this.name} is closed`);
      if (Date.now() >= deadline) throw new Error(`service ${this.name} not RUNNING after ${timeoutMs} ms (state ${this.state})`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.restartTimer);
    await this.current?.close();
  }

  private async launch(): Promise<void> {
    let app: KafkaStreams;
    try {
      app = this.create();
    } catch (error) {
      // No app, so no ERROR state to react to: schedule the next attempt here.
      this.noteFailure(error);
      this.scheduleRestart(undefined);
      throw error;
    }
    this.current = app;
    app.setStateListener((next) => this.onState(app, next));
    // Records why; with Kafka's KIP-671 handler, 'SHUTDOWN_CLIENT' is the outcome the ERROR state then reports.
    app.setUncaughtExceptionHandler((error: unknown) => {
      this.noteFailure(error);
      return 'SHUTDOWN_CLIENT' as const;
    });
    try {
      await app.start();
    } catch (error) {
      // start() failing moves the app to ERROR too, and the state listener schedules the restart.
      this.noteFailure(error);
      throw error;
    }
  }

  private onState(app: KafkaStreams, next: KafkaStreamsState): void {
    if (app !== this.current) return;
    if (next === 'RUNNING') {
      this.runningSince = Date.now();
      this.failure = undefined;
    } else if (next === 'ERROR') {
      this.scheduleRestart(app);
    }
  }

  private noteFailure(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    this.failure = { reason: `${message}${cause}`, at: Date.now() };
  }

  private scheduleRestart(failed: KafkaStreams | undefined): void {
    if (this.closed || this.restartTimer !== undefined) return;
    if (this.runningSince !== undefined && Date.now() - this.runningSince >= this.backoff.stableMs) this.consecutiveFailures = 0;
    this.runningSince = undefined;
    const delayMs = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** this.consecutiveFailures);
    this.consecutiveFailures += 1;
    this.failure ??= { reason: 'the app stopped with an error', at: Date.now() };
    this.logger.error({ service: this.name, reason: this.failure.reason, restartInMs: delayMs }, 'service failed; restarting it');
    this.restartTimer = setTimeout(() => {
      void (async () => {
        await failed?.close().catch(() => undefined);
        this.restartTimer = undefined;
        if (this.closed) return;
        this.restarts += 1;
        // A failure is reported through noteFailure and retried by the state listener or by launch itself.
        await this.launch().catch(() => undefined);
        // Closed while the fresh app was starting: it must not outlive its supervisor.
        if (this.closed) await this.current?.close();
      })();
    }, delayMs);
  }
}
