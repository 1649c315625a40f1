/**
 * Where a stream thread's loop is, and since when. A loop that stops completing iterations (a client call that never
 * answers) is then named in the log rather than silent, and closing waits for it only so long.
 */
import type { Logger } from './config.js';

const CHECK_MS = 10_000;
/** Longer than client calls take unless a broker is away (a restore of a large store may also take this long). */
const STUCK_MS = 60_000;
/** How long closing waits for the loop's current step before going on without it. */
const END_WAIT_MS = 150_000;

export class LoopWatch {
  private step = { name: 'starting', since: Date.now() };
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly logger: Logger) {}

  /** The loop begins `name` (a step it may wait in); 'idle' between iterations. */
  enter(name: string): void {
    this.step = { name, since: Date.now() };
  }

  /** Warns every few seconds while one step lasts far longer than any of its client calls may. */
  start(): void {
    this.timer = setInterval(() => {
      const forMs = Date.now() - this.step.since;
      if (this.step.name !== 'idle' && forMs > STUCK_MS) this.logger.warn({ step: this.step.name, forMs }, 'stream thread loop has been in one step for long');
    }, CHECK_MS);
    this.timer.unref();
  }

  /** Stops watching and waits for `loop` to end; false when it did not within the limit (the stuck step is logged). */
  async stopAndWait(loop: Promise<void> | undefined): Promise<boolean> {
    clearInterval(this.timer);
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      (loop ?? Promise.resolve()).then(
        () => true,
        () => true,
      ),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), END_WAIT_MS))),
    ]);
    clearTimeout(timer);
    if (!ended) this.logger.error({ step: this.step.name, forMs: Date.now() - this.step.since }, 'stream thread loop did not end; closing without it');
    return ended;
  }
}
