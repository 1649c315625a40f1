import { fdatasync } from 'node:fs';

/**
 * Coalesces fsyncs of one file: callers that arrive while a sync runs share the next one, so many flushes in a burst
 * cost two fsyncs, not one each. Every caller's promise resolves only after an fsync that started after its call.
 */
export class FsyncBatcher {
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(private readonly fd: () => number) {}

  sync(): Promise<void> {
    if (this.running === null) {
      this.running = this.run();
      return this.running;
    }
    if (this.next === null) {
      this.next = this.running.then(
        () => this.startNext(),
        () => this.startNext(),
      );
    }
    return this.next;
  }

  private startNext(): Promise<void> {
    this.next = null;
    this.running = this.run();
    return this.running;
  }

  private run(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      fdatasync(this.fd(), (err) => {
        this.running = null;
        if (err) reject(err);
        else resolve();
      });
    });
  }
}
