/**
 * A wake-up for waiting polls. Appends, transaction outcomes, topic changes and group changes all `notify()`; a
 * poll with nothing to return `wait()`s instead of spinning. Notifying costs nothing when no one waits, which keeps
 * the append path cheap.
 */
export class Signal {
  private waiters: Array<() => void> = [];

  notify(): void {
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves on the next `notify()` or after `timeoutMs`, whichever comes first. */
  wait(timeoutMs: number): Promise<void> {
    if (timeoutMs <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(wake);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve();
      }, timeoutMs);
      this.waiters.push(wake);
    });
  }
}
